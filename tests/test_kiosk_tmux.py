"""The real `thidua kiosk` in a real terminal (tmux): keys that would quit the dashboard do
nothing, SIGTERM from outside ends it with exit 0, the unlock chord opens the normal app."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.app_support import copy_sample
from tests.tmux_support import Pane

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

class Kiosk(Pane):
    """The kiosk's pane, with a way to find its process and to read how it ended."""

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
            found = re.search(r"(?:exit status |Pane is dead \(status )(\d+)", screen)
            if found:
                return found.group(1)
            time.sleep(0.1)
        raise AssertionError(f"the kiosk is still running:\n{screen}")


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    folder = copy_sample(tmp_path / "d")
    pane = Kiosk.start(
        [sys.executable, "-m", "dashboard", "kiosk", "--data", str(folder),
         "--now", "2020-07-15T10:00", "--dwell", "30"], prefix="thidua-kiosk",
        env=f"XDG_STATE_HOME={shlex.quote(str(tmp_path / 'state'))}", report_exit=True)
    try:
        yield pane
    finally:
        pane.close()


def test_quit_keys_do_nothing_and_sigterm_exits_cleanly(kiosk: Kiosk, tmp_path: Path) -> None:
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


def test_the_unlock_chord_opens_the_normal_dashboard(kiosk: Kiosk) -> None:
    kiosk.wait_for("cập nhật lúc")
    kiosk.keys("C-u", "C-u", "C-u")
    kiosk.wait_for("Thoát")  # the normal app, with its footer of keys
    screen = kiosk.wait_for("Quốc phòng – An ninh")  # all four panels at once again
    assert "Kinh tế" in screen and "Văn hóa – Xã hội" in screen
    time.sleep(0.5)
    kiosk.keys("q")
    assert kiosk.exit_status() == "0"
