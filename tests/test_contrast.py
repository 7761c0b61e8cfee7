"""Readable colours: WCAG contrast measured on real screens (Textual's SVG export) in every
theme of the `t` cycle: ≥ 4.5:1 for text, ≥ 3:1 for bars, the cursor row and the kiosk's
"new data" highlight included."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets._progress_bar import Bar

from dashboard.app import THEMES, ThiduaApp
from tests.app_support import copy_sample, make_app, write_progress
from tests.contrast_support import Finding, findings
from tests.test_kiosk_app import REPORT_AT, make_kiosk, refresh, started
from widgets.meeting_banner import MeetingBanner

Step = Callable[[ThiduaApp, Pilot[int], Path], Awaitable[None]]


async def settle(app: ThiduaApp, pilot: Pilot[int]) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def keys(*pressed: str) -> Step:
    async def run(app: ThiduaApp, pilot: Pilot[int], folder: Path) -> None:
        await pilot.press(*pressed)
        await settle(app, pilot)
    return run


async def folder_gone(app: ThiduaApp, pilot: Pilot[int], folder: Path) -> None:
    """The data folder goes: the last figures stay under the stale banner (an empty progress
    folder is no error, it shows no banner)."""
    shutil.rmtree(folder)
    app.request_refresh()
    await settle(app, pilot)
    assert app.snapshot is not None and app.snapshot.error


def _then(first: Step, second: Step) -> Step:
    async def run(app: ThiduaApp, pilot: Pilot[int], folder: Path) -> None:
        await first(app, pilot, folder)
        await second(app, pilot, folder)
    return run


def meeting_banner(away: bool) -> Step:
    """The banner meeting mode docks on a follower's screen (following, or stepped out)."""
    async def run(app: ThiduaApp, pilot: Pilot[int], folder: Path) -> None:
        text = "Đang họp: họp giao ban ngày 22/7/2020 · người trình bày: Chủ tịch Lan"
        await app.screen.mount(MeetingBanner(text, away=away))
        await settle(app, pilot)
    return run


SCREENS: dict[str, Step] = {
    "dashboard (cursor row)": keys(),
    "drill-down": keys("down", "enter"),
    "help": keys("question_mark"),
    "problems": keys("p"),
    "date dialog": keys("g"),
    "past view": keys("left_square_bracket"),
    "leaderboard": keys("l"),
    "stale banner": folder_gone,
    "stale drill-down": _then(folder_gone, keys("down", "enter")),
    "meeting banner": meeting_banner(away=False),
    "meeting banner (stepped out)": meeting_banner(away=True),
}


def track_colours(app: ThiduaApp) -> frozenset[str]:
    """The empty part of every progress bar on screen (its `bar--bar` background)."""
    out = set()
    for bar in app.screen.query(Bar):
        colour = bar.get_component_rich_style("bar--bar").bgcolor
        if colour is not None:
            out.add(colour.get_truecolor().hex.lower())
    return frozenset(out)


def lowest(found: list[Finding]) -> str:
    """The lowest ratio for text and for graphics (what the report quotes per theme)."""
    text = [f.ratio for f in found if f.needed > 3]
    graphics = [f.ratio for f in found if f.needed <= 3]
    return (f"text {min(text, default=0):.2f}:1" if text else "text —") + " · " + (
        f"bars {min(graphics):.2f}:1" if graphics else "bars —")


async def measure(app: ThiduaApp, theme: str, folder: Path, step: Step) -> list[Finding]:
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        app.theme = theme
        await step(app, pilot, folder)
        await pilot.pause()
        within = None
        if isinstance(app.screen, ModalScreen):
            r = app.screen.query_one(".dialog").region
            within = (r.x, r.y, r.width, r.height)
        return findings(app.export_screenshot(), within, track_colours(app))


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("screen", SCREENS)
async def test_every_text_is_readable(tmp_path: Path, theme: str, screen: str) -> None:
    folder = copy_sample(tmp_path / "d")
    found = await measure(make_app(folder), theme, folder, SCREENS[screen])
    assert found, "nothing measured"
    bad = [f for f in found if f.ratio < f.needed]
    assert not bad, [(f.text[:30], f.fg, f.bg, round(f.ratio, 2)) for f in bad]
    print(f"{theme:14} {screen:24} {lowest(found)}")


@pytest.mark.parametrize("theme", THEMES)
async def test_kiosk_highlight_is_readable(tmp_path: Path, theme: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = copy_sample(tmp_path / "d")
    app, _clock = make_kiosk(folder, fixed_wall=False, highlight_seconds=60)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        app.theme = theme
        write_progress(folder, "new.parquet", [
            {"target_id": "KT02", "reporter": "UBND xã Mai Pha", "reported_at": REPORT_AT,
             "value": 5}])
        await refresh(app, pilot)
        svg = app.export_screenshot()
        tracks = track_colours(app)
    found = findings(svg, tracks=tracks)
    assert any("Xã Mai Pha" in f.text for f in found)
    bad = [f for f in found if f.ratio < f.needed]
    assert not bad, [(f.text[:30], f.fg, f.bg, round(f.ratio, 2)) for f in bad]
    print(f"{theme:14} {'kiosk (new data)':24} {lowest(found)}")


@pytest.mark.parametrize("theme", THEMES)
async def test_kiosk_stale_banner_is_readable(tmp_path: Path, theme: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = copy_sample(tmp_path / "d")
    app, _clock = make_kiosk(folder)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        app.theme = theme
        shutil.rmtree(folder)  # the last figures stay, under the banner
        await refresh(app, pilot)
        found = findings(app.export_screenshot(), tracks=track_colours(app))
    assert any("SỐ LIỆU CŨ" in f.text for f in found), [f.text[:30] for f in found]
    bad = [f for f in found if f.ratio < f.needed]
    assert not bad, [(f.text[:30], f.fg, f.bg, round(f.ratio, 2)) for f in bad]
    print(f"{theme:14} {'kiosk (stale)':24} {lowest(found)}")


def test_contrast_formula_matches_wcag() -> None:
    from tests.contrast_support import ratio

    assert round(ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(ratio("#767676", "#ffffff"), 2) == 4.54  # the lightest grey AA allows on white
    assert ratio("#ffffff", "#ffffff") == 1.0



@pytest.mark.parametrize(("lang", "words"), [
    ("vi", ["Giao diện: Bắc Âu (Nord)", "Giao diện: Ấm (Gruvbox)", "Giao diện: Đêm Tokyo",
            "Giao diện: Tối"]),
    ("en", ["Theme: Nord", "Theme: Gruvbox", "Theme: Tokyo Night", "Theme: Dark"]),
])
async def test_t_cycles_the_readable_themes_by_their_translated_names(
        tmp_path: Path, lang: str, words: list[str]) -> None:
    app = make_app(copy_sample(tmp_path / "d"), lang=lang)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        seen = []
        for _ in THEMES:
            await pilot.press("t")
            await pilot.pause()
            seen.append(app.theme)
            assert words[len(seen) - 1] in [n.message for n in app._notifications]
        assert seen == [*THEMES[1:], THEMES[0]] and "textual-light" not in seen
