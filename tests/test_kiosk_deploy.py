"""Deployment as documented: the systemd unit, the kiosk's command line, and the browser kiosk
(`thidua serve-web` on loopback, read back from a real headless Chromium). systemd's own
checks of every unit are in test_deploy_units.py."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from dashboard.cli import main
from tests.app_support import copy_sample
from tools import browser_kiosk

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "thidua-kiosk.service"
CHROMIUM = Path("/usr/bin/chromium")
AREAS = ("Kinh tế", "Văn hóa – Xã hội", "Cải cách hành chính", "Quốc phòng – An ninh")
TITLE = "Đợt thi đua cao điểm chào mừng Đại hội Đảng bộ tỉnh"


# -- the console kiosk's unit ---------------------------------------------------------------

def test_the_systemd_unit_runs_the_kiosk_on_tty1_and_restarts_it() -> None:
    text = UNIT.read_text(encoding="utf-8")
    assert "ExecStart=/opt/thidua/bin/thidua kiosk" in text
    for line in ("Restart=always", "TTYPath=/dev/tty1", "Conflicts=getty@tty1.service",
                 "StateDirectory=thidua", "WantedBy=multi-user.target"):
        assert line in text.splitlines()


# -- the command line ------------------------------------------------------------------------

def test_kiosk_options_are_checked_before_anything_runs(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    folder = copy_sample(tmp_path / "d")
    assert main(["kiosk", "--data", str(folder), "--dwell", "0"]) == 2
    assert "--dwell = 0.0 nằm ngoài khoảng cho phép (giây từ 1 đến 3.600)" in \
        capsys.readouterr().err
    assert main(["kiosk", "--data", str(folder), "--dwell", "0", "--lang", "en"]) == 2
    assert "--dwell = 0.0 is out of range (allowed: a number of seconds from 1 to 3600)" in \
        capsys.readouterr().err
    assert main(["kiosk", "--data", str(folder), "--stale-after", "inf"]) == 2
    assert "--stale-after = inf nằm ngoài khoảng cho phép" in capsys.readouterr().err
    assert main(["kiosk", "--data", str(folder), "--office-hours", "9-5"]) == 2
    assert "--office-hours: giờ làm việc '9-5' không đúng dạng" in capsys.readouterr().err
    assert main(["kiosk", "--data", str(tmp_path / "nowhere")]) == 2
    assert "không tìm thấy thư mục dữ liệu" in capsys.readouterr().err


def test_serve_web_binds_only_loopback_unless_told(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve-web", "--host", "0.0.0.0", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "--allow-remote" in err and "loopback" in err


# -- the browser kiosk -----------------------------------------------------------------------

@pytest.fixture
def web_kiosk(tmp_path: Path) -> Iterator[str]:
    folder = copy_sample(tmp_path / "d")
    toml = folder / "campaign.toml"  # short slots, so the test sees the rotation happen
    toml.write_text(toml.read_text(encoding="utf-8")
                    + "\n[kiosk]\ndwell_seconds = 2\nbehind_bonus_seconds = 0\n",
                    encoding="utf-8")
    with browser_kiosk.serve_web(folder, tmp_path / "state") as url:
        yield url
    kiosks = [p for p in psutil.process_iter(["cmdline"])
              if str(folder) in " ".join(p.info["cmdline"] or [])]
    assert not kiosks, "a kiosk process outlived the server"


def _rotated(screens: list[list[str]]) -> bool:
    """The whole dashboard is drawn and the spotlight has moved on at least once."""
    text = "\n".join(screens[-1])
    first = {a for a in AREAS if any(f"─ {a} ─" in "\n".join(s[:12]) for s in screens)}
    return TITLE in text and all(a in text for a in AREAS) and len(first) >= 2


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_the_browser_kiosk_fills_a_full_hd_wall(web_kiosk: str, tmp_path: Path) -> None:
    seen = browser_kiosk.look(web_kiosk, (1920, 1080), _rotated, tmp_path / "chromium")
    assert seen.screens, "the page never showed a terminal"
    last = seen.last
    assert TITLE in last, last
    for area in AREAS:  # all named in the page indicator
        assert area in last, last
    assert "cập nhật lúc" in last and "●" in last
    assert _rotated(seen.screens), f"the spotlight never moved: {seen.screens}"
    # the room is used: the terminal's rows that show something cover most of the page
    assert seen.used_area() >= 0.8, f"{seen.used_area():.0%} of 1920×1080 used"
    assert seen.png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", seen.png[16:24])
    assert (width, height) == (1920, 1080)
