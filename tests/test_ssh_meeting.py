"""Meeting mode over real SSH clients on 127.0.0.1: a presenter (a --presenter-keys key) and
followers; what each of them reads on their screen. And a kiosk following over the server's
meeting feed (`kiosk --follow`), as a real Textual app."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from dashboard.app import AppOptions
from dashboard.clock import FixedClock
from dashboard.frontends import create_app
from dashboard.kiosk.kiosk_app import KioskApp
from dashboard.kiosk.meeting_feed import MeetingFeed
from dashboard.kiosk.settings import kiosk_settings
from dashboard.source import EngineSource
from tests.app_support import FIXED_WALL, MID_CAMPAIGN, copy_sample, screen_text
from tests.test_kiosk_app import shown, started, state_home, step  # noqa: F401
from tests.test_ssh_openssh import start_cli_server, stop
from tests.test_ssh_support import Served, Viewer, serving
from tests.tmux_support import Pane

PRESENTER = "Chủ tịch Lan"
BANNER = f"Đang họp: họp giao ban ngày 15/7/2020 · người trình bày: {PRESENTER}"
BANNER_EN = f"Meeting: briefing of 15 Jul 2020 · presenter: {PRESENTER}"
LIVE = "Số liệu đến 10:00 15/7/2020"
PAST = "23:59 14/7/2020"
"""`[` from 10:00 on 15/7: the end of the day before, on the past-view banner."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    root = tmp_path_factory.mktemp("meeting")
    key = asyncssh.generate_private_key("ssh-ed25519", comment=PRESENTER)
    keys = root / "presenter-keys"
    keys.mkdir()
    key.write_private_key(keys / "presenter")
    (keys / "presenter").chmod(0o600)
    key.write_public_key(keys / "presenters.pub")
    with serving(root, copy_sample(root / "data"),
                 presenter_keys=keys / "presenters.pub",
                 meeting_feed=("127.0.0.1", 0)) as s:
        yield s, str(keys / "presenter")


async def open_viewer(s: Served, key: str | None = None) -> Viewer:
    v = await Viewer.open(s.server.port, key or s.keys.viewer, cols=120, rows=40)  # type: ignore[arg-type]
    await v.wait_for(LIVE)
    return v


def zoomed_on_culture(text: str) -> bool:
    return "Văn hóa – Xã hội" in text and "─ Kinh tế ─" not in text


async def test_followers_follow_the_presenter_step_out_and_back_until_the_presenter_leaves(
        served: tuple[Served, str]) -> None:
    s, presenter_key = served
    p, a, b = await asyncio.gather(open_viewer(s, presenter_key), open_viewer(s),
                                   open_viewer(s))
    try:
        b.press("v")  # b reads English: the meeting does not change that
        await b.wait_for("Economy")
        # the presenter has looked at the day before once, as a presenter preparing does
        # (how fast followers follow is bench/meeting_bench.py's, not a test's)
        p.press("[")
        await p.wait_for(PAST)
        p.press(".")
        await p.wait_for(lambda t: PAST not in t and LIVE in t)
        p.press("m")
        await p.wait_for("Bạn đang trình bày: họp giao ban ngày 15/7/2020")
        await a.wait_for(BANNER)
        await b.wait_for(BANNER_EN)

        p.press("2[")  # zoom on the second area, then a day back
        await a.wait_for(lambda t: zoomed_on_culture(t) and PAST in t, timeout=10)
        await b.wait_for(lambda t: "Culture & society" in t and "─ Economy ─" not in t
                         and "23:59 14 Jul 2020" in t, timeout=10)
        # who arrives during the meeting joins it at once
        late = await Viewer.open(s.server.port, s.keys.viewer, cols=120, rows=40)
        try:
            await late.wait_for(lambda t: BANNER in t and zoomed_on_culture(t) and PAST in t)
        finally:
            await late.close()
        a.press("1")  # a follower's own key is undone, and it is told why
        await a.wait_for("Bạn đang theo dõi người trình bày")
        await a.wait_for(lambda t: zoomed_on_culture(t) and PAST in t)

        p.press("\r")  # the zoomed area's chosen target opens
        title = re.search(r"(VH\d\d) · ", await p.wait_for(re.compile(r"VH\d\d · ").search))
        assert title is not None
        opened = f"{title.group(1)} · "
        await a.wait_for(lambda t: opened in t and BANNER in t)  # the banner is there too
        await b.wait_for(lambda t: opened in t and BANNER_EN in t)

        a.press("m")  # a steps out: its own view again (live, every area), a muted banner
        await a.wait_for(lambda t: "bạn đã tạm rời" in t and LIVE in t and "─ Kinh tế ─" in t)
        p.press("\x1b")  # the presenter closes the drill-down; b follows, a does not
        await b.wait_for(lambda t: opened not in t and "Culture & society" in t)
        assert opened not in a.text() and PAST not in a.text()
        a.press("m")  # and back in
        await a.wait_for(lambda t: BANNER in t and zoomed_on_culture(t) and PAST in t)

        p.press("s")  # compare with the last meeting (the day suggested: a week before)
        await p.wait_for("2020-07-07")
        p.press("\r")
        await p.wait_for("Thay đổi kể từ 23:59 07/7/2020")
        await a.wait_for("Thay đổi kể từ 23:59 07/7/2020")
        await b.wait_for("Changes since 23:59 7 Jul 2020")
        p.press("\x1b")
        await b.wait_for(lambda t: "Changes since" not in t and "Culture & society" in t)

        await p.close()  # the presenter leaves: the meeting is over for everyone
        await a.wait_for(lambda t: "Đang họp" not in t and LIVE in t and "─ Kinh tế ─" in t)
        await b.wait_for(lambda t: "Meeting:" not in t and "─ Economy ─" in t)
        assert served[0].server.call(lambda: s.server.server.hub.meeting) is None
    finally:
        await asyncio.gather(p.close(), a.close(), b.close())


async def test_a_viewer_key_cannot_start_a_meeting(served: tuple[Served, str]) -> None:
    s, _ = served
    a, b = await asyncio.gather(open_viewer(s), open_viewer(s))
    try:
        a.press("m")
        await a.wait_for("Chỉ người trình bày mới bắt đầu được cuộc họp")
        a.press("2")
        await a.wait_for(zoomed_on_culture)
        await asyncio.sleep(0.5)
        assert "Đang họp" not in b.text() and "─ Kinh tế ─" in b.text()
        assert s.server.call(lambda: s.server.server.hub.meeting) is None
    finally:
        await asyncio.gather(a.close(), b.close())


async def test_the_kiosk_follows_the_meeting_and_rotates_again_when_it_ends(
        served: tuple[Served, str]) -> None:
    s, presenter_key = served
    assert s.server.server.feed_port is not None
    feed = MeetingFeed("127.0.0.1", s.server.server.feed_port, retry_seconds=0.2)
    source = EngineSource(s.data, wall=lambda: FIXED_WALL)
    clock = FixedClock(MID_CAMPAIGN)
    app = create_app(source, clock=clock, options=AppOptions(
        watch=False, rescan_seconds=3600, meeting=feed),
        kiosk=kiosk_settings(source.campaign, dwell_seconds=10, office_hours="always"))
    assert isinstance(app, KioskApp)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await started(app, pilot)
            assert screen.current_view == "economy"
            p = await open_viewer(s, presenter_key)
            try:
                p.press("m")
                await p.wait_for("Bạn đang trình bày")
                p.press("3[")  # administrative reform, a day back
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and not (
                        shown(screen) == ["area-admin_reform"] and PAST in screen_text(app)):
                    await pilot.pause(0.05)
                text = screen_text(app)
                assert shown(screen) == ["area-admin_reform"] and PAST in text  # that one only
                assert BANNER in text
                await step(app, pilot, clock, 60)  # the rotation waits while the meeting runs
                assert shown(screen) == ["area-admin_reform"]
                await pilot.press("m")  # keys do nothing on the wall: it cannot present
                assert "Đang họp" in screen_text(app)
            finally:
                await p.close()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and (
                    "Đang họp" in (now := screen_text(app)) or PAST in now):
                await pilot.pause(0.05)
            text = screen_text(app)
            assert "Đang họp" not in text and PAST not in text
            assert screen.current_view == "economy"  # the rotation begins again
            assert "area-culture_society" in shown(screen)  # and the room fills as before
            await step(app, pilot, clock, 25)
            assert screen.current_view != "economy"
    finally:
        feed.close()
        source.close()


@pytest.mark.skipif(shutil.which("ssh") is None or shutil.which("tmux") is None,
                    reason="no OpenSSH client or no tmux")
async def test_the_command_with_an_openssh_presenter(tmp_path: Path) -> None:
    """`thidua serve-ssh --presenter-keys … --meeting-title …` as a service runs it, the
    presenter on the system's OpenSSH client (under tmux), a follower on asyncssh."""
    folder = tmp_path / "presenter"
    folder.mkdir()
    key = asyncssh.generate_private_key("ssh-ed25519", comment="Chủ tịch Lan")
    key.write_private_key(folder / "key")
    (folder / "key").chmod(0o600)
    key.write_public_key(folder / "keys.pub")
    server = start_cli_server(tmp_path, "--presenter-keys", str(folder / "keys.pub"),
                              "--meeting-title", "Giao ban tuần 29")
    try:
        command = server.ssh("-tt", "viewer@127.0.0.1")
        command[command.index(str(server.keys.viewer))] = str(folder / "key")
        presenter = Pane.start(command, prefix="thidua-meeting", size=(120, 40))
        follower = await Viewer.open(server.port, server.keys.viewer, cols=120, rows=40)
        try:
            await asyncio.to_thread(presenter.wait_for, LIVE)
            await follower.wait_for(LIVE)
            presenter.keys("m")
            await asyncio.to_thread(presenter.wait_for, "Bạn đang trình bày: Giao ban tuần 29")
            presenter.keys("4")
            await follower.wait_for(lambda t: "Đang họp: Giao ban tuần 29 · người trình bày: "
                                    "Chủ tịch Lan" in t and "Quốc phòng – An ninh" in t
                                    and "─ Kinh tế ─" not in t)
            presenter.keys("q")  # the presenter's session ends, and with it the meeting
            await follower.wait_for(lambda t: "Đang họp" not in t and "─ Kinh tế ─" in t)
        finally:
            presenter.close()
            await follower.close()
    finally:
        stop(server)
