"""Nothing lost: optional columns never cost a file, and a file replaced by bad content (or
hidden behind an unreadable folder) keeps its last good rows, marked stale, until it reads
again or is deleted. The data folder is byte-identical afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import (
    REPO,
    at,
    naive,
    skipped_reasons,
    target,
    tree_bytes,
    write_progress,
    write_table,
    write_targets,
)
from test_bad_input import _corrupt_data_page

from dashboard import snapshot_export
from dashboard.cli import main

T = at(2020, 7, 1)


def _targets(folder: Path) -> None:
    write_targets(folder, [target("e1", aggregate="sum"), target("e2")])


def _rows(value: float) -> list[tuple[object, ...]]:
    return [("e1", "r1", naive(2020, 6, 1, 10), value), ("e2", "r1", naive(2020, 6, 1, 10), 20.0)]


def _table(value: float, note: pa.Array) -> pa.Table:
    rows = _rows(value)
    return pa.table({
        "target_id": [r[0] for r in rows], "reporter": [r[1] for r in rows],
        "reported_at": pa.array([r[2] for r in rows], pa.timestamp("us")),
        "value": [r[3] for r in rows], "note": note})


# -- optional columns -----------------------------------------------------------------------


def test_all_empty_note_column_as_pandas_writes_it_is_used(campaign_dir, make_engine):
    _targets(campaign_dir)
    write_table(campaign_dir, "pandas.parquet", _table(10.0, pa.array([None, None])))
    before = tree_bytes(campaign_dir)
    snap = make_engine(campaign_dir).snapshot(T)
    assert snap.target("e1").value == 10.0 and snap.target("e2").value == 20.0
    assert snap.files.skipped == () and snap.files.warnings == ()
    assert tree_bytes(campaign_dir) == before


def test_note_of_another_type_is_left_out_with_a_warning(campaign_dir, make_engine):
    _targets(campaign_dir)
    write_table(campaign_dir, "intnote.parquet", _table(10.0, pa.array([1, 2], pa.int64())))
    write_progress(campaign_dir, "noted.parquet", [
        ("e1", "r2", naive(2020, 6, 2, 9), 5.0, "ghi chú")], note=True)
    e = make_engine(campaign_dir)
    snap = e.snapshot(T)
    assert snap.target("e1").value == 15.0  # both reporters, summed
    assert snap.files.skipped == ()
    [w] = snap.files.warnings
    assert w.file == "progress/intnote.parquet"
    assert "'note'" in w.reason and "int64" in w.reason and "without it" in w.reason
    # the other file's note still reaches the drill-down
    notes = {p.reporter: p.note for p in e.history("e1", T).points}
    assert notes == {"r1": None, "r2": "ghi chú"}


def test_optional_target_column_of_unusable_type_is_left_out(campaign_dir, make_engine):
    table = pa.table({
        "target_id": ["e1", "e2"], "area": ["economy", "economy"],
        "title_vi": ["Một", "Hai"], "target_value": [100.0, 50.0],
        "owner": pa.array([7, 8], pa.int64()),            # unusable: a warning
        "title_en": pa.array([None, None]),                 # all empty (type null): fine
        "direction": pa.array([None, None]),
    })
    import pyarrow.parquet as pq

    pq.write_table(table, campaign_dir / "targets.parquet")
    write_progress(campaign_dir, "a.parquet", _rows(10.0))
    snap = make_engine(campaign_dir).snapshot(T)
    assert snap.target("e1").value == 10.0 and snap.target("e1").owner is None
    assert snap.target("e1").title_en is None and snap.target("e1").direction == "at_least"
    assert [(w.file, "'owner'" in w.reason) for w in snap.files.warnings] == [
        ("targets.parquet", True)]


def test_check_names_the_warning(campaign_dir, capsys):
    _targets(campaign_dir)
    write_table(campaign_dir, "intnote.parquet", _table(10.0, pa.array([1, 2], pa.int64())))
    assert main(["check", "--data", str(campaign_dir)]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "intnote.parquet" in x)
    assert "note" in line and "int64" in line


# -- a good file replaced by a bad one ------------------------------------------------------


def _replace_with(path: Path, data: bytes) -> None:
    """As a unit's sync tool does: a new file renamed over the old one."""
    tmp = path.with_name("." + path.name + ".new")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@pytest.mark.parametrize("bad", ["csv", "wrong_schema", "corrupt_page"])
def test_replaced_by_bad_content_keeps_last_good_rows(campaign_dir, make_engine, bad, tmp_path):
    _targets(campaign_dir)
    live = write_progress(campaign_dir, "live/an07.parquet", _rows(1234.5))
    clock = [live.stat().st_mtime + 100]
    e = make_engine(campaign_dir, grace_seconds=30.0, wall=lambda: clock[0])
    assert e.snapshot(T).target("e1").value == 1234.5
    if bad == "csv":
        _replace_with(live, b"target_id,reporter,reported_at,value\ne1,r1,2020-06-01,167\n")
    elif bad == "wrong_schema":
        _replace_with(live, write_table(tmp_path, "x.parquet", pa.table({"a": [1]})).read_bytes())
    else:
        big = write_progress(tmp_path, "big.parquet", [
            ("e1", "r1", naive(2020, 6, 1, 10, i % 60), float(i)) for i in range(2000)],
            compression="none", use_dictionary=False)
        _corrupt_data_page(big)
        _replace_with(live, big.read_bytes())
    before = tree_bytes(campaign_dir)
    clock[0] = live.stat().st_mtime + 1  # young: pending
    e.refresh()
    snap = e.snapshot(T)
    assert snap.target("e1").value == 1234.5
    assert snap.files.pending == ("progress/live/an07.parquet",)
    [held] = snap.files.held
    assert held.file == "progress/live/an07.parquet" and held.reason
    clock[0] += 60  # grace over: skipped, still held
    e.refresh()
    snap = e.snapshot(T)
    assert snap.target("e1").value == 1234.5
    assert "progress/live/an07.parquet" in skipped_reasons(snap)
    assert [h.file for h in snap.files.held] == ["progress/live/an07.parquet"]
    assert tree_bytes(campaign_dir) == before
    # good content again: the new rows count and nothing is held
    write_progress(campaign_dir, "live/an07.parquet", _rows(1500.0))
    e.refresh()
    snap = e.snapshot(T)
    assert snap.target("e1").value == 1500.0
    assert snap.files.held == () and snap.files.skipped == ()


def test_held_file_deleted_leaves(campaign_dir, make_engine):
    _targets(campaign_dir)
    write_progress(campaign_dir, "base.parquet", [("e1", "r0", naive(2020, 5, 20), 1.0)])
    live = write_progress(campaign_dir, "an07.parquet", _rows(1234.5))
    e = make_engine(campaign_dir)
    _replace_with(live, b"garbage" * 20)
    e.refresh()
    assert e.snapshot(T).target("e1").value == 1235.5  # sum over reporters: r0 + r1
    live.unlink()
    e.refresh()
    snap = e.snapshot(T)
    assert snap.target("e1").value == 1.0
    assert snap.files.held == () and snap.files.skipped == ()


def test_json_and_markdown_name_the_held_file(campaign_dir, make_engine):
    _targets(campaign_dir)
    live = write_progress(campaign_dir, "an07.parquet", _rows(1234.5))
    e = make_engine(campaign_dir)
    _replace_with(live, b"garbage" * 20)
    e.refresh()
    snap = e.snapshot(T)
    data = json.loads(snapshot_export.to_json(snap))
    [held] = data["files"]["held"]
    assert held["file"] == "progress/an07.parquet" and "parquet" in held["reason"].lower()
    assert held["since"].endswith("+07:00")
    md = snapshot_export.to_markdown(snap, "vi")
    assert "`progress/an07.parquet`" in md.split("Tệp đang giữ số liệu tốt gần nhất")[1]


# -- an unreadable folder -------------------------------------------------------------------

_CHILD = r"""
import json, os, sys
from datetime import datetime
from zoneinfo import ZoneInfo
from dashboard.engine.engine import Engine
folder, sub = sys.argv[1], sys.argv[2]
T = datetime(2020, 7, 1, 12, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
e = Engine(folder, grace_seconds=0)
e.refresh()
out = {"before": e.snapshot(T).target("e1").value}
os.chmod(sub, 0)
try:
    e.refresh()
    s = e.snapshot(T)
    out["during"] = s.target("e1").value
    out["held"] = [h.file for h in s.files.held]
    out["skipped"] = [k.file for k in s.files.skipped]
finally:
    os.chmod(sub, 0o755)
e.refresh()
s = e.snapshot(T)
out["after"] = s.target("e1").value
out["held_after"] = [h.file for h in s.files.held]
print(json.dumps(out))
"""


def test_unreadable_folder_keeps_its_files_last_good_rows(campaign_dir):
    """chmod 000 on progress/unit. Root reads through that, so as root the child runs without
    the capabilities that let it (setpriv, util-linux). The unit's rows stay, held, and come
    back to normal once the folder can be read again."""
    _targets(campaign_dir)
    write_progress(campaign_dir, "unit/a.parquet", _rows(1234.5))
    write_progress(campaign_dir, "other.parquet", [("e1", "r2", naive(2020, 6, 3), 1.0)])
    drop_caps = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    prefix = drop_caps if os.geteuid() == 0 else []
    done = subprocess.run([*prefix, sys.executable, "-c", _CHILD, str(campaign_dir),
                           str(campaign_dir / "progress" / "unit")], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["before"] == 1235.5
    assert out["during"] == 1235.5
    assert out["held"] == ["progress/unit/a.parquet"]
    assert "progress/unit/" in out["skipped"]
    assert out["after"] == 1235.5 and out["held_after"] == []
