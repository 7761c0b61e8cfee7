"""Hostile text in the data: control sequences, bidi overrides and Rich markup in titles, units,
owners, reporters, notes, area names, the campaign title and file names. None reaches a terminal
or an export raw, none is parsed as markup, and `import` refuses them naming the cell."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.engine.text_safety import REPLACEMENT, hostile_character, safe_text
from dashboard.screens.target_screen import TargetScreen
from tests.app_support import copy_sample, make_app, screen_text
from tests.hostile_support import (
    AREA_VI,
    CAMPAIGN_TITLE,
    FILE_NAME,
    MARKUP,
    MARKUP_TARGET,
    NOTE,
    PAYLOADS,
    REPORTER,
    TITLE,
    make_hostile,
)
from tests.test_kiosk_app import make_kiosk, started, step
from tests.tmux_support import Pane

REPO = Path(__file__).resolve().parents[1]
NOW = "2020-07-15T10:00"
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Any control (but the newline ending each line) or bidi character."""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hostile(tmp_path_factory.mktemp("hostile") / "data")


def thidua(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True,
                          cwd=cwd or REPO, timeout=120, check=False)


def test_safe_text_shows_every_control_visibly() -> None:
    assert safe_text("a\x1b]0;x\x07b") == "a␛]0;x␇b"
    assert safe_text("\x9b31m\u202eabc\u2066") == f"{REPLACEMENT}31m{REPLACEMENT}abc{REPLACEMENT}"
    assert safe_text("một\tdòng\nhai\r\n") == "một dòng hai  "
    assert safe_text("Đợt thi đua – 1.234,5 % [bold]") == "Đợt thi đua – 1.234,5 % [bold]"
    assert hostile_character("x\ny") is None and hostile_character("x\x1by") == "U+001B"
    assert all(not UNSAFE.search(safe_text(chr(c))) for c in range(0x3000))


def test_check_names_the_hostile_file_and_prints_no_control_byte(hostile: Path) -> None:
    done = thidua("check", "--data", str(hostile))
    assert done.returncode == 1, done.stderr  # a problem: the file with the hostile name
    for payload in PAYLOADS:
        assert payload not in done.stdout
    text = done.stdout.decode("utf-8")
    assert not UNSAFE.search(text), text
    assert f"progress/{safe_text(FILE_NAME)}: name holds control" in text  # ␛]0;PWNED␇.parquet
    piped = subprocess.run(  # through a real pipe, as a person would look at it
        f"{shlex.quote(sys.executable)} -m dashboard check --data {shlex.quote(str(hostile))}"
        " | cat -v", shell=True, capture_output=True, text=True, cwd=REPO, check=False)
    assert "PWNED" in piped.stdout
    assert not re.search(r"(?<!M-)\^\[", piped.stdout), piped.stdout  # no raw ESC (^[)


@pytest.mark.parametrize("form", ["json", "csv", "md"])
def test_snapshot_exports_carry_no_control_byte(hostile: Path, form: str) -> None:
    done = thidua("snapshot", "--data", str(hostile), "--now", NOW, "--format", form)
    assert done.returncode == 0, done.stderr
    for payload in PAYLOADS:
        assert payload not in done.stdout
    text = done.stdout.decode("utf-8")
    assert not UNSAFE.search(text)
    if form == "json":  # and no escaped control inside a value (\u001b) either
        doc = json.loads(text)
        assert not UNSAFE.search(json.dumps(doc, ensure_ascii=False))
        assert doc["campaign"]["title"].startswith(safe_text(CAMPAIGN_TITLE))
        assert doc["areas"][0]["name"] == safe_text(AREA_VI)
        kt01 = next(t for t in doc["areas"][0]["targets"] if t["target_id"] == "KT01")
        assert kt01["title"] == safe_text(TITLE)
        assert safe_text(REPORTER) in kt01["reporters"]
    else:
        assert safe_text(TITLE) in text and MARKUP in text  # markup is text, kept as written


async def test_the_dashboard_shows_hostile_names_visibly(hostile: Path) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert safe_text(AREA_VI) in text  # "Kinh tế␛[2J␛c" as the panel's title
        assert safe_text(CAMPAIGN_TITLE) in text
        assert not UNSAFE.search(text)


async def test_a_target_titled_with_unbalanced_markup_opens_with_its_literal_title(
        hostile: Path) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*["down"] * 30, "enter")  # the economy panel's last target: KT99
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, TargetScreen)
        assert app.screen.target.target_id == MARKUP_TARGET
        text = screen_text(app)
        assert f"{MARKUP_TARGET} · {MARKUP}" in text  # the title as written, brackets and all
        assert "[/Phòng Kinh" in text  # its owner (wrapped in the facts column)
        report = next(line for line in text.splitlines() if "14/7/2020  [bold" in line)
        assert safe_text("[bold" + REPORTER) in report and MARKUP in report  # reporter, note
        assert app.screen.history is not None and app.screen.history.points


async def test_the_problems_list_shows_a_hostile_file_name_as_text(hostile: Path) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(200, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        text = screen_text(app)
        assert f"progress/{safe_text(FILE_NAME)}" in text
        assert not UNSAFE.search(text)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_terminal_running_thidua_gets_no_sequence_from_the_data(
        hostile: Path, tmp_path: Path) -> None:
    capture = tmp_path / "pane.bytes"
    pane = Pane.start([sys.executable, "-m", "dashboard", "--data", str(hostile), "--now", NOW],
                      env=f"PYTHONPATH={shlex.quote(str(REPO))}", size=(160, 48))
    try:
        pane.tmux("pipe-pane", "-o", "-t", pane.name, f"cat >> {shlex.quote(str(capture))}")
        title = pane.show("#{pane_title}")
        pane.keys("v")  # a full repaint, in English, with every title drawn again
        pane.wait_for("Economy")
        pane.keys("v")
        screen = pane.wait_for("Bảng xếp hạng đơn vị")  # all drawn again: nothing cleared it
        assert "Kinh tế␛[2J␛c" in screen
        pane.keys("p")
        pane.wait_for("PWNED")
        time.sleep(0.5)
        got = capture.read_bytes()
        assert got, "the pane's output was not captured"
        for payload in PAYLOADS:
            assert payload not in got
        assert pane.show("#{pane_title}") == title != "PWNED"  # not retitled
        styled = pane.tmux("capture-pane", "-p", "-e", "-t", pane.name)
        assert "\x1b]" not in styled and "PWNED" in styled
    finally:
        pane.close()


def test_import_refuses_a_note_with_a_control_sequence(tmp_path: Path) -> None:
    data = copy_sample(tmp_path / "data")
    before = sorted(p.relative_to(data) for p in data.rglob("*"))
    sheet = tmp_path / "report.csv"
    sheet.write_text("target_id,reporter,reported_at,value,note\n"
                     f"AN04,Công an thành phố,2020-07-10 09:30,36,\"{NOTE}\"\n"
                     f"AN02,Công an thành phố,2020-07-10 09:30,22,\"ok\u202eexe\"\n",
                     encoding="utf-8")
    done = thidua("import", str(sheet), "--data", str(data), "--reporter", "Công an thành phố",
                  "--now", "2020-07-10T18:00", "--lang", "en")
    assert done.returncode == 1, done.stdout
    out = done.stdout.decode("utf-8")
    assert not UNSAFE.search(out) and b"\x1b" not in done.stdout
    assert "Row 2, column E (note): The cell holds the control character U+001B" in out, out
    assert "Row 3, column E (note): The cell holds the control character U+202E" in out, out
    assert sorted(p.relative_to(data) for p in data.rglob("*")) == before  # nothing written


async def test_the_kiosk_rotates_through_hostile_names_showing_them_visibly(
        hostile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the kiosk's log
    app, clock = make_kiosk(hostile)
    async with app.run_test(size=(200, 50)) as pilot:
        await started(app, pilot)
        seen = ""
        for _ in range(6):  # every view once: the four areas, the leaderboard, the summary
            seen += screen_text(app)
            await step(app, pilot, clock, 40)
        assert safe_text(AREA_VI) in seen and safe_text(CAMPAIGN_TITLE) in seen
        assert not UNSAFE.search(seen)
        assert app.return_code is None  # still running
