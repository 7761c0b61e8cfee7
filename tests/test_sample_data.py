"""The bundled sample campaign: reproducible, consistent, and equal to the committed data/."""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard.sample_data import CAMPAIGN_TOML, generate

DATA = Path(__file__).parents[1] / "data"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WARDS_AND_COMMUNES = {
    "UBND phường Chi Lăng",
    "UBND phường Đông Kinh",
    "UBND phường Hoàng Văn Thụ",
    "UBND phường Tam Thanh",
    "UBND phường Vĩnh Trại",
    "UBND xã Hoàng Đồng",
    "UBND xã Mai Pha",
    "UBND xã Quảng Lạc",
}
TARGET_COLUMNS = {
    "target_id": pa.string(),
    "area": pa.string(),
    "title_vi": pa.string(),
    "title_en": pa.string(),
    "unit_of_measure": pa.string(),
    "target_value": pa.float64(),
    "direction": pa.string(),
    "aggregate": pa.string(),
    "owner": pa.string(),
    "short_title_vi": pa.string(),
    "short_title_en": pa.string(),
    "unit_of_measure_en": pa.string(),
}


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def generator_files(root: Path) -> dict[str, bytes]:
    """Only the files the generator owns (data/ may hold other files later)."""
    return {rel: b for rel, b in files_of(root).items()
            if rel in ("campaign.toml", "targets.parquet") or rel.startswith("progress/")}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "campaign"
    generate(out, seed=2020)
    return out


@pytest.fixture(scope="module")
def targets(sample: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(sample / "targets.parquet").to_pylist()
    return rows


@pytest.fixture(scope="module")
def progress(sample: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted((sample / "progress").rglob("*.parquet")):
        for row in pq.read_table(path).to_pylist():
            row["path"] = path.relative_to(sample).as_posix()
            rows.append(row)
    return rows


def local(ts: datetime) -> datetime:
    return ts if ts.tzinfo is None else ts.astimezone(TZ).replace(tzinfo=None)


def strings(rows: list[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield from (v for v in row.values() if isinstance(v, str))


# --- reproducibility -----------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(sample: Path, tmp_path: Path) -> None:
    written = generate(tmp_path / "again", seed=2020)
    again = files_of(tmp_path / "again")
    first = files_of(sample)
    assert list(again) == list(first)
    assert again == first
    assert sorted(p.relative_to(tmp_path / "again").as_posix() for p in written) == list(again)


def test_other_seed_changes_progress_only(sample: Path, tmp_path: Path) -> None:
    generate(tmp_path / "other", seed=7)
    other, first = files_of(tmp_path / "other"), files_of(sample)
    assert list(other) == list(first)
    assert other["campaign.toml"] == first["campaign.toml"]
    assert other["targets.parquet"] == first["targets.parquet"]
    progress_keys = [k for k in first if k.startswith("progress/")]
    changed = [k for k in progress_keys if other[k] != first[k]]
    assert len(changed) == len(progress_keys)


def test_committed_data_is_the_seed_2020_sample(sample: Path) -> None:
    """Same files, same rows and types. (Bytes depend on the pyarrow version that wrote them,
    which stamps itself into each file, so the committed copy is compared by content.)"""
    committed = generator_files(DATA)
    fresh = files_of(sample)
    assert committed.keys() == fresh.keys()
    for name in committed:
        if name.endswith(".parquet"):
            assert pq.read_table(DATA / name).equals(pq.read_table(sample / name)), name
        else:
            assert committed[name] == fresh[name], name


def test_campaign_toml_is_the_embedded_text(sample: Path) -> None:
    assert (sample / "campaign.toml").read_text(encoding="utf-8") == CAMPAIGN_TOML
    assert (DATA / "campaign.toml").read_text(encoding="utf-8") == CAMPAIGN_TOML


def test_no_temp_files_left(sample: Path) -> None:
    assert not [p for p in sample.rglob(".*")]


# --- targets -------------------------------------------------------------------------------


def test_targets_schema_and_values(sample: Path, targets: list[dict[str, Any]]) -> None:
    schema = pq.read_schema(sample / "targets.parquet")
    assert {f.name: f.type for f in schema} == TARGET_COLUMNS
    assert schema.metadata is None or b"pandas" not in schema.metadata
    ids = [t["target_id"] for t in targets]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    assert 28 <= len(targets) <= 36
    for t in targets:
        assert t["target_value"] > 0
        assert t["direction"] in ("at_least", "at_most")
        assert t["aggregate"] in ("latest", "sum")
        if t["short_title_vi"] is not None:  # fewer words, for a narrow row
            assert len(t["short_title_vi"]) <= 25 < len(t["title_vi"]) + 2
            assert t["short_title_en"] and len(t["short_title_en"]) <= 25
        if t["unit_of_measure"]:  # every unit has its English name
            assert t["unit_of_measure_en"]


def test_target_areas_come_from_campaign_toml(sample: Path,
                                              targets: list[dict[str, Any]]) -> None:
    campaign = tomllib.loads((sample / "campaign.toml").read_text(encoding="utf-8"))
    areas = [a["id"] for a in campaign["areas"]]
    assert {t["area"] for t in targets} == set(areas)
    for area in areas:
        assert 6 <= sum(t["area"] == area for t in targets) <= 10


def test_every_ward_and_commune_owns_a_target(targets: list[dict[str, Any]]) -> None:
    owners = {t["owner"] for t in targets}
    assert owners >= WARDS_AND_COMMUNES
    assert 15 <= len(owners - {None}) <= 18


def test_document_figures(targets: list[dict[str, Any]]) -> None:
    by_title = {t["title_vi"]: t for t in targets}
    ocop = next(t for title, t in by_title.items() if "OCOP" in title)
    assert (ocop["target_value"], ocop["unit_of_measure"]) == (2, "sản phẩm")
    khu = next(t for title, t in by_title.items() if "khu dân cư kiểu mẫu" in title)
    assert (khu["target_value"], khu["aggregate"]) == (5, "sum")
    debt = next(t for title, t in by_title.items() if "nợ thuế" in title)
    assert (debt["target_value"], debt["direction"]) == (5, "at_most")
    budget = next(t for t in targets if t["unit_of_measure"] == "% dự toán"
                  and t["owner"] == "Phòng Tài chính – Kế hoạch")
    assert budget["target_value"] == 105


# --- progress ------------------------------------------------------------------------------


def test_progress_files_layout(sample: Path) -> None:
    paths = sorted((sample / "progress").rglob("*"))
    files = [p for p in paths if p.is_file()]
    assert 200 <= len(files) <= 300
    assert sum(p.stat().st_size for p in sample.rglob("*") if p.is_file()) < 2_000_000
    for p in files:
        week, name = p.relative_to(sample / "progress").parts
        assert week.startswith("2020-W") and len(week) == 8
        assert name.endswith(".parquet") and name.isascii() and name == name.lower()


def test_progress_schema_variants(sample: Path) -> None:
    kinds: set[tuple[str, str]] = set()
    for path in (sample / "progress").rglob("*.parquet"):
        schema = pq.read_schema(path)
        assert schema.names == ["target_id", "reporter", "reported_at", "value", "note"]
        assert schema.field("target_id").type == pa.string()
        assert schema.field("note").type == pa.string()
        kinds.add((str(schema.field("reported_at").type), str(schema.field("value").type)))
    assert kinds == {
        ("timestamp[us]", "double"),
        ("timestamp[us, tz=UTC]", "double"),
        ("timestamp[us]", "int64"),
    }


def test_progress_refers_to_known_targets(targets: list[dict[str, Any]],
                                          progress: list[dict[str, Any]]) -> None:
    known = {t["target_id"] for t in targets}
    reported = {r["target_id"] for r in progress}
    assert reported <= known
    assert len(known - reported) == 1


def test_one_file_per_reporter_per_iso_week(progress: list[dict[str, Any]]) -> None:
    by_path: dict[str, set[tuple[str, datetime]]] = {}
    for r in progress:
        at = local(r["reported_at"])
        year, week, _ = at.isocalendar()
        assert r["path"].startswith(f"progress/{year}-W{week:02d}/")
        by_path.setdefault(r["path"], set()).add((r["reporter"], at))
    assert all(len(v) == 1 for v in by_path.values())


def test_reports_fall_inside_the_campaign(progress: list[dict[str, Any]]) -> None:
    for r in progress:
        at = local(r["reported_at"])
        assert datetime(2020, 5, 6) <= at <= datetime(2020, 9, 30, 23, 0)
        assert at.weekday() < 5


def test_values_are_monotone(targets: list[dict[str, Any]],
                             progress: list[dict[str, Any]]) -> None:
    direction = {t["target_id"]: t["direction"] for t in targets}
    series: dict[tuple[str, str], list[tuple[datetime, float]]] = {}
    for r in progress:
        key = (r["target_id"], r["reporter"])
        series.setdefault(key, []).append((local(r["reported_at"]), r["value"]))
    for (tid, _), points in series.items():
        values = [v for _, v in sorted(points)]
        if direction[tid] == "at_most":
            values = [-v for v in values]
        assert values == sorted(values), tid


def test_sum_target_reaches_exactly_its_value(targets: list[dict[str, Any]],
                                              progress: list[dict[str, Any]]) -> None:
    (khu,) = [t for t in targets if t["aggregate"] == "sum"]
    last: dict[str, tuple[datetime, float]] = {}
    for r in progress:
        if r["target_id"] == khu["target_id"]:
            at = local(r["reported_at"])
            if r["reporter"] not in last or last[r["reporter"]][0] < at:
                last[r["reporter"]] = (at, r["value"])
    assert 4 <= len(last) <= 5
    assert set(last) <= WARDS_AND_COMMUNES
    assert sum(v for _, v in last.values()) == khu["target_value"]


def test_all_strings_are_nfc(sample: Path, targets: list[dict[str, Any]],
                             progress: list[dict[str, Any]]) -> None:
    assert unicodedata.is_normalized("NFC", (sample / "campaign.toml").read_text("utf-8"))
    for s in (*strings(targets), *strings(progress)):
        assert unicodedata.is_normalized("NFC", s), s


def test_some_notes_mostly_null(progress: list[dict[str, Any]]) -> None:
    notes = [r["note"] for r in progress if r["note"] is not None]
    assert 3 <= len(notes) <= len(progress) // 10


# --- output folder -------------------------------------------------------------------------


def test_refuses_a_non_empty_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not empty"):
        generate(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_refuses_another_campaign(tmp_path: Path) -> None:
    (tmp_path / "campaign.toml").write_text('id = "other"\n', encoding="utf-8")
    with pytest.raises(FileExistsError, match="another campaign"):
        generate(tmp_path)


def test_regenerating_keeps_other_files(tmp_path: Path) -> None:
    generate(tmp_path, seed=1)
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")
    generate(tmp_path, seed=2020)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "notes"
    assert generator_files(tmp_path) == generator_files(DATA)
