"""An installed thidua (a wheel, outside the checkout) still finds its bundled campaign."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_ships_the_sample_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels),
         str(ROOT)], capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(wheels.glob("thidua-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "dashboard/bundled_campaign/campaign.toml" in names
    assert "dashboard/bundled_campaign/targets.parquet" in names
    assert any(n.startswith("dashboard/bundled_campaign/progress/") for n in names)
    assert "dashboard/sql/state_at_cuts.sql" in names and "dashboard/app.tcss" in names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "THIDUA_DATA"}
    env["PYTHONPATH"] = str(site)
    run = subprocess.run(
        [sys.executable, "-m", "dashboard", "snapshot", "--now", "2020-09-30T23:00",
         "--format", "json"], cwd=elsewhere, env=env, capture_output=True, text=True,
        check=False)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc["campaign"]["id"] == "lang-son-2020-cao-diem"
    assert len(doc["areas"]) == 4 and doc["files"]["used"] > 200
    where = subprocess.run(
        [sys.executable, "-c", "import dashboard.paths as p; print(p.bundled_sample())"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(site)
