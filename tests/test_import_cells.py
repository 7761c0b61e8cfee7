"""How the importer reads what offices type: numbers, dates, headers (no files, no engine)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.importing.cells import CellError, parse_day, parse_number, show_number
from dashboard.importing.headers import header_key
from dashboard.importing.knowledge import slug
from dashboard.importing.strings import messages


@pytest.mark.parametrize(("text", "value"), [
    ("12", 12.0), ("12,5", 12.5), ("1.234", 1234.0), ("1.234,5", 1234.5),
    ("1.234.567", 1234567.0), ("1,234.5", 1234.5), ("1,234,567", 1234567.0),
    ("0.125", 0.125), ("12.5", 12.5), (" 1 234,5 ", 1234.5), ("95%", 95.0), ("-3,5", -3.5),
    ("\u22123", -3.0), ("+7", 7.0), (",5", 0.5),
])
def test_numbers_as_offices_write_them(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(("text", "code"), [
    ("abc", "value_not_number"), ("12.", "value_not_number"), ("1,2,3", "value_not_number"),
    ("1.23.4", "value_not_number"), ("1e5", "value_not_number"), ("", "value_not_number"),
    ("NaN", "value_not_finite"), ("inf", "value_not_finite"), ("-Infinity", "value_not_finite"),
])
def test_what_is_not_a_number(text: str, code: str) -> None:
    with pytest.raises(CellError) as e:
        parse_number(text)
    assert e.value.code == code


def test_spreadsheet_numbers() -> None:
    assert parse_number(7) == 7.0
    assert parse_number(0.953, percent_format=True) == 95.3
    with pytest.raises(CellError):
        parse_number(True)
    with pytest.raises(CellError) as e:
        parse_number(float("inf"))
    assert e.value.code == "value_not_finite"


@pytest.mark.parametrize(("raw", "day"), [
    ("3/7/2020", date(2020, 7, 3)), ("03/07/2020", date(2020, 7, 3)),
    ("3-7-2020", date(2020, 7, 3)), ("3.7.2020", date(2020, 7, 3)), ("3/7/20", date(2020, 7, 3)),
    ("2020-07-03", date(2020, 7, 3)), ("3 Jul 2020", date(2020, 7, 3)),
    ("ngày 3 tháng 7 năm 2020", date(2020, 7, 3)),
    ("2020-07-03 14:30", datetime(2020, 7, 3, 14, 30)),
    ("3/7/2020 08:05:09", datetime(2020, 7, 3, 8, 5, 9)),
    (datetime(2020, 7, 3), date(2020, 7, 3)), (datetime(2020, 7, 3, 9, 0), datetime(2020, 7, 3, 9)),
    (date(2020, 7, 3), date(2020, 7, 3)),
])
def test_dates_day_first(raw: object, day: date) -> None:
    assert parse_day(raw) == day


def test_excel_serials_only_when_asked() -> None:
    assert parse_day(44015, serials=True) == date(2020, 7, 3)
    assert parse_day(44015.5, serials=True) == datetime(2020, 7, 3, 12)
    with pytest.raises(CellError):
        parse_day(44015)


@pytest.mark.parametrize("raw", ["31/2/2020", "7/13/2020", "hôm nay", "2020-13-01", "25:00",
                                 True])
def test_what_is_not_a_date(raw: object) -> None:
    with pytest.raises(CellError) as e:
        parse_day(raw)
    assert e.value.code == "date_invalid"


@pytest.mark.parametrize(("header", "key"), [
    ("Mã chỉ tiêu", "target_id"), ("MA CHI TIEU", "target_id"), ("target_id", "target_id"),
    ("Target ID", "target_id"), ("Giá trị mới", "value"), ("value", "value"),
    ("New value", "value"), ("Ngày báo cáo", "reported_at"), ("reported_at", "reported_at"),
    ("Ghi chú", "note"), ("note", "note"), ("Đơn vị báo cáo", "reporter"),
    ("Target", "title"), ("Giá trị báo cáo gần nhất", "last_value"), ("STT", None), (3, None),
])
def test_headers_in_both_languages_with_or_without_diacritics(header: object,
                                                              key: str | None) -> None:
    assert header_key(header) == key


def test_shown_numbers_keep_every_digit() -> None:
    assert show_number(1234.5, "vi") == "1.234,5"
    assert show_number(1234.5, "en") == "1,234.5"
    assert show_number(0.1 + 0.2, "vi") == "0,3"
    assert show_number(21.0, "vi") == "21"


def test_slugs_match_the_sample_file_names() -> None:
    assert slug("UBND phường Chi Lăng") == "phuong-chi-lang"
    assert slug("Phòng Tài chính – Kế hoạch") == "phong-tai-chinh-ke-hoach"
    assert slug("Văn phòng HĐND và UBND thành phố") == "van-phong-hdnd-va-ubnd-thanh-pho"


def test_catalogues_have_the_same_keys_in_nfc() -> None:
    import unicodedata

    vi, en = messages("vi"), messages("en")
    assert vi.keys() == en.keys()
    for key in sorted(vi.keys()):
        assert unicodedata.is_normalized("NFC", vi(key))
    assert vi("col.target_id") == "Mã chỉ tiêu"
