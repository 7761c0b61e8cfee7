"""The real `thidua` command in a real terminal (tmux), read as a person would."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_support import copy_sample
from tests.tmux_support import Pane

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Pane]:
    folder = copy_sample(tmp_path / "d")
    pane = Pane.start([sys.executable, "-m", "dashboard", "--data", str(folder),
                       "--now", "2020-07-15T10:00"])
    try:
        yield pane
    finally:
        pane.close()


def test_the_dashboard_in_a_real_terminal(terminal: Pane) -> None:
    terminal.wait_for("Quốc phòng – An ninh")
    screen = terminal.wait_for("cập nhật lúc")  # the panels are drawn before their data
    for name in ("Kinh tế", "Văn hóa – Xã hội", "Cải cách hành chính"):
        assert name in screen
    terminal.keys("l")  # the leaderboard, zoomed
    screen = terminal.wait_for("Bảng xếp hạng đơn vị")
    assert "UBND phường Hoàng Văn Thụ" in screen
    terminal.keys("Escape")
    time.sleep(0.3)  # a lone Escape: give the terminal time to tell it from Alt+key
    terminal.keys("v")
    terminal.wait_for("Economy")
    # the status line may be drawn a frame after the panels: wait for it too
    screen = terminal.wait_for("refreshed at")
    assert "Economy" in screen and "Culture & society" in screen
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
    while not terminal.dead() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert terminal.dead(), "q did not quit"
