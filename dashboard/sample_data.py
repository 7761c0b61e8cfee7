"""The bundled sample campaign: Lạng Sơn city's peak emulation campaign, 06/5/2020 – 30/9/2020.

``generate(out_dir)`` writes a complete campaign folder::

    campaign.toml                       the campaign's config (exactly ``CAMPAIGN_TOML``)
    targets.parquet                     one row per target
    progress/2020-Www/<reporter>.parquet  one file per reporter per reporting week

The targets follow the city's call for the campaign (the real figures: 02 OCOP products rated
3 stars, Mai Pha advanced new-rural commune, 05 model residential areas, budget revenue over
105% of the province's estimate, collectible tax debt under 5% of revenue, the draft general
construction plan to 2030 / 2050); the other indicators and every progress value are
illustrative. Output depends only on ``seed``: same seed, byte-identical files.
"""

from __future__ import annotations

import io
import itertools
import random
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa

from dashboard.atomic_files import write_bytes_atomic
from dashboard.contract import PROGRESS_SCHEMA, TARGETS_SCHEMA, write_parquet

__all__ = [
    "CAMPAIGN_TOML",
    "PROGRESS_SCHEMA",
    "TARGETS_SCHEMA",
    "generate",
    "slugify",
]

CAMPAIGN_TOML = """\
# Đợt thi đua cao điểm của UBND thành phố Lạng Sơn, 06/5/2020 – 30/9/2020.
# The campaign is data: a new campaign is a new copy of this folder, no code change.
schema_version = 1
id = "lang-son-2020-cao-diem"
title_vi = "Đợt thi đua cao điểm chào mừng Đại hội Đảng bộ tỉnh lần thứ XVII và Đảng bộ thành phố lần thứ XXIII"
title_en = "Peak emulation campaign saluting the 17th Provincial and 23rd City Party Congresses"
start = 2020-05-06
end = 2020-09-30
timezone = "Asia/Ho_Chi_Minh"
reporting_interval_days = 7
holidays = [2020-09-02]
makeup_workdays = []

[document]
number = "442/PĐ-UBND"
date = 2020-05-01
issuer_vi = "UBND tỉnh Lạng Sơn"
issuer_en = "Lạng Sơn Provincial People's Committee"

[[areas]]
id = "economy"
name_vi = "Kinh tế"
name_en = "Economy"

[[areas]]
id = "culture_society"
name_vi = "Văn hóa – Xã hội"
name_en = "Culture & society"

[[areas]]
id = "admin_reform"
name_vi = "Cải cách hành chính"
name_en = "Administrative reform"

[[areas]]
id = "defence_security"
name_vi = "Quốc phòng – An ninh"
name_en = "Defence & security"
"""  # noqa: E501
CAMPAIGN_ID = "lang-son-2020-cao-diem"
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
START = date(2020, 5, 6)
END = date(2020, 9, 30)

# Most progress files use PROGRESS_SCHEMA; a few use ``timestamp[us, UTC]`` or ``int64``.

# --- units --------------------------------------------------------------------------------

TCKH = "Phòng Tài chính – Kế hoạch"
THUE = "Chi cục Thuế khu vực thành phố Lạng Sơn"
KINH_TE = "Phòng Kinh tế"
QLDT = "Phòng Quản lý đô thị"
VHTT = "Phòng Văn hóa và Thông tin"
Y_TE = "Trung tâm Y tế thành phố"
GDDT = "Phòng Giáo dục và Đào tạo"
VAN_PHONG = "Văn phòng HĐND và UBND thành phố"
CONG_AN = "Công an thành phố"
QUAN_SU = "Ban Chỉ huy Quân sự thành phố"
CHI_LANG = "UBND phường Chi Lăng"
DONG_KINH = "UBND phường Đông Kinh"
HOANG_VAN_THU = "UBND phường Hoàng Văn Thụ"
TAM_THANH = "UBND phường Tam Thanh"
VINH_TRAI = "UBND phường Vĩnh Trại"
HOANG_DONG = "UBND xã Hoàng Đồng"
MAI_PHA = "UBND xã Mai Pha"
QUANG_LAC = "UBND xã Quảng Lạc"

WARDS = (CHI_LANG, DONG_KINH, HOANG_VAN_THU, TAM_THANH, VINH_TRAI)
COMMUNES = (HOANG_DONG, MAI_PHA, QUANG_LAC)

LATE_REPORTER = QUANG_LAC
"""Reports weekly until 31/7, then only every 10–20 days."""
UTC_REPORTER = THUE
"""Its files hold ``timestamp[us, UTC]`` instants instead of naive local time."""
INT_REPORTER = CONG_AN
"""Its values are whole counts, stored as ``int64``."""


# --- targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleTarget:
    target_id: str
    area: str
    title_vi: str
    title_en: str
    unit_of_measure: str | None
    target_value: float
    direction: str
    aggregate: str
    owner: str | None


def _t(
    target_id: str,
    area: str,
    title_vi: str,
    title_en: str,
    unit: str | None,
    value: float,
    owner: str | None,
    *,
    direction: str = "at_least",
    aggregate: str = "latest",
) -> SampleTarget:
    return SampleTarget(target_id, area, title_vi, title_en, unit, value, direction, aggregate,
                        owner)


EC, CS, AR, DS = "economy", "culture_society", "admin_reform", "defence_security"

TARGETS: tuple[SampleTarget, ...] = (
    # Kinh tế: KT01–KT06 are the document's own targets and figures.
    _t("KT01", EC, "Tiêu chuẩn hóa sản phẩm OCOP đạt hạng 3 sao cấp tỉnh",
       "OCOP products standardised and rated 3 stars at provincial level",
       "sản phẩm", 2, KINH_TE),
    _t("KT02", EC, "Xã Mai Pha đạt chuẩn nông thôn mới nâng cao (số tiêu chí đạt)",
       "Mai Pha commune meets the advanced new-rural standard (criteria met)",
       "tiêu chí", 19, MAI_PHA),
    _t("KT03", EC, "Hoàn thành xây dựng khu dân cư kiểu mẫu",
       "Model residential areas completed",
       "khu", 5, KINH_TE, aggregate="sum"),
    _t("KT04", EC, "Thu ngân sách nhà nước vượt trên 5% dự toán tỉnh giao",
       "State budget revenue more than 5% above the province's estimate",
       "% dự toán", 105, TCKH),
    _t("KT05", EC, "Tỷ lệ nợ thuế có khả năng thu dưới 5% tổng thu ngân sách nhà nước",
       "Collectible tax debt below 5% of total state budget revenue",
       "%", 5, THUE, direction="at_most"),
    _t("KT06", EC,
       "Hoàn thiện dự thảo đồ án Quy hoạch chung xây dựng thành phố Lạng Sơn "
       "đến năm 2030, tầm nhìn đến năm 2050",
       "Draft general construction plan of Lạng Sơn city to 2030, vision to 2050",
       "% khối lượng", 100, QLDT),
    _t("KT07", EC, "Lượt khách tham quan Khu di tích danh thắng Nhị – Tam Thanh",
       "Visitors to the Nhị – Tam Thanh scenic relic site",
       "nghìn lượt", 60, TAM_THANH),
    _t("KT08", EC, "Diện tích gieo trồng vụ Mùa xã Hoàng Đồng",
       "Main-season (vụ Mùa) crop area planted in Hoàng Đồng commune",
       "ha", 250, HOANG_DONG),
    _t("KT09", EC, "Bê tông hóa đường giao thông nông thôn xã Quảng Lạc",
       "Rural roads concreted in Quảng Lạc commune",
       "km", 3.5, QUANG_LAC),
    _t("KT10", EC, "Thu ngân sách nhà nước trên địa bàn phường Đông Kinh",
       "State budget revenue collected in Đông Kinh ward",
       "% dự toán", 100, DONG_KINH),
    # Văn hóa – Xã hội
    _t("VH01", CS,
       "Tỷ lệ người về từ vùng có dịch Covid-19 được khai báo y tế, theo dõi sức khỏe",
       "People arriving from Covid-19 areas who declared their health and were monitored",
       "%", 100, Y_TE),
    _t("VH02", CS, "Tỷ lệ dân số được quản lý sức khỏe bằng hồ sơ sức khỏe điện tử",
       "Population whose health is managed with an electronic health record",
       "% dân số", 90, Y_TE),
    _t("VH03", CS, "Trường học thực hiện tự chủ một phần về tài chính",
       "Schools with partial financial autonomy",
       "trường", 6, GDDT),
    _t("VH04", CS, "Tỷ lệ giáo viên lớp 1 được bồi dưỡng chương trình, sách giáo khoa mới",
       "Grade-1 teachers trained on the new curriculum and textbooks",
       "% giáo viên", 100, GDDT),
    _t("VH05", CS, "Hoạt động quảng bá, giới thiệu du lịch thành phố Lạng Sơn",
       "Activities promoting tourism in Lạng Sơn city",
       "hoạt động", 12, VHTT),
    _t("VH06", CS, "Tỷ lệ hộ gia đình phường Vĩnh Trại đăng ký xây dựng gia đình văn hóa",
       "Households in Vĩnh Trại ward registered to become 'cultured families'",
       "% hộ", 95, VINH_TRAI),
    _t("VH07", CS,
       "Tỷ lệ người dân gặp khó khăn do đại dịch Covid-19 được chi trả hỗ trợ",
       "People hit by the Covid-19 pandemic who received their support payment",
       "% đối tượng", 100, None),
    # Cải cách hành chính
    _t("CC01", AR, "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến mức độ 3, 4",
       "Administrative dossiers filed online (public services at levels 3 and 4)",
       "% hồ sơ", 30, VAN_PHONG),
    _t("CC02", AR,
       "Tỷ lệ hồ sơ thủ tục hành chính tiếp nhận, trả kết quả qua dịch vụ bưu chính công ích",
       "Administrative dossiers received or returned through the public postal service",
       "% hồ sơ", 15, VAN_PHONG),
    _t("CC03", AR, "Tỷ lệ hồ sơ thủ tục hành chính phường Hoàng Văn Thụ giải quyết đúng hạn",
       "Administrative dossiers settled on time in Hoàng Văn Thụ ward",
       "% hồ sơ", 98, HOANG_VAN_THU),
    _t("CC04", AR, "Tỷ lệ cơ quan, đơn vị ký cam kết thực hiện văn hóa công sở",
       "Agencies and units that signed the workplace-culture (văn hóa công sở) pledge",
       "% cơ quan", 100, None),
    _t("CC05", AR, "Tỷ lệ hồ sơ thủ tục hành chính phường Chi Lăng nộp trực tuyến mức độ 3, 4",
       "Chi Lăng ward dossiers filed online (levels 3 and 4)",
       "% hồ sơ", 25, CHI_LANG),
    _t("CC06", AR, "Tỷ lệ văn bản đi, đến được xử lý trên môi trường mạng",
       "Incoming and outgoing documents handled electronically",
       "% văn bản", 90, VAN_PHONG),
    _t("CC07", AR, "Tỷ lệ hồ sơ cấp giấy phép xây dựng giải quyết đúng hạn",
       "Construction-permit dossiers settled on time",
       "% hồ sơ", 100, QLDT),
    # Quốc phòng – An ninh
    _t("AN01", DS, "Tỷ lệ điều tra, khám phá án hình sự",
       "Criminal cases investigated and solved",
       "%", 75, CONG_AN),
    _t("AN02", DS, "Số vụ phạm tội về ma túy được phát hiện, bắt giữ",
       "Drug-crime cases detected and seized",
       "vụ", 40, CONG_AN),
    _t("AN03", DS, "Số vụ tai nạn giao thông so với cùng kỳ năm 2019",
       "Traffic accidents compared with the same period of 2019",
       "% cùng kỳ", 90, CONG_AN, direction="at_most"),
    _t("AN04", DS, "Số đại hội Đảng các cấp được đảm bảo an ninh, an toàn tuyệt đối",
       "Party congresses held with security fully ensured",
       "đại hội", 38, CONG_AN),
    _t("AN05", DS, "Tỷ lệ dân quân tự vệ hoàn thành huấn luyện năm 2020",
       "Militia and self-defence forces that completed their 2020 training",
       "% quân số", 100, QUAN_SU),
    _t("AN06", DS, "Phường, xã hoàn thành diễn tập chiến đấu trong khu vực phòng thủ",
       "Wards and communes that completed a defensive-zone combat drill",
       "đơn vị", 2, QUAN_SU),
    _t("AN07", DS, "Số cuộc tuần tra, kiểm soát, xử lý vi phạm trật tự an toàn giao thông",
       "Traffic-order patrols and checks carried out",
       "cuộc", 300, CONG_AN),
)

NO_DATA_TARGET = "AN06"
"""The one target nobody reports on (the drill is planned after the campaign)."""


# --- progress series ----------------------------------------------------------------------

Level = float | tuple[float, float]
"""An anchor value: exact, or a (low, high) range the seed draws from."""


@dataclass(frozen=True)
class Note:
    text: str
    on: date | None = None
    """Put the note on the first report on or after this day ..."""
    reach: float | None = None
    """... or on the first report whose value reaches this level."""


@dataclass(frozen=True)
class Series:
    """What one reporter reports for one target: a path through anchor points."""

    target_id: str
    reporter: str
    anchors: tuple[tuple[date, Level], ...]
    decimals: int
    notes: tuple[Note, ...] = ()


def _d(month: int, day: int) -> date:
    return date(2020, month, day)


def _s(
    target_id: str,
    reporter: str,
    decimals: int,
    *anchors: tuple[date, Level],
    notes: Sequence[Note] = (),
) -> Series:
    return Series(target_id, reporter, tuple(anchors), decimals, tuple(notes))


SERIES: tuple[Series, ...] = (
    # Kinh tế
    _s("KT01", KINH_TE, 0, (_d(5, 8), 0), (_d(7, 10), 0), (_d(8, 14), 1), (_d(9, 4), 1),
       (_d(9, 25), 2), notes=[Note("Hội đồng OCOP tỉnh đánh giá, công nhận đạt 3 sao", reach=2)]),
    _s("KT02", MAI_PHA, 0, (_d(5, 8), 14), (_d(6, 26), 15), (_d(8, 7), 17), (_d(9, 11), 18),
       (_d(9, 25), 19),
       notes=[Note("Hoàn thiện hồ sơ đề nghị UBND tỉnh xét công nhận", reach=19)]),
    _s("KT03", HOANG_DONG, 0, (_d(5, 8), 0), (_d(6, 12), 0), (_d(7, 3), 1), (_d(8, 7), 1),
       (_d(8, 28), 2)),
    _s("KT03", MAI_PHA, 0, (_d(5, 8), 0), (_d(7, 3), 0), (_d(7, 31), 1)),
    _s("KT03", QUANG_LAC, 0, (_d(5, 8), 0), (_d(9, 1), 0), (_d(9, 14), 1)),
    _s("KT03", VINH_TRAI, 0, (_d(5, 8), 0), (_d(8, 7), 0), (_d(8, 14), 1),
       notes=[Note("Khu dân cư đạt đủ các tiêu chí khu dân cư kiểu mẫu", reach=1)]),
    _s("KT04", TCKH, 1, (_d(5, 8), (33.5, 35.5)), (_d(6, 26), (48.0, 50.0)),
       (_d(9, 30), (79.0, 82.0)),
       notes=[Note("Số thu giảm do ảnh hưởng của dịch Covid-19", on=_d(6, 5))]),
    _s("KT05", THUE, 2, (_d(5, 8), (7.9, 8.3)), (_d(7, 31), (6.0, 6.4)), (_d(9, 11), 4.9),
       (_d(9, 30), (4.5, 4.7)),
       notes=[Note("Đẩy mạnh đôn đốc, cưỡng chế nợ thuế", on=_d(7, 3))]),
    _s("KT06", QLDT, 0, (_d(5, 8), 55), (_d(6, 26), 70), (_d(8, 14), 85), (_d(8, 28), 90),
       (_d(9, 30), 95),
       notes=[Note("Đã trình UBND tỉnh thẩm định", reach=90),
              Note("Đang hoàn thiện theo ý kiến thẩm định", on=_d(9, 18))]),
    _s("KT07", VHTT, 1, (_d(5, 8), (1.0, 1.5)), (_d(6, 5), (5.5, 6.5)), (_d(8, 28), (44.0, 46.0)),
       (_d(9, 30), (51.0, 54.0)),
       notes=[Note("Lượng khách giảm do dịch Covid-19 bùng phát trở lại", on=_d(8, 7))]),
    _s("KT08", HOANG_DONG, 1, (_d(5, 8), 0), (_d(6, 5), 0), (_d(7, 24), (236.0, 242.0)),
       (_d(8, 7), (251.0, 254.0))),
    _s("KT09", QUANG_LAC, 1, (_d(5, 8), (0.2, 0.4)), (_d(7, 31), (1.6, 1.8)),
       (_d(9, 30), (2.4, 2.6)),
       notes=[Note("Ảnh hưởng mưa lũ, chậm tiến độ", on=_d(8, 18))]),
    _s("KT10", THUE, 1, (_d(5, 8), (36.0, 38.0)), (_d(9, 30), (90.0, 93.0))),
    # Văn hóa – Xã hội
    _s("VH01", Y_TE, 1, (_d(5, 8), (96.5, 97.5)), (_d(6, 19), 99.2), (_d(7, 3), 100),
       notes=[Note("Duy trì giám sát người về từ vùng có dịch", on=_d(5, 8))]),
    _s("VH02", Y_TE, 1, (_d(5, 8), (60.0, 62.0)), (_d(7, 31), (75.0, 77.0)),
       (_d(9, 30), (86.5, 88.0))),
    _s("VH03", GDDT, 0, (_d(5, 8), 1), (_d(7, 10), 2), (_d(9, 18), 4)),
    _s("VH04", GDDT, 0, (_d(5, 8), 20), (_d(6, 19), 45), (_d(7, 31), 90), (_d(8, 14), 100),
       notes=[Note("Hoàn thành bồi dưỡng trước năm học mới", reach=100)]),
    _s("VH05", VHTT, 0, (_d(5, 8), 0), (_d(6, 12), 2), (_d(8, 28), 8), (_d(9, 30), 11)),
    _s("VH06", VHTT, 1, (_d(5, 8), (80.0, 83.0)), (_d(8, 14), 95.2), (_d(9, 30), (95.5, 96.5))),
    _s("VH07", VAN_PHONG, 1, (_d(5, 8), (30.0, 36.0)), (_d(6, 26), (90.0, 93.0)),
       (_d(7, 31), 100),
       notes=[Note("Hoàn thành chi trả hỗ trợ theo Nghị quyết số 42/NQ-CP", reach=100)]),
    # Cải cách hành chính
    _s("CC01", VAN_PHONG, 1, (_d(5, 8), (8.5, 10.0)), (_d(9, 30), (21.0, 23.0))),
    _s("CC02", VAN_PHONG, 1, (_d(5, 8), (5.5, 6.5)), (_d(8, 21), 15.1), (_d(9, 30), (16.0, 17.0))),
    _s("CC03", VAN_PHONG, 1, (_d(5, 8), (94.8, 95.4)), (_d(9, 30), (97.3, 97.8))),
    _s("CC04", VAN_PHONG, 0, (_d(5, 8), 40), (_d(5, 29), 85), (_d(6, 19), 100)),
    _s("CC05", VAN_PHONG, 1, (_d(5, 8), (6.0, 8.0)), (_d(8, 28), 20), (_d(9, 25), 25.3),
       (_d(9, 30), (25.5, 26.5))),
    _s("CC06", VAN_PHONG, 1, (_d(5, 8), (77.0, 79.0)), (_d(7, 24), 90.4),
       (_d(9, 30), (92.0, 94.0))),
    _s("CC07", QLDT, 1, (_d(5, 8), (96.0, 97.0)), (_d(9, 30), (98.8, 99.5))),
    # Quốc phòng – An ninh
    _s("AN01", CONG_AN, 0, (_d(5, 8), 68), (_d(7, 17), 76), (_d(9, 30), (80, 83))),
    _s("AN02", CONG_AN, 0, (_d(5, 8), (8, 10)), (_d(9, 30), (35, 38))),
    _s("AN03", CONG_AN, 0, (_d(5, 8), (112, 116)), (_d(8, 14), 95), (_d(9, 30), (86, 88))),
    _s("AN04", CONG_AN, 0, (_d(5, 8), (19, 22)), (_d(7, 24), 38),
       notes=[Note("Đảm bảo an ninh, an toàn tuyệt đối các đại hội", reach=38)]),
    _s("AN05", QUAN_SU, 1, (_d(5, 8), (30.0, 35.0)), (_d(8, 28), 90), (_d(9, 30), (95.0, 97.0))),
    _s("AN07", CONG_AN, 0, (_d(5, 8), (12, 16)), (_d(9, 30), (318, 330))),
)


# --- reporting calendar -------------------------------------------------------------------

def _weekly_days() -> tuple[date, ...]:
    """Friday of every ISO week from 8/5 to 25/9, then the last day, Wednesday 30/9."""
    days: list[date] = []
    d = _d(5, 8)
    while d <= END:
        days.append(d)
        d += timedelta(days=7)
    return (*days, END)


WEEKLY_DAYS = _weekly_days()
REPORT_DAYS: dict[str, tuple[date, ...]] = {
    # The late commune: weekly until 31/7, then every 10–20 days.
    QUANG_LAC: (*(d for d in WEEKLY_DAYS if d <= _d(7, 31)),
                _d(8, 18), _d(9, 1), _d(9, 14), _d(9, 30)),
    # Reports only its count of model residential areas, when it has news.
    VINH_TRAI: (_d(5, 15), _d(8, 14), _d(9, 30)),
}
"""Reporters not listed here report on WEEKLY_DAYS."""

# Afternoon window (start, minutes of jitter) in local time.
_AFTERNOON = (time(16, 0), 90)
_LATE_AFTERNOON = (time(14, 0), 180)


def _report_days(reporter: str) -> tuple[date, ...]:
    return REPORT_DAYS.get(reporter, WEEKLY_DAYS)


def _report_times(reporter: str, seed: int) -> list[datetime]:
    """Naive local timestamps of one reporter's reports."""
    rng = random.Random(f"{seed}:time:{reporter}")
    start, jitter = _AFTERNOON if reporter not in REPORT_DAYS else _LATE_AFTERNOON
    out: list[datetime] = []
    for day in _report_days(reporter):
        at = datetime.combine(day, start) + timedelta(
            minutes=rng.randint(0, jitter), seconds=rng.randint(0, 59))
        out.append(at)
    return out


# --- values -------------------------------------------------------------------------------

def _values(series: Series, days: Sequence[date], falling: bool, seed: int) -> list[float]:
    """Cumulative values on each report day: through the anchors, jittered, monotone."""
    rng = random.Random(f"{seed}:value:{series.target_id}:{series.reporter}")
    anchors: list[tuple[int, float]] = []
    for day, level in series.anchors:
        v = rng.uniform(*level) if isinstance(level, tuple) else float(level)
        if anchors:
            prev = anchors[-1][1]
            v = min(v, prev) if falling else max(v, prev)
        anchors.append((day.toordinal(), v))
    out: list[float] = []
    best: float | None = None
    for day in days:
        t = day.toordinal()
        raw = _interpolate(anchors, t, rng)
        if best is not None:
            raw = min(raw, best) if falling else max(raw, best)
        best = raw
        out.append(round(raw, series.decimals))
    return out


def _interpolate(anchors: Sequence[tuple[int, float]], t: int, rng: random.Random) -> float:
    if t <= anchors[0][0]:
        return anchors[0][1]
    for (t0, v0), (t1, v1) in itertools.pairwise(anchors):
        if t0 < t < t1:
            span = t1 - t0
            frac = (t - t0) / span
            amp = min(0.3, 3.5 / span)
            frac = min(1.0, max(0.0, frac + rng.uniform(-amp, amp)))
            return v0 + frac * (v1 - v0)
        if t == t1:
            return v1
    return anchors[-1][1]


def _note_fits(note: Note, day: date, value: float, falling: bool) -> bool:
    if note.on is not None:
        return day >= note.on
    if note.reach is None:
        raise ValueError(f"note {note.text!r} needs `on` or `reach`")
    return value <= note.reach if falling else value >= note.reach


def _place_notes(series: Series, days: Sequence[date], values: Sequence[float],
                 falling: bool) -> list[str | None]:
    notes: list[str | None] = [None] * len(days)
    for note in series.notes:
        idx = next((i for i, (day, v) in enumerate(zip(days, values, strict=True))
                    if _note_fits(note, day, v, falling)), None)
        if idx is None:
            raise ValueError(f"note {note.text!r} of {series.target_id} cannot be placed")
        old = notes[idx]
        notes[idx] = note.text if old is None else f"{old}; {note.text}"
    return notes


# --- writing ------------------------------------------------------------------------------

def slugify(name: str) -> str:
    """ASCII file-name slug of a unit: "UBND phường Chi Lăng" → "phuong-chi-lang"."""
    name = name.removeprefix("UBND ")
    plain = "".join(
        c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn")
    plain = plain.replace("đ", "d").replace("Đ", "D").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _nfc(s: str | None) -> str | None:
    return None if s is None else unicodedata.normalize("NFC", s)


def _parquet_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    write_parquet(table, buf, compression="zstd")
    return buf.getvalue()


SHORT_TITLES: dict[str, tuple[str, str]] = {
    # (short_title_vi, short_title_en): the words that tell a row from its neighbours when the
    # whole title does not fit (at most 24 characters).
    "KT01": ("OCOP 3 sao cấp tỉnh", "OCOP 3-star products"),
    "KT02": ("Mai Pha: NTM nâng cao", "Mai Pha advanced NTM"),
    "KT04": ("Thu NSNN vượt 5% dự toán", "Budget revenue +5%"),
    "KT05": ("Nợ thuế dưới 5% thu NSNN", "Tax debt below 5%"),
    "KT06": ("Quy hoạch chung TP 2030", "City general plan 2030"),
    "KT07": ("Khách đến Nhị – Tam Thanh", "Nhị – Tam Thanh visitors"),
    "KT08": ("Vụ Mùa Hoàng Đồng", "Hoàng Đồng crop area"),
    "KT09": ("Đường bê tông Quảng Lạc", "Quảng Lạc rural roads"),
    "KT10": ("Thu NSNN P. Đông Kinh", "Đông Kinh revenue"),
    "VH01": ("Khai báo y tế Covid-19", "Covid-19 health checks"),
    "VH02": ("Hồ sơ sức khỏe điện tử", "E-health records"),
    "VH03": ("Trường tự chủ tài chính", "School autonomy"),
    "VH04": ("Bồi dưỡng GV lớp 1", "Grade-1 teacher training"),
    "VH05": ("Quảng bá du lịch", "Tourism promotion"),
    "VH06": ("GĐ văn hóa Vĩnh Trại", "Vĩnh Trại cultured homes"),
    "VH07": ("Chi hỗ trợ Covid-19", "Covid-19 support paid"),
    "CC01": ("Nộp trực tuyến mức 3, 4", "Online filing L3–4"),
    "CC02": ("Qua bưu chính công ích", "Via public post"),
    "CC03": ("Đúng hạn Hoàng Văn Thụ", "On time, Hoàng Văn Thụ"),
    "CC04": ("Cam kết văn hóa công sở", "Workplace pledge"),
    "CC05": ("Trực tuyến P. Chi Lăng", "Online, Chi Lăng ward"),
    "CC06": ("Văn bản điện tử", "E-documents handled"),
    "CC07": ("Giấy phép XD đúng hạn", "Permits on time"),
    "AN01": ("Khám phá án hình sự", "Criminal cases solved"),
    "AN02": ("Vụ ma túy bị bắt giữ", "Drug cases seized"),
    "AN03": ("Tai nạn giao thông", "Traffic accidents"),
    "AN04": ("An ninh đại hội Đảng", "Party congress security"),
    "AN05": ("Huấn luyện dân quân 2020", "Militia training 2020"),
    "AN06": ("Diễn tập phòng thủ", "Defensive-zone drills"),
    "AN07": ("Tuần tra giao thông", "Traffic patrols"),
}


UNITS_EN: dict[str, str] = {
    "sản phẩm": "products", "tiêu chí": "criteria", "khu": "areas", "% dự toán": "% budget",
    "%": "%", "% khối lượng": "% work", "nghìn lượt": "k visits", "ha": "ha", "km": "km",
    "% dân số": "% people", "trường": "schools", "% giáo viên": "% teachers",
    "hoạt động": "events", "% hộ": "% homes", "% đối tượng": "% eligible", "% hồ sơ": "% files",
    "% cơ quan": "% agencies", "% văn bản": "% docs", "vụ": "cases", "% cùng kỳ": "% of 2019",
    "đại hội": "congresses", "% quân số": "% militia", "đơn vị": "units", "cuộc": "patrols",
}
"""unit_of_measure → unit_of_measure_en (the optional column the English screens show)."""


def _targets_table() -> pa.Table:
    rows = sorted(TARGETS, key=lambda t: t.target_id)
    short = [SHORT_TITLES.get(t.target_id) for t in rows]
    return pa.table(
        {
            "target_id": [t.target_id for t in rows],
            "area": [t.area for t in rows],
            "title_vi": [_nfc(t.title_vi) for t in rows],
            "title_en": [_nfc(t.title_en) for t in rows],
            "unit_of_measure": [_nfc(t.unit_of_measure) for t in rows],
            "target_value": [float(t.target_value) for t in rows],
            "direction": [t.direction for t in rows],
            "aggregate": [t.aggregate for t in rows],
            "owner": [_nfc(t.owner) for t in rows],
            "short_title_vi": [_nfc(s[0]) if s else None for s in short],
            "short_title_en": [_nfc(s[1]) if s else None for s in short],
            "unit_of_measure_en": [UNITS_EN.get(t.unit_of_measure or "") for t in rows],
        },
        schema=TARGETS_SCHEMA,
    )


@dataclass(frozen=True)
class _Row:
    target_id: str
    value: float
    note: str | None


def _progress_tables(seed: int) -> dict[str, pa.Table]:
    """Relative path → table, for every progress file."""
    by_id = {t.target_id: t for t in TARGETS}
    reporters = sorted({s.reporter for s in SERIES})
    rows: dict[tuple[str, int], list[_Row]] = {}
    for series in sorted(SERIES, key=lambda s: (s.target_id, s.reporter)):
        falling = by_id[series.target_id].direction == "at_most"
        days = _report_days(series.reporter)
        values = _values(series, days, falling, seed)
        notes = _place_notes(series, days, values, falling)
        for i, (v, n) in enumerate(zip(values, notes, strict=True)):
            rows.setdefault((series.reporter, i), []).append(_Row(series.target_id, v, n))

    tables: dict[str, pa.Table] = {}
    for reporter in reporters:
        for i, local in enumerate(_report_times(reporter, seed)):
            year, week, _ = local.isocalendar()
            rel = f"progress/{year}-W{week:02d}/{slugify(reporter)}.parquet"
            tables[rel] = _progress_table(reporter, local, rows[(reporter, i)])
    return dict(sorted(tables.items()))


def _progress_table(reporter: str, local: datetime, rows: Sequence[_Row]) -> pa.Table:
    rows = sorted(rows, key=lambda r: r.target_id)
    n = len(rows)
    if reporter == UTC_REPORTER:
        instant = local.replace(tzinfo=TIMEZONE).astimezone(UTC)
        reported_at = pa.array([instant] * n, type=pa.timestamp("us", tz="UTC"))
    else:
        reported_at = pa.array([local] * n, type=pa.timestamp("us"))
    if reporter == INT_REPORTER:
        value = pa.array([round(r.value) for r in rows], type=pa.int64())
    else:
        value = pa.array([r.value for r in rows], type=pa.float64())
    schema = pa.schema(
        [
            PROGRESS_SCHEMA.field("target_id"),
            PROGRESS_SCHEMA.field("reporter"),
            pa.field("reported_at", reported_at.type),
            pa.field("value", value.type),
            PROGRESS_SCHEMA.field("note"),
        ]
    )
    return pa.Table.from_arrays(
        [
            pa.array([r.target_id for r in rows], type=pa.string()),
            pa.array([_nfc(reporter)] * n, type=pa.string()),
            reported_at,
            value,
            pa.array([_nfc(r.note) for r in rows], type=pa.string()),
        ],
        schema=schema,
    )


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} exists and is not a folder")
    if not out_dir.is_dir() or not any(out_dir.iterdir()):
        return
    toml_path = out_dir / "campaign.toml"
    if not toml_path.is_file():
        raise FileExistsError(
            f"{out_dir} is not empty and holds no campaign.toml; refusing to write the sample "
            "campaign there (use an empty or new folder)")
    try:
        existing = tomllib.loads(toml_path.read_text(encoding="utf-8")).get("id")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        existing = None
    if existing != CAMPAIGN_ID:
        raise FileExistsError(
            f"{toml_path} belongs to another campaign (id={existing!r}, not {CAMPAIGN_ID!r}); "
            "refusing to overwrite it with the sample campaign")


def generate(out_dir: Path, seed: int = 2020) -> list[Path]:
    """Write the sample campaign into out_dir (campaign.toml, targets.parquet, progress/...).

    Returns the written paths, sorted. A missing or empty out_dir is filled; a folder that
    already holds this sample campaign gets its campaign.toml, targets.parquet and
    progress/** files overwritten and nothing else touched; any other non-empty folder is
    refused with FileExistsError. Same seed, byte-identical files.
    """
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)
    files: dict[str, bytes] = {
        "campaign.toml": CAMPAIGN_TOML.encode("utf-8"),
        "targets.parquet": _parquet_bytes(_targets_table()),
    }
    for rel, table in _progress_tables(seed).items():
        files[rel] = _parquet_bytes(table)
    written: list[Path] = []
    for rel, data in sorted(files.items()):
        path = out_dir / rel
        write_bytes_atomic(path, data)
        written.append(path)
    return written
