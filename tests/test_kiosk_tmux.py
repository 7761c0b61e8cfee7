"""The real `thidua kiosk` in a real terminal (tmux): keys that would quit the dashboard do
nothing, SIGTERM from outside ends it with exit 0, the unlock chord opens the normal app."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.app_support import copy_sample

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

# An explicit environment: a library may have put COLUMNS/LINES into this process's C-level
# environment (readline does), which a child would inherit and believe over its terminal.
TMUX_ENV = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


class Pane:
    """One pane on a private tmux server (its own socket): nobody else's sessions are near."""

    def __init__(self, name: str) -> None:
        self.name = name

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.name, *args], capture_output=True,
                              text=True, env=TMUX_ENV, check=False).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.name, key)
            time.sleep(0.15)  # one key at a time, as a person would (Escape needs a gap)

    def show(self, fmt: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.name, fmt).strip()

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{screen}")

    def kiosk_process(self) -> psutil.Process:
        """The python running the kiosk: the pane's process or a child of it."""
        pane = psutil.Process(int(self.show("#{pane_pid}")))
        for proc in [pane, *pane.children(recursive=True)]:
            if "dashboard" in proc.cmdline():
                return proc
        raise AssertionError("no kiosk process in the pane")

    def exit_status(self, timeout: float = 10.0) -> str:
        """How the kiosk ended: tmux's #{pane_dead_status}, its "Pane is dead (status N"
        line, or the wrapper shell's own report, whichever shows first (a busy tmux server
        can be slow to reap the child and fill in the format)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            if self.show("#{pane_dead}") == "1" and self.show("#{pane_dead_status}"):
                return self.show("#{pane_dead_status}")
            screen = self.screen()
            found = re.search(r"(?:kiosk exit status |Pane is dead \(status )(\d+)", screen)
            if found:
                return found.group(1)
            time.sleep(0.1)
        raise AssertionError(f"the kiosk is still running:\n{screen}")


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Pane]:
    name = f"thidua-kiosk-{uuid.uuid4().hex[:8]}"
    folder = copy_sample(tmp_path / "d")
    cmd = " ".join(shlex.quote(a) for a in [
        sys.executable, "-m", "dashboard", "kiosk", "--data", str(folder),
        "--now", "2020-07-15T10:00", "--dwell", "30"])
    env = f"TERM=xterm-256color XDG_STATE_HOME={shlex.quote(str(tmp_path / 'state'))}"
    # the shell stays to report how the kiosk ended (and ends with the same status)
    script = f'{env} {cmd}; rc=$?; echo "kiosk exit status $rc"; exit $rc'
    subprocess.run(["tmux", "-L", name, "new-session", "-d", "-s", name, "-x", "120",
                    "-y", "40", script, ";", "set-option", "-t", name, "remain-on-exit", "on"],
                   env=TMUX_ENV, check=True)
    pane = Pane(name)
    try:
        yield pane
    finally:
        pane.tmux("kill-server")


def test_quit_keys_do_nothing_and_sigterm_exits_cleanly(kiosk: Pane, tmp_path: Path) -> None:
    screen = kiosk.wait_for("cập nhật lúc")
    assert "Đợt thi đua cao điểm" in screen and "Kinh tế" in screen
    kiosk.keys("q", "Escape", "C-c", "C-q", "C-p", "l", "2", "Enter")
    time.sleep(0.8)
    assert kiosk.show("#{pane_dead}") == "0", "a key ended the kiosk"
    screen = kiosk.screen()
    assert "Kinh tế" in screen and "cập nhật lúc" in screen and "Đợt thi đua" in screen
    assert "Thoát" not in screen  # no footer, no palette
    proc = kiosk.kiosk_process()
    os.kill(proc.pid, signal.SIGTERM)
    assert kiosk.exit_status() == "0"
    log = (tmp_path / "state" / "thidua" / "kiosk.log").read_text(encoding="utf-8")
    assert "SIGTERM received: exiting" in log and "kiosk stopped" in log


def test_the_unlock_chord_opens_the_normal_dashboard(kiosk: Pane) -> None:
    kiosk.wait_for("cập nhật lúc")
    kiosk.keys("C-u", "C-u", "C-u")
    kiosk.wait_for("Thoát")  # the normal app, with its footer of keys
    screen = kiosk.wait_for("Quốc phòng – An ninh")  # all four panels at once again
    assert "Kinh tế" in screen and "Văn hóa – Xã hội" in screen
    time.sleep(0.5)
    kiosk.keys("q")
    assert kiosk.exit_status() == "0"
