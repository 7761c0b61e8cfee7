"""Hostile text for the tests (no tests here): a copy of the sample campaign whose strings carry
terminal control sequences, bidi overrides and Rich markup, in every place data text enters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.engine.text_safety import safe_text
from tests.app_support import copy_sample

OSC_TITLE = "\x1b]0;PWNED\x07"
"""Retitles the terminal window (and a tmux pane)."""
OSC_CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"
"""Writes the clipboard of the machine the terminal runs on (an SSH viewer's)."""
CLEAR = "\x1b[2J\x1bc"
C1_CSI = "\x9b31m"
BIDI = "\u202eexe.fdp"
MARKUP = "[bold]Mở [link=file:///etc/passwd]x[/link] [/red] [bold"
"""Unbalanced and unknown Rich markup: Text.from_markup raises MarkupError on it."""

AREA_VI = "Kinh tế" + CLEAR
TITLE = "Thu ngân sách" + OSC_TITLE + C1_CSI
MARKUP_TARGET = "KT99"
UNIT = "ha" + C1_CSI
OWNER = "Phòng Kinh tế" + BIDI
REPORTER = "UBND phường Chi Lăng" + OSC_CLIPBOARD
NOTE = "đã xong" + OSC_TITLE + CLEAR + "\u2066"
FILE_NAME = "\x1b]0;PWNED\x07.parquet"
CAMPAIGN_TITLE = "Đợt thi đua" + OSC_TITLE + BIDI

PAYLOADS = (b"\x1b]0;PWNED", b"\x1b]52;", b"\x1b[2J\x1bc", "\x9b".encode(), "\u202e".encode(),
            "\u2066".encode())
"""The bytes of the data's sequences as a terminal would get them (UTF-8): none may leave."""


def _toml_text(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0
                   or c in "\u202e\u2066\"\\" else c for c in text)


def make_hostile(dest: Path) -> Path:
    """The sample campaign, with hostile strings in its title, an area, one target's title,
    unit and owner, a target titled with markup, and a progress file with a hostile reporter,
    note and file name."""
    data = copy_sample(dest)
    toml = data / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('title_vi = "Đợt thi đua cao điểm',
                        f'title_vi = "{_toml_text(CAMPAIGN_TITLE)}', 1)
    text = text.replace('name_vi = "Kinh tế"', f'name_vi = "{_toml_text(AREA_VI)}"', 1)
    toml.write_text(text, encoding="utf-8")
    targets = pq.read_table(data / "targets.parquet").to_pylist()
    kt01 = next(t for t in targets if t["target_id"] == "KT01")
    kt01.update(title_vi=TITLE, title_en=TITLE, unit_of_measure=UNIT, owner=OWNER)
    targets.append({**kt01, "target_id": MARKUP_TARGET, "title_vi": MARKUP, "title_en": MARKUP,
                    "unit_of_measure": MARKUP, "owner": "[/" + OWNER})
    pq.write_table(pa.Table.from_pylist(targets, schema=pq.read_schema(data / "targets.parquet")),
                   data / "targets.parquet")
    rows = {"target_id": ["KT01", MARKUP_TARGET], "reporter": [REPORTER, "[bold" + REPORTER],
            "reported_at": [datetime(2020, 7, 14, 9, 0)] * 2, "value": [1.0, 2.0],
            "note": [NOTE, MARKUP]}
    table = pa.table({**rows, "reported_at": pa.array(rows["reported_at"], pa.timestamp("us"))})
    pq.write_table(table, data / "progress" / "hostile.parquet")
    pq.write_table(table, data / "progress" / FILE_NAME)
    return data


SHOWN_TITLE = safe_text(TITLE)
"""How the hostile title must appear: ␛]0;PWNED␇… (visible, harmless)."""
