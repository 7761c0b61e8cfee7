"""`thidua serve-ssh` with real asyncssh clients over 127.0.0.1: what viewers see, and that
N viewers cost the engine what one does."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.app_support import copy_sample, write_progress
from tests.test_ssh_support import (
    Served,
    Viewer,
    serving,
)

AREAS = ("Kinh tế", "Văn hóa – Xã hội", "Cải cách hành chính", "Quốc phòng – An ninh")
COUNTDOWN = "còn lại đến 23:59 ngày 30/9/2020"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("ssh")
    with serving(root, copy_sample(root / "data")) as served:
        yield served


async def open_viewer(s: Served, cols: int = 120, rows: int = 40, **kw: object) -> Viewer:
    v = await Viewer.open(s.server.port, s.keys.viewer, cols=cols, rows=rows, **kw)  # type: ignore[arg-type]
    await v.wait_for(AREAS[0])
    return v


def same_line(screen: list[str], *names: str) -> bool:
    return any(all(n in line for n in names) for line in screen)


async def test_the_dashboard_appears_with_areas_and_countdown(served: Served) -> None:
    v = await open_viewer(served, 160, 48)
    try:
        screen = await v.wait_for(lambda s: all(a in s for a in AREAS) and COUNTDOWN in s
                                  and "Bảng xếp hạng đơn vị" in s)
        assert "Số liệu đến 10:00 15/7/2020" in screen  # the server's --now reached the viewer
        assert "palette" not in screen  # the command palette (it saves files) is off
    finally:
        await v.close()


async def test_a_resize_changes_the_layout(served: Served) -> None:
    v = await open_viewer(served, 160, 48)
    try:
        await v.wait_for(lambda _: same_line(v.lines(), "Kinh tế", "Văn hóa – Xã hội"))
        v.resize(80, 40)  # below 120 columns the panels stack
        await v.wait_for(lambda _: not same_line(v.lines(), "Kinh tế", "Văn hóa – Xã hội")
                         and "Kinh tế" in v.text() and "Văn hóa – Xã hội" in v.text())
        v.resize(160, 48)
        await v.wait_for(lambda _: same_line(v.lines(), "Kinh tế", "Văn hóa – Xã hội"))
    finally:
        await v.close()


async def test_q_closes_only_that_session(served: Served) -> None:
    a, b = await asyncio.gather(open_viewer(served), open_viewer(served))
    try:
        a.press("q")
        assert await a.wait_exit() == 0
        assert "─ Kinh tế ─" in b.text()
        b.press("v")  # the other one still answers keys, and only its own language changes
        await b.wait_for("Economy")
        assert "─ Kinh tế ─" not in b.text()  # the panel's title ("Phòng Kinh tế" is a unit)
    finally:
        await asyncio.gather(a.close(), b.close())


async def test_a_new_parquet_file_reaches_every_viewer_for_one_engine_refresh(
        served: Served) -> None:
    viewers = await asyncio.gather(*(open_viewer(served) for _ in range(3)))
    hub = served.server.server.hub
    try:
        for v in viewers:
            await v.wait_for("—/2 đơn vị")  # AN06 has no report yet
        before = served.server.call(lambda: (hub.stats.changes, hub.stats.live_snapshots,
                                             hub.stats.past_snapshots, hub.stats.pushes))
        write_progress(served.data, "drill.parquet", [
            {"target_id": "AN06", "reporter": "Ban Chỉ huy Quân sự thành phố",
             "reported_at": datetime(2020, 7, 14, 16, 0), "value": 1}])
        for v in viewers:
            await v.wait_for("1/2 đơn vị")
        changes, live, past, pushes = served.server.call(
            lambda: (hub.stats.changes, hub.stats.live_snapshots, hub.stats.past_snapshots,
                     hub.stats.pushes))
        assert changes - before[0] == 1
        assert live - before[1] == 1, "one live snapshot for all three viewers"
        assert past == before[2], "no viewer asked the engine anything of its own"
        assert pushes - before[3] == 3
    finally:
        await asyncio.gather(*(v.close() for v in viewers))
        (served.data / "progress" / "drill.parquet").unlink(missing_ok=True)


async def test_viewers_travelling_to_the_same_day_cost_one_query(served: Served) -> None:
    a, b = await asyncio.gather(open_viewer(served), open_viewer(served))
    hub = served.server.server.hub
    try:
        await asyncio.sleep(0.3)
        before = served.server.call(lambda: (hub.stats.past_snapshots, hub.stats.past_hits))
        a.press("[")
        await a.wait_for("14/7/2020")
        b.press("[")
        await b.wait_for("14/7/2020")
        after = served.server.call(lambda: (hub.stats.past_snapshots, hub.stats.past_hits))
        assert after[0] - before[0] == 1
        assert after[1] - before[1] >= 1
    finally:
        await asyncio.gather(a.close(), b.close())


async def test_a_viewer_killed_with_sigkill_does_not_disturb_the_others(served: Served) -> None:
    viewers = await asyncio.gather(*(open_viewer(served) for _ in range(3)))
    try:
        pids = served.server.call(lambda: {s.child.pid for s in served.server.server.sessions
                                           if s.child is not None})
        assert len(pids) == 3
        victim = next(iter(pids))
        os.kill(victim, signal.SIGKILL)
        await asyncio.sleep(0.5)
        for _ in range(50):
            closed = [v for v in viewers if v.proc.exit_status is not None]
            if closed:
                break
            await asyncio.sleep(0.1)
        assert len(closed) == 1
        dead = closed[0]
        assert dead.proc.exit_status != 0
        assert b"\x1b[?1049l" in dead.received[-200:]  # the client's terminal was restored
        for v in viewers:
            if v is not dead:
                v.press("l")
                await v.wait_for("Bảng xếp hạng đơn vị")
        assert served.server.call(lambda: served.server.server.hub.viewers) >= 2
    finally:
        await asyncio.gather(*(v.close() for v in viewers))


async def test_the_viewer_runs_on_its_own_terminal_with_an_allow_listed_environment(
        served: Served) -> None:
    served.server.wait_idle()  # the session looked at below must be this test's
    v = await open_viewer(served, env={
        "LD_PRELOAD": "/tmp/evil.so", "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
        "COLUMNS": "20", "LINES": "5", "LANG": "vi_VN.UTF-8", "LC_TIME": "C",
        "PYTHONPATH": "/tmp/evil"}, term="screen-256color")
    try:
        session = served.server.call(lambda: next(iter(served.server.server.sessions)))
        assert session.child is not None
        pid, env = session.child.pid, session.env
        assert env["TERM"] == "screen-256color"
        assert env["LANG"] == "vi_VN.UTF-8" and env["LC_TIME"] == "C"
        for bad in ("LD_PRELOAD", "TEXTUAL_DRIVER", "COLUMNS", "LINES"):
            assert bad not in env
        assert "/tmp/evil" not in env.get("PYTHONPATH", "")
        inherited = Path(f"/proc/{pid}/environ").read_bytes()  # what it was started with
        assert b"LD_PRELOAD" not in inherited and b"COLUMNS" not in inherited
        await v.wait_for("Kinh tế")  # and a real TERM of the client's choosing works
        assert os.getsid(pid) == pid, "the viewer leads its own session"
        tty_nr = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[4])
        assert tty_nr != 0, "the pty is the viewer's controlling terminal"
    finally:
        await v.close()


async def test_the_log_has_connect_auth_and_session_lines(served: Served) -> None:
    v = await open_viewer(served)
    v.press("q")
    await v.wait_exit()
    await v.close()
    log = served.server.wait_log("session", timeout=5)
    log = served.server.wait_log("end: user viewer", timeout=5)
    assert "connect from 127.0.0.1" in log
    assert "auth success: user viewer, key SHA256:" in log
    assert "start: user viewer from 127.0.0.1" in log


async def test_a_client_that_stops_reading_pauses_only_its_own_viewer(served: Served) -> None:
    served.server.wait_idle()
    slow = await open_viewer(served, 160, 48, window=16384)  # a small SSH window
    session = served.server.call(lambda: next(iter(served.server.server.sessions)))
    other = await open_viewer(served)
    try:
        slow.proc.channel.pause_reading()  # the client stops reading: its window shuts
        for _ in range(12):  # full repaints, far more than the window and the high water
            slow.press("t")
            await asyncio.sleep(0.05)
        deadline = asyncio.get_running_loop().time() + 10
        while not served.server.call(lambda: session.output_paused):
            assert asyncio.get_running_loop().time() < deadline, "the pty was never paused"
            await asyncio.sleep(0.05)
        other.press("l")  # meanwhile the other viewer is as quick as ever
        await other.wait_for("Bảng xếp hạng đơn vị")
        slow.proc.channel.resume_reading()
        await slow.wait_for(lambda _: not served.server.call(lambda: session.output_paused))
        slow.press("v")  # and the slow one catches up
        await slow.wait_for("Economy")
    finally:
        await asyncio.gather(slow.close(), other.close())
