"""The real `thidua` command in a real terminal (tmux), read as a person would."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_support import copy_sample

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    def __init__(self, name: str) -> None:
        self.name = name

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True,
                              check=False).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{screen}")

    def pane_dead(self) -> bool:
        return self.tmux("display-message", "-p", "-t", self.name, "#{pane_dead}").strip() == "1"


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    name = f"thidua-test-{uuid.uuid4().hex[:8]}"
    folder = copy_sample(tmp_path / "d")
    cmd = " ".join(shlex.quote(a) for a in [
        sys.executable, "-m", "dashboard", "--data", str(folder), "--now", "2020-07-15T10:00"])
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40",
                    f"TERM=xterm-256color {cmd}"], check=True)
    subprocess.run(["tmux", "set-option", "-t", name, "remain-on-exit", "on"], check=False)
    term = Terminal(name)
    try:
        yield term
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False, capture_output=True)


def test_the_dashboard_in_a_real_terminal(terminal: Terminal) -> None:
    screen = terminal.wait_for("Quốc phòng – An ninh")
    for name in ("Kinh tế", "Văn hóa – Xã hội", "Cải cách hành chính"):
        assert name in screen
    assert "cập nhật lúc" in screen
    terminal.keys("l")  # the leaderboard, zoomed
    screen = terminal.wait_for("Bảng xếp hạng đơn vị")
    assert "UBND phường Hoàng Văn Thụ" in screen
    terminal.keys("Escape")
    time.sleep(0.3)  # a lone Escape: give the terminal time to tell it from Alt+key
    terminal.keys("v")
    screen = terminal.wait_for("Economy")
    assert "Culture & society" in screen and "refreshed at" in screen
    terminal.keys("2")  # zoom the second area, which takes the focus
    time.sleep(0.2)
    terminal.keys("Enter")
    screen = terminal.wait_for("Reports by unit")
    assert "VH01" in screen  # the first target of the second panel
    terminal.keys("Escape")
    terminal.wait_for("Culture & society")
    time.sleep(0.3)
    terminal.keys("q")
    deadline = time.monotonic() + 10
    while not terminal.pane_dead() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert terminal.pane_dead(), "q did not quit"
