"""Bad files never stop the engine: good files still count, the bad one is named with its
reason, nothing raises and the data folder is byte-identical afterwards."""

from __future__ import annotations

import math
import os
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import (
    CAMPAIGN_TOML,
    at,
    dropped,
    naive,
    progress_table,
    skipped_reasons,
    target,
    tree_bytes,
    tree_listing,
    write_progress,
    write_table,
    write_targets,
)

from dashboard.cli import main
from dashboard.engine.engine import Engine
from dashboard.engine.errors import CampaignError

T = at(2020, 7, 1)


def _good(folder):
    """Two targets and one good file: e1 (sum) = 10 from r1, e2 (latest) = 20."""
    write_targets(folder, [target("e1", aggregate="sum"), target("e2")])
    write_progress(folder, "good.parquet", [
        ("e1", "r1", naive(2020, 6, 1, 10), 10.0),
        ("e2", "r1", naive(2020, 6, 1, 10), 20.0),
    ])


def _run(folder, make_engine, **kw):
    """Engine over folder; asserts the good data counts and the folder is untouched."""
    before = tree_bytes(folder)
    e = make_engine(folder, **kw)
    snap = e.snapshot(T)
    assert snap.target("e1").value == 10.0
    assert snap.target("e2").value == 20.0
    assert tree_bytes(folder) == before
    return e, snap


def _assert_skipped(snap, rel, *words):
    reasons = skipped_reasons(snap)
    assert rel in reasons, f"{rel} not in skipped: {snap.files}"
    assert reasons[rel].strip()
    for w in words:
        assert w in reasons[rel].lower(), reasons[rel]
    assert rel not in snap.files.pending


# -- files that are not usable Parquet ------------------------------------------------------


def test_garbage_file(campaign_dir, make_engine):
    _good(campaign_dir)
    (campaign_dir / "progress" / "garbage.parquet").write_bytes(b"this is not parquet\n" * 50)
    _, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/garbage.parquet", "parquet")


def test_truncated_parquet(campaign_dir, make_engine):
    _good(campaign_dir)
    real = write_progress(campaign_dir, "full.parquet", [
        ("e1", "r9", naive(2020, 6, 1, 10), float(i)) for i in range(500)])
    data = real.read_bytes()
    real.unlink()
    (campaign_dir / "progress" / "half.parquet").write_bytes(data[: len(data) // 2])
    _, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/half.parquet")


def test_empty_file(campaign_dir, make_engine):
    _good(campaign_dir)
    (campaign_dir / "progress" / "empty.parquet").write_bytes(b"")
    _, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/empty.parquet")


def test_reported_at_as_string(campaign_dir, make_engine):
    _good(campaign_dir)
    write_table(campaign_dir, "strtime.parquet", pa.table({
        "target_id": ["e1"], "reporter": ["r2"], "reported_at": ["2020-06-01T10:00"],
        "value": [5.0]}))
    _, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/strtime.parquet", "reported_at")


def test_value_as_bool(campaign_dir, make_engine):
    _good(campaign_dir)
    write_table(campaign_dir, "boolval.parquet", pa.table({
        "target_id": ["e1"], "reporter": ["r2"],
        "reported_at": pa.array([naive(2020, 6, 1, 10)], pa.timestamp("us")),
        "value": [True]}))
    _, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/boolval.parquet", "value")


def test_missing_value_column(campaign_dir, make_engine):
    _good(campaign_dir)
    write_table(campaign_dir, "novalue.parquet", pa.table({
        "target_id": ["e1"], "reporter": ["r2"],
        "reported_at": pa.array([naive(2020, 6, 1, 10)], pa.timestamp("us"))}))
    _, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/novalue.parquet", "value")


def _corrupt_data_page(path):
    """Flip bytes in the middle of the column data; leave the footer alone."""
    meta = pq.read_metadata(path)
    footer_len = int.from_bytes(path.read_bytes()[-8:-4], "little")
    data = bytearray(path.read_bytes())
    data_end = len(data) - 8 - footer_len
    assert meta.num_rows > 0 and data_end > 1000
    mid = data_end // 3
    for i in range(mid, mid + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_corrupt_data_page(campaign_dir, make_engine):
    _good(campaign_dir)
    p = write_progress(campaign_dir, "corrupt.parquet", [
        ("e1", f"r{i % 7}", naive(2020, 6, 2, 10, i % 60), float(i)) for i in range(2000)],
        compression="none", use_dictionary=False)
    _corrupt_data_page(p)
    # The footer still reads, the data does not.
    assert pq.read_schema(p).names == ["target_id", "reporter", "reported_at", "value"]
    with pytest.raises((pa.ArrowException, OSError)):
        pq.read_table(p)
    _, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/corrupt.parquet")
    assert not any(d.file == "progress/corrupt.parquet" for d in snap.rows_dropped)


# -- names the engine must not read ---------------------------------------------------------


@pytest.mark.parametrize("name", [
    ".x.parquet", "._x.parquet", "~x.parquet", "_x.parquet", "x.parquet.tmp", "x.tmp.parquet",
])
def test_hidden_and_temp_names_are_ignored(campaign_dir, make_engine, name):
    _good(campaign_dir)
    table = progress_table([("e1", "r2", naive(2020, 6, 1, 10), 1000.0),
                            ("e2", "r2", naive(2020, 6, 30, 10), 1000.0)])
    pq.write_table(table, campaign_dir / "progress" / name)
    _, snap = _run(campaign_dir, make_engine)  # values unchanged: the file did not count
    assert snap.files.skipped == ()
    assert snap.files.pending == ()
    assert snap.rows_dropped == ()
    assert snap.target("e1").reporters == ("r1",)


def test_hidden_and_temp_garbage_is_ignored_silently(campaign_dir, make_engine):
    _good(campaign_dir)
    for name in (".x.parquet", "._x.parquet", "~x.parquet", "_x.parquet", "x.parquet.tmp",
                 "x.tmp.parquet"):
        (campaign_dir / "progress" / name).write_bytes(b"garbage")
    _, snap = _run(campaign_dir, make_engine)
    assert snap.files.skipped == ()
    assert snap.files.pending == ()


def test_glob_characters_in_names(campaign_dir, make_engine):
    _good(campaign_dir)
    # One unknown-target row in each file: each file's drop count must be exactly 1.
    write_progress(campaign_dir, "a[1].parquet", [("e1", "r2", naive(2020, 6, 1, 10), 5.0),
                                                  ("zz", "r2", naive(2020, 6, 1, 10), 1.0)])
    write_progress(campaign_dir, "a1.parquet", [("e1", "r3", naive(2020, 6, 1, 10), 7.0),
                                                ("zz", "r3", naive(2020, 6, 1, 10), 1.0)])
    before = tree_bytes(campaign_dir)
    e = make_engine(campaign_dir)
    snap = e.snapshot(T)
    # sum over reporters: r1 10 + r2 5 (a[1]) + r3 7 (a1) = 22
    assert snap.target("e1").value == 22.0
    assert snap.target("e1").reporters == ("r1", "r2", "r3")
    assert snap.files.skipped == ()
    assert dropped(snap) == {("progress/a1.parquet", "unknown_target_id"): 1,
                             ("progress/a[1].parquet", "unknown_target_id"): 1}
    # Removing one of them removes only its rows.
    (campaign_dir / "progress" / "a1.parquet").unlink()
    e.refresh()
    snap = e.snapshot(T)
    assert snap.target("e1").value == 15.0  # 10 + 5
    assert dropped(snap) == {("progress/a[1].parquet", "unknown_target_id"): 1}
    del before["progress/a1.parquet"]
    assert tree_bytes(campaign_dir) == before


def test_subfolders_are_read_recursively(campaign_dir, make_engine):
    _good(campaign_dir)
    write_progress(campaign_dir, "2020-W20/x.parquet", [("e1", "r2", naive(2020, 5, 12), 4.0)])
    write_progress(campaign_dir, "2020/W21/y.parquet", [("e1", "r3", naive(2020, 5, 19), 6.0)])
    e = make_engine(campaign_dir)
    snap = e.snapshot(T)
    # 10 + 4 + 6 = 20
    assert snap.target("e1").value == 20.0
    assert snap.target("e1").reporters == ("r1", "r2", "r3")
    assert snap.files.skipped == ()


# -- bad rows -------------------------------------------------------------------------------


def test_non_finite_values_are_dropped_and_do_not_poison_a_sum(campaign_dir, make_engine):
    write_targets(campaign_dir, [target("e1", aggregate="sum"), target("e2")])
    write_progress(campaign_dir, "good.parquet", [
        ("e1", "r1", naive(2020, 6, 1, 10), 10.0),
        ("e2", "r1", naive(2020, 6, 1, 10), 20.0),
    ])
    write_progress(campaign_dir, "nan.parquet", [
        ("e1", "r2", naive(2020, 6, 1, 10), 5.0),
        ("e1", "r2", naive(2020, 6, 1, 11), math.nan),   # newer than 5, but dropped
        ("e1", "r3", naive(2020, 6, 1, 10), math.inf),
        ("e1", "r4", naive(2020, 6, 1, 10), -math.inf),
        ("e2", "r2", naive(2020, 6, 2, 10), math.nan),   # would be e2's newest
    ])
    before = tree_bytes(campaign_dir)
    snap = make_engine(campaign_dir).snapshot(T)
    e1 = snap.target("e1")
    # r1 10 + r2 5 (its NaN does not count) = 15; r3 and r4 only sent ±inf → not reporters.
    assert e1.value == 15.0
    assert e1.reporters == ("r1", "r2")
    assert e1.last_report_at == at(2020, 6, 1, 10)
    assert snap.target("e2").value == 20.0
    assert dropped(snap) == {("progress/nan.parquet", "non_finite_value"): 4}
    assert snap.files.skipped == ()
    assert tree_bytes(campaign_dir) == before


def test_null_rows_are_dropped_with_counts(campaign_dir, make_engine):
    _good(campaign_dir)
    when = naive(2020, 6, 1, 10)
    write_progress(campaign_dir, "nulls.parquet", [
        (None, "r2", when, 1.0),
        ("e1", None, when, 1.0),
        ("e1", "r2", None, 1.0),
        ("e1", "r2", when, None),
        ("e1", "r3", when, None),
        ("e2", "r2", naive(2020, 6, 5), None),  # would be e2's newest
    ])
    _, snap = _run(campaign_dir, make_engine)
    assert dropped(snap) == {
        ("progress/nulls.parquet", "null_target_id"): 1,
        ("progress/nulls.parquet", "null_reporter"): 1,
        ("progress/nulls.parquet", "null_reported_at"): 1,
        ("progress/nulls.parquet", "null_value"): 3,
    }
    for d in snap.rows_dropped:
        assert d.reason
    assert snap.files.skipped == ()


def test_unknown_target_rows_are_dropped(campaign_dir, make_engine):
    _good(campaign_dir)
    write_progress(campaign_dir, "unknown.parquet", [
        ("nope", "r2", naive(2020, 6, 1, 10), 1.0),
        ("nope", "r2", naive(2020, 6, 2, 10), 2.0),
        ("also_nope", "r3", naive(2020, 6, 2, 10), 3.0),
    ])
    _, snap = _run(campaign_dir, make_engine)
    assert dropped(snap) == {("progress/unknown.parquet", "unknown_target_id"): 3}
    assert [d.reason for d in snap.rows_dropped] == ["unknown target_id"]
    assert snap.target("nope") is None


def test_unreadable_file(campaign_dir, make_engine):
    _good(campaign_dir)
    p = write_progress(campaign_dir, "secret.parquet", [("e1", "r2", naive(2020, 6, 1), 1.0)])
    os.chmod(p, 0)
    try:
        try:
            with open(p, "rb"):
                readable = True
        except PermissionError:
            readable = False
        if readable:
            pytest.skip("running as root: chmod 000 does not stop reading")
        e = make_engine(campaign_dir)
        snap = e.snapshot(T)
        assert snap.target("e1").value == 10.0
        _assert_skipped(snap, "progress/secret.parquet", "permission")
    finally:
        os.chmod(p, 0o644)


# -- files still being written --------------------------------------------------------------


def test_young_bad_file_is_pending_then_skipped(campaign_dir, make_engine):
    _good(campaign_dir)
    p = campaign_dir / "progress" / "late.parquet"
    p.write_bytes(b"PAR1 half written")
    mtime = p.stat().st_mtime
    clock = [mtime + 1.0]
    before = tree_bytes(campaign_dir)
    e = make_engine(campaign_dir, grace_seconds=30.0, wall=lambda: clock[0])
    snap = e.snapshot(T)
    assert snap.files.pending == ("progress/late.parquet",)
    assert "progress/late.parquet" not in skipped_reasons(snap)
    assert snap.target("e1").value == 10.0
    clock[0] = mtime + 29.0
    e.refresh()
    assert e.snapshot(T).files.pending == ("progress/late.parquet",)
    clock[0] = mtime + 31.0
    e.refresh()
    snap = e.snapshot(T)
    assert snap.files.pending == ()
    _assert_skipped(snap, "progress/late.parquet")
    assert snap.target("e1").value == 10.0
    assert tree_bytes(campaign_dir) == before


def test_young_corrupt_page_is_pending(campaign_dir, make_engine):
    _good(campaign_dir)
    p = write_progress(campaign_dir, "corrupt.parquet", [
        ("e1", f"r{i % 7}", naive(2020, 6, 2, 10, i % 60), float(i)) for i in range(2000)],
        compression="none", use_dictionary=False)
    _corrupt_data_page(p)
    mtime = p.stat().st_mtime
    clock = [mtime + 1.0]
    e = make_engine(campaign_dir, grace_seconds=30.0, wall=lambda: clock[0])
    assert e.snapshot(T).files.pending == ("progress/corrupt.parquet",)
    clock[0] = mtime + 60.0
    e.refresh()
    snap = e.snapshot(T)
    assert snap.files.pending == ()
    _assert_skipped(snap, "progress/corrupt.parquet")
    assert snap.target("e1").value == 10.0


def test_pending_file_rewritten_complete_is_used(campaign_dir, make_engine):
    _good(campaign_dir)
    p = campaign_dir / "progress" / "late.parquet"
    p.write_bytes(b"PAR1 half written")
    mtime = p.stat().st_mtime
    clock = [mtime + 1.0]
    e = make_engine(campaign_dir, grace_seconds=30.0, wall=lambda: clock[0])
    assert e.snapshot(T).files.pending == ("progress/late.parquet",)
    write_progress(campaign_dir, "late.parquet", [("e1", "r2", naive(2020, 6, 1, 10), 5.0)])
    clock[0] += 1.0
    e.refresh()
    snap = e.snapshot(T)
    assert snap.files.pending == ()
    assert snap.files.skipped == ()
    assert snap.target("e1").value == 15.0  # 10 + 5


# -- targets and campaign.toml --------------------------------------------------------------


def _cli_fails(capsys, folder, lang="vi"):
    code = main(["snapshot", "--data", str(folder), "--now", "2020-07-01T12:00",
                 "--format", "json", "--lang", lang])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_duplicate_target_id(campaign_dir, capsys):
    write_targets(campaign_dir, [target("e1"), target("e2"), target("e1", area="admin_reform")])
    before = tree_bytes(campaign_dir)
    e = Engine(campaign_dir)
    try:
        with pytest.raises(CampaignError) as info:
            e.refresh()
    finally:
        e.close()
    assert "targets.parquet" in str(info.value)
    assert "e1" in str(info.value)
    err = _cli_fails(capsys, campaign_dir)
    assert "targets.parquet" in err and "e1" in err
    assert tree_bytes(campaign_dir) == before


def test_unknown_area(campaign_dir, capsys):
    write_targets(campaign_dir, [target("e1"), target("x9", area="outer_space")])
    e = Engine(campaign_dir)
    try:
        with pytest.raises(CampaignError) as info:
            e.refresh()
    finally:
        e.close()
    assert "targets.parquet" in str(info.value)
    assert "outer_space" in str(info.value)
    err = _cli_fails(capsys, campaign_dir)
    assert "targets.parquet" in err and "outer_space" in err


def test_invalid_toml(campaign_dir, capsys):
    _good(campaign_dir)
    toml = campaign_dir / "campaign.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    no = lines.index("start = 2020-05-06")
    lines[no] = "start = = 2020-05-06"
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = tree_bytes(campaign_dir)
    err = _cli_fails(capsys, campaign_dir)
    assert "campaign.toml" in err
    assert f"line {no + 1}" in err
    assert tree_bytes(campaign_dir) == before


def test_campaign_toml_missing_start(campaign_dir, capsys):
    _good(campaign_dir)
    toml = campaign_dir / "campaign.toml"
    text = toml.read_text(encoding="utf-8").replace("start = 2020-05-06\n", "")
    assert "start =" not in text
    toml.write_text(text, encoding="utf-8")
    err = _cli_fails(capsys, campaign_dir)
    assert "campaign.toml" in err
    assert "'start'" in err
    with pytest.raises(CampaignError, match="start"):
        Engine(campaign_dir)


def test_missing_folder(tmp_path, capsys):
    err = _cli_fails(capsys, tmp_path / "nowhere")
    assert "nowhere" in err
    with pytest.raises(CampaignError):
        Engine(tmp_path / "nowhere")


def test_all_bad_kinds_together(campaign_dir, make_engine):
    """Every bad kind in one refresh (one batch): the good file still counts."""
    _good(campaign_dir)
    prog = campaign_dir / "progress"
    (prog / "garbage.parquet").write_bytes(b"nope" * 100)
    (prog / "empty.parquet").write_bytes(b"")
    real = write_progress(campaign_dir, "tmp_full.parquet", [
        ("e1", "r9", naive(2020, 6, 1, 10), float(i)) for i in range(500)])
    (prog / "half.parquet").write_bytes(real.read_bytes()[: real.stat().st_size // 2])
    real.unlink()
    c = write_progress(campaign_dir, "corrupt.parquet", [
        ("e1", f"r{i % 7}", naive(2020, 6, 2, 10, i % 60), float(i)) for i in range(2000)],
        compression="none", use_dictionary=False)
    _corrupt_data_page(c)
    write_table(campaign_dir, "strtime.parquet", pa.table({
        "target_id": ["e1"], "reporter": ["r2"], "reported_at": ["2020-06-01"], "value": [5.0]}))
    write_progress(campaign_dir, "nulls.parquet", [("e1", None, naive(2020, 6, 1), 1.0)])
    names = tree_listing(campaign_dir)
    _, snap = _run(campaign_dir, make_engine)
    assert set(skipped_reasons(snap)) == {
        "progress/garbage.parquet", "progress/empty.parquet", "progress/half.parquet",
        "progress/corrupt.parquet", "progress/strtime.parquet"}
    assert "reported_at" in skipped_reasons(snap)["progress/strtime.parquet"]
    assert dropped(snap) == {("progress/nulls.parquet", "null_reporter"): 1}
    assert tree_listing(campaign_dir) == names


# -- hostile campaign.toml values -----------------------------------------------------------

_DEEP = "[" * 5000 + "]" * 5000
BAD_CAMPAIGN_VALUES = [
    # (what replaces a line or is added, words the one-line error must hold)
    ("reporting_interval_days = 99999999999999999",
     ["line 10", "'reporting_interval_days'", "99999999999999999", "1 to 366"]),
    ("reporting_interval_days = 0", ["'reporting_interval_days'", "1 to 366"]),
    ("start = 0001-01-01", ["line 7", "'start'", "0001-01-01", "1900-01-01 to 2999-12-31"]),
    ("end = 9999-12-31", ["line 8", "'end'", "9999-12-31", "1900-01-01 to 2999-12-31"]),
    ("end = 2999-12-31", ["'end'", "at most 3,660 days"]),
    ("holidays = [2020-09-02, 9999-12-31]", ["'holidays'", "9999-12-31", "out of range"]),
    (f"holidays = {_DEEP}", ["nested too deeply"]),
    (f'title_vi = "{"x" * 10_000}"', ["'title_vi'", "10,000 characters", "at most 500"]),
    ('title_en = ["a", "b"]', ["'title_en'", "string"]),
    ("schema_version = true", ["'schema_version'"]),
]


def _set_line(folder, line):
    """campaign.toml with the line for the same key replaced (or added at the top)."""
    toml = folder / "campaign.toml"
    key = line.split("=", 1)[0].strip()
    lines = toml.read_text(encoding="utf-8").splitlines()
    at_key = [i for i, x in enumerate(lines) if x.split("=", 1)[0].strip() == key]
    if at_key:
        lines[at_key[0]] = line
    else:
        lines.insert(0, line)
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("line, words", BAD_CAMPAIGN_VALUES,
                         ids=[line[:30] for line, _ in BAD_CAMPAIGN_VALUES])
def test_hostile_campaign_value_is_one_named_line(campaign_dir, capsys, line, words):
    _good(campaign_dir)
    _set_line(campaign_dir, line)
    before = tree_bytes(campaign_dir)
    err = _cli_fails(capsys, campaign_dir, "en")
    assert main(["check", "--data", str(campaign_dir), "--lang", "en"]) == 2
    check_err = capsys.readouterr().err
    assert check_err == err
    assert "campaign.toml" in err
    for w in words:
        assert w in err, err
    assert len(err) < 400, err
    assert tree_bytes(campaign_dir) == before


BAD_CAMPAIGN_VALUES_VI = [
    ("reporting_interval_days = 99999999999999999",
     ["dòng 10", "khóa 'reporting_interval_days'", "99999999999999999", "từ 1 đến 366"]),
    ("end = 2999-12-31", ["khóa 'end'", "tối đa 3.660 ngày", "06/5/2020"]),
    (f'title_vi = "{"x" * 10_000}"', ["khóa 'title_vi'", "10.000 ký tự", "tối đa 500"]),
    ("end = 2020-01-01", ["dòng 8", "2020-01-01 trước ngày bắt đầu 06/5/2020"]),
]


@pytest.mark.parametrize("line, words", BAD_CAMPAIGN_VALUES_VI,
                         ids=[line[:30] for line, _ in BAD_CAMPAIGN_VALUES_VI])
def test_hostile_campaign_value_is_named_in_vietnamese(campaign_dir, capsys, line, words):
    """The same one line in the viewer's language: dòng, khóa, 3.660, 06/5/2020."""
    _good(campaign_dir)
    _set_line(campaign_dir, line)
    err = _cli_fails(capsys, campaign_dir)
    for w in words:
        assert w in err, err
    assert not re.search(r"\b(line|key|days|characters|before)\b", err), err


@pytest.mark.parametrize("line, words", BAD_CAMPAIGN_VALUES[:3] + BAD_CAMPAIGN_VALUES[6:7])
def test_hostile_campaign_value_in_a_running_app_keeps_the_last_good_state(
        campaign_dir, make_engine, line, words):
    _good(campaign_dir)
    e, _ = _run(campaign_dir, make_engine)
    _set_line(campaign_dir, line)
    e.refresh()
    snap = e.snapshot(T)
    assert snap.target("e1").value == 10.0 and snap.target("e2").value == 20.0
    assert snap.stale_since is not None
    assert snap.error is not None and words[-1] in snap.error
    (campaign_dir / "campaign.toml").write_bytes(CAMPAIGN_TOML.read_bytes())
    e.refresh()
    assert e.snapshot(T).error is None


def test_campaign_toml_with_a_bom_is_read(campaign_dir, make_engine):
    _good(campaign_dir)
    toml = campaign_dir / "campaign.toml"
    toml.write_bytes(b"\xef\xbb\xbf" + toml.read_bytes())
    _, snap = _run(campaign_dir, make_engine)
    assert snap.campaign.title_vi.startswith("Đợt thi đua")
    assert main(["check", "--data", str(campaign_dir)]) == 0


# -- links and names that lead the walk astray ----------------------------------------------


def test_directory_symlinks_are_followed_only_inside_and_once(campaign_dir, make_engine, capsys):
    _good(campaign_dir)
    prog = campaign_dir / "progress"
    write_progress(campaign_dir, "w20/x.parquet", [("e1", "r2", naive(2020, 5, 12), 5.0)])
    outside = campaign_dir.parent / "outside"
    outside.mkdir()
    pq.write_table(progress_table([("e1", "r9", naive(2020, 6, 1), 1000.0)]),
                   outside / "big.parquet")
    for name, points_to in [("self1", "."), ("self2", "."), ("up", ".."), ("out", str(outside)),
                            ("latest", "w20"), ("ring_a", "ring_b"), ("ring_b", "ring_a")]:
        (prog / name).symlink_to(points_to)
    before = tree_bytes(campaign_dir)
    snap = make_engine(campaign_dir).snapshot(T)
    # r1 10 + r2 5, once: not again through `latest` nor through self1/self2/up
    assert snap.target("e1").value == 15.0
    assert snap.target("e1").reporters == ("r1", "r2")
    reasons = skipped_reasons(snap)
    for link in ("self1", "self2", "up"):
        assert "symlink loop" in reasons[f"progress/{link}/"]
    assert "outside the data folder" in reasons["progress/out/"]
    assert "already read (progress/w20/)" in reasons["progress/latest/"]
    assert main(["check", "--data", str(campaign_dir)]) == 1
    out = capsys.readouterr().out
    assert "progress/self1/: symlink loop" in out and "progress/out/" in out
    assert tree_bytes(campaign_dir) == before


def test_a_name_that_is_not_utf8_is_shown_escaped_and_the_rest_counts(
        campaign_dir, make_engine, capsys):
    _good(campaign_dir)
    data = (campaign_dir / "progress" / "good.parquet").read_bytes()  # good data, bad names
    prog = os.fsencode(campaign_dir / "progress")
    with open(prog + b"/\xff.parquet", "wb") as f:
        f.write(data)
    os.mkdir(prog + b"/\xfe-dir")
    with open(prog + b"/\xfe-dir/y.parquet", "wb") as f:
        f.write(data)
    _, snap = _run(campaign_dir, make_engine)
    reasons = skipped_reasons(snap)
    assert "UTF-8" in reasons["progress/\\xff.parquet"]
    assert "UTF-8" in reasons["progress/\\xfe-dir"]
    assert main(["check", "--data", str(campaign_dir)]) == 1
    out = capsys.readouterr().out
    assert "progress/\\xff.parquet: " in out
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in out)  # no raw byte reaches a terminal


def test_a_broken_link_is_named(campaign_dir, make_engine):
    _good(campaign_dir)
    (campaign_dir / "progress" / "x.parquet").symlink_to("nowhere.parquet")
    (campaign_dir / "progress" / "loop.parquet").symlink_to("loop.parquet")
    _, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/x.parquet", "broken link")
    _assert_skipped(snap, "progress/loop.parquet", "symlink loop")


def test_a_flipped_bit_in_a_checksummed_page_skips_the_file(campaign_dir, make_engine):
    _good(campaign_dir)
    p = write_progress(campaign_dir, "flipped.parquet", [
        ("e1", "r2", naive(2020, 6, 2, 10, i % 60), 95.2) for i in range(100)],
        compression="none", use_dictionary=False, write_page_checksum=True)
    meta = pq.read_metadata(p).row_group(0).column(3)
    assert meta.path_in_schema == "value"
    data = bytearray(p.read_bytes())
    data[meta.data_page_offset + meta.total_compressed_size - 1] ^= 0x08  # last value's exponent
    p.write_bytes(bytes(data))
    assert pq.read_table(p).column("value").to_pylist()[-1] not in (95.2, None)  # it did change
    _, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/flipped.parquet", "page checksum mismatch in column 'value'")


def test_a_flipped_bit_in_the_targets_is_a_named_campaign_error(campaign_dir, capsys):
    _good(campaign_dir)
    p = campaign_dir / "targets.parquet"
    table = pq.read_table(p)
    pq.write_table(table, p, compression="none", use_dictionary=False, write_page_checksum=True)
    meta = pq.read_metadata(p).row_group(0).column(table.schema.get_field_index("target_value"))
    data = bytearray(p.read_bytes())
    data[meta.data_page_offset + meta.total_compressed_size - 1] ^= 0x08
    p.write_bytes(bytes(data))
    assert pq.read_table(p).column("target_value").to_pylist()[-1] != 100.0  # it did change
    err = _cli_fails(capsys, campaign_dir)
    assert "targets.parquet: page checksum mismatch in column 'target_value'" in err


def test_text_stored_other_ways_counts_alike(campaign_dir, make_engine):
    """Writers keep text their own ways: a pandas category is an Arrow dictionary, some tools
    write large strings, and each file carries its own metadata. Read in one folder beside a
    plain file, every one counts, and the notes of the dictionary file show."""
    _good(campaign_dir)
    rows = [("e1", "r2", naive(2020, 6, 2, 9), 5.0, "đã xong"),
            ("e1", "r2", naive(2020, 6, 3, 9), 7.0, "đã xong")]
    plain = progress_table(rows, note=True)
    as_dictionary = pa.table({name: (col.dictionary_encode() if col.type == pa.string() else col)
                              for name, col in zip(plain.column_names, plain.columns,
                                                   strict=True)})
    write_table(campaign_dir, "category.parquet", as_dictionary.replace_schema_metadata(
        {"writer": "pandas"}))
    large = pa.table({name: (col.cast(pa.large_string()) if col.type == pa.string() else col)
                      for name, col in zip(plain.column_names, plain.columns, strict=True)})
    write_table(campaign_dir, "large.parquet", large.replace_schema_metadata({"writer": "x"})
                .set_column(0, "target_id", pa.array(["e3", "e3"], pa.large_string())))
    write_targets(campaign_dir, [target("e1", aggregate="sum"), target("e2"), target("e3")])
    e = make_engine(campaign_dir)
    snap = e.snapshot(T)
    assert snap.files.skipped == ()
    assert snap.files.used == 4  # targets and three progress files
    assert snap.target("e1").value == 17.0  # r1's 10 and r2's last day, 7
    assert snap.target("e3").value == 7.0
    history = e.history("e1", T)
    assert any(p.note == "đã xong" for p in history.points), history


def test_text_that_is_not_utf8_skips_the_file_and_the_rest_keeps_working(campaign_dir,
                                                                         make_engine):
    """A file from a tool that writes no page checksums, with a flipped byte inside a
    reporter's name: the file is named with its reason, the good one counts, and the engine
    goes on answering (DuckDB would give up its whole database on such text)."""
    _good(campaign_dir)
    p = write_progress(campaign_dir, "broken-text.parquet", [
        ("e1", "QQQQ", naive(2020, 6, 2, 10), 5.0)],
        compression="none", use_dictionary=False, write_page_checksum=False,
        write_statistics=False)
    data = p.read_bytes()
    assert data.count(b"QQQQ") == 1
    p.write_bytes(data.replace(b"QQQQ", b"\xff\xfeQQ"))
    e, snap = _run(campaign_dir, make_engine)
    _assert_skipped(snap, "progress/broken-text.parquet", "utf-8")
    write_progress(campaign_dir, "later.parquet", [("e2", "r1", naive(2020, 6, 5, 10), 30.0)])
    e.refresh()
    assert e.snapshot(T).target("e2").value == 30.0


def test_small_and_large_files_count_alike_refresh_after_refresh(campaign_dir, make_engine):
    """Small files reach DuckDB as the rows already read, files over 32 KB are read by DuckDB
    itself: a folder with both, refreshed as files come and change, counts every report."""
    _good(campaign_dir)
    big = [("e1", f"b{i}", naive(2020, 6, 2, 10, i % 60), 1.0) for i in range(3000)]
    write_progress(campaign_dir, "big.parquet", big, compression="none", use_dictionary=False)
    assert (campaign_dir / "progress" / "big.parquet").stat().st_size > 32 << 10
    write_progress(campaign_dir, "small.parquet", [("e1", "s1", naive(2020, 6, 3, 9), 4.0)])
    e, snap = _run_counting(campaign_dir, make_engine, 10.0 + 3000 + 4)
    write_progress(campaign_dir, "big2.parquet", [(t, r.replace("b", "q"), at_, v)
                                                  for t, r, at_, v in big],
                   compression="none", use_dictionary=False)
    write_progress(campaign_dir, "small2.parquet", [("e1", "s2", naive(2020, 6, 4, 9), 6.0)])
    e.refresh()
    assert e.snapshot(T).target("e1").value == 10.0 + 6000 + 4 + 6
    write_progress(campaign_dir, "small.parquet", [("e1", "s1", naive(2020, 6, 3, 9), 5.0)])
    (campaign_dir / "progress" / "big2.parquet").unlink()
    e.refresh()
    snap = e.snapshot(T)
    assert snap.target("e1").value == 10.0 + 3000 + 5 + 6
    assert snap.files.skipped == ()


def _run_counting(folder, make_engine, e1):
    e = make_engine(folder)
    snap = e.snapshot(T)
    assert snap.target("e1").value == e1
    return e, snap


def test_files_each_with_a_schema_of_its_own_all_count(campaign_dir, make_engine):
    """A tool that adds a column of its own to each report: every file has another schema,
    and every one counts (the engine gathers a few schemas at a time, not all of them)."""
    _good(campaign_dir)
    for i in range(40):
        table = progress_table([("e1", f"u{i}", naive(2020, 6, 2, 9), 1.0)])
        write_table(campaign_dir, f"own-{i}.parquet",
                    table.append_column(f"extra_{i}", pa.array([i], pa.int64())))
    _, snap = _run_counting(campaign_dir, make_engine, 10.0 + 40)
    assert snap.files.skipped == () and snap.files.used == 1 + 1 + 40
