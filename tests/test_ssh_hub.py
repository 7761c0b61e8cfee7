"""The hub and the viewers' RemoteSource, without SSH: one engine, snapshots computed once and
pushed to all, past instants cached, and the ordinary app running on the stream."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dashboard.app import AppOptions
from dashboard.clock import FixedClock
from dashboard.engine.engine import Engine
from dashboard.frontends import create_app
from dashboard.ssh.hub import Hub
from dashboard.ssh.remote_source import HubLost, RemoteSource
from tests.app_support import MID_CAMPAIGN, copy_sample, screen_text, wait_for, write_progress

PAST = MID_CAMPAIGN.replace(hour=23, minute=59, second=59) - timedelta(days=7)


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    data = copy_sample(tmp_path / "data")
    h = Hub(data, tmp_path / "hub.sock", clock=FixedClock(MID_CAMPAIGN), watch=False,
            rescan_seconds=3600)
    await h.start()
    try:
        yield h
    finally:
        await h.close()


async def sources(hub: Hub, n: int) -> list[RemoteSource]:
    clock = FixedClock(MID_CAMPAIGN)
    return list(await asyncio.gather(*(
        asyncio.to_thread(RemoteSource, hub.socket_path, clock) for _ in range(n))))


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def drop_report(hub: Hub, name: str, value: float) -> None:
    write_progress(hub.folder, name, [{
        "target_id": "AN06", "reporter": "Ban Chỉ huy Quân sự thành phố",
        "reported_at": datetime(2020, 7, 14, 16, 0), "value": value}])


async def test_a_data_change_costs_the_same_queries_for_one_viewer_or_five(hub: Hub) -> None:
    one = await sources(hub, 1)
    # the first file of a new schema costs one more query (its column types, kept after)
    drop_report(hub, "first.parquet", 0)
    hub.kick()
    await until(lambda: one[0].pushes == 1)
    before = (hub.engine.queries, hub.stats.live_snapshots)
    drop_report(hub, "a.parquet", 1)
    hub.kick()
    await until(lambda: one[0].pushes == 2)
    cost_one = hub.engine.queries - before[0]
    assert hub.stats.live_snapshots - before[1] == 1

    five = [*one, *await sources(hub, 4)]
    before = (hub.engine.queries, hub.stats.live_snapshots)
    drop_report(hub, "b.parquet", 2)
    hub.kick()
    await until(lambda: all(s.pushes >= 1 for s in five[1:]) and five[0].pushes == 3)
    assert hub.engine.queries - before[0] == cost_one
    assert hub.stats.live_snapshots - before[1] == 1
    assert all([await asyncio.to_thread(s.refresh) for s in five])
    snaps = [await asyncio.to_thread(s.snapshot, MID_CAMPAIGN) for s in five]
    assert all(snap.target("AN06").value == 2.0 for snap in snaps)  # type: ignore[union-attr]
    assert not any([await asyncio.to_thread(s.refresh) for s in five]), "news only once"
    for s in five:
        s.close()


async def test_the_present_is_answered_from_the_push_without_asking(hub: Hub) -> None:
    (source,) = await sources(hub, 1)
    asked = hub.stats.past_snapshots
    snap = await asyncio.to_thread(source.snapshot, MID_CAMPAIGN + timedelta(seconds=2))
    assert snap.as_of == MID_CAMPAIGN and hub.stats.past_snapshots == asked
    source.close()


async def test_viewers_travelling_to_one_instant_share_one_query(hub: Hub, tmp_path: Path
                                                                 ) -> None:
    three = await sources(hub, 3)
    snaps = await asyncio.gather(*(asyncio.to_thread(s.snapshot, PAST) for s in three))
    assert hub.stats.past_snapshots == 1 and hub.stats.past_hits == 2
    engine = Engine(hub.folder)
    try:
        engine.refresh()
        direct = engine.snapshot(PAST)
    finally:
        engine.close()
    for snap in snaps:
        assert snap.as_of == PAST and snap.areas == direct.areas
        assert snap.leaderboard == direct.leaderboard
    drop_report(hub, "c.parquet", 1)  # new data: the cached past is recomputed once more
    hub.kick()
    await until(lambda: all(s.pushes == 1 for s in three))
    await asyncio.gather(*(asyncio.to_thread(s.snapshot, PAST) for s in three))
    assert hub.stats.past_snapshots == 2
    for s in three:
        s.close()


async def test_history_comes_over_the_socket(hub: Hub) -> None:
    (source,) = await sources(hub, 1)
    history = await asyncio.to_thread(source.history, "AN01", MID_CAMPAIGN)
    direct = await asyncio.to_thread(hub.engine.history, "AN01", MID_CAMPAIGN)
    assert history == direct and history.points
    source.close()


async def test_a_viewer_that_stops_reading_holds_up_no_one(hub: Hub) -> None:
    stuck = socket.socket(socket.AF_UNIX)
    stuck.connect(str(hub.socket_path))  # connected, never reads
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    (live,) = await sources(hub, 1)
    for n in range(30):
        hub.kick(requery=True)
        await until(lambda n=n: live.pushes == n + 1)  # type: ignore[misc]
    assert hub.viewers == 2
    stuck.close()
    live.close()


async def test_the_hub_going_away_is_an_error_not_a_hang(tmp_path: Path) -> None:
    data = copy_sample(tmp_path / "data")
    h = Hub(data, tmp_path / "hub.sock", clock=FixedClock(MID_CAMPAIGN), watch=False)
    await h.start()
    (source,) = await sources(h, 1)
    await h.close()
    with pytest.raises(HubLost):
        for _ in range(100):
            await asyncio.to_thread(source.refresh)
            await asyncio.sleep(0.02)
    started = time.monotonic()
    with pytest.raises(HubLost):
        await asyncio.to_thread(source.snapshot, PAST)
    assert time.monotonic() - started < 5  # a hang would wait for ever, not seconds
    source.close()


async def test_the_ordinary_app_runs_on_a_remote_source(hub: Hub) -> None:
    (source,) = await sources(hub, 1)
    app = create_app(source, clock=FixedClock(MID_CAMPAIGN),
                     options=AppOptions(watch=False, rescan_seconds=0.2))
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: "Quốc phòng – An ninh" in screen_text(app))
        assert "—/2 đơn vị" in screen_text(app)
        drop_report(hub, "d.parquet", 1)
        hub.kick()
        assert await wait_for(pilot, lambda: "1/2 đơn vị" in screen_text(app), timeout=5)
        await pilot.press("left_square_bracket")  # a day back: asked of the hub
        assert await wait_for(pilot, lambda: hub.stats.past_snapshots == 1)
    source.close()


async def test_a_changed_campaign_reaches_a_running_viewer(hub: Hub) -> None:
    """campaign.toml gains an area while a viewer watches: the hub pushes the new campaign and
    the viewer's screen gets the panel, without a restart."""
    (source,) = await sources(hub, 1)
    app = create_app(source, clock=FixedClock(MID_CAMPAIGN),
                     options=AppOptions(watch=False, rescan_seconds=0.2))
    async with app.run_test(size=(160, 60)) as pilot:
        assert await wait_for(pilot, lambda: "Quốc phòng – An ninh" in screen_text(app))
        toml = hub.folder / "campaign.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + '\n[[areas]]\nid = "environment"\n'
                        'name_vi = "Môi trường"\nname_en = "Environment"\n', encoding="utf-8")
        hub.kick()
        assert await wait_for(pilot, lambda: "Môi trường" in screen_text(app), timeout=10)
        assert app.screen.query("#area-environment")
    source.close()
