"""deploy/'s systemd units: each runs a command thidua accepts, tells systemd when it is up and
feeds its watchdog (Type=notify), and is hardened at least as the kiosk's; systemd itself
checks them where it is installed."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = {"thidua-kiosk.service": "kiosk", "thidua-ssh.service": "serve-ssh",
         "thidua-web.service": "serve-web"}
THIDUA = "/opt/thidua/bin/thidua"
NO_SYSTEMD = shutil.which("systemd-analyze") is None
# the kiosk's hardening; the servers add PrivateDevices= and ProtectClock= (the kiosk cannot:
# it draws on /dev/tty1)
HARDENING = ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp",
             "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
             "ProtectControlGroups", "ProtectHostname", "ProtectProc", "RestrictSUIDSGID",
             "RestrictNamespaces", "RestrictRealtime", "LockPersonality", "RemoveIPC", "UMask",
             "CapabilityBoundingSet", "RestrictAddressFamilies", "SystemCallArchitectures",
             "SystemCallFilter")


def _settings(name: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_notifies_systemd_and_is_restarted(name: str) -> None:
    s = _settings(name)
    assert s["Type"] == ["notify"] and s["NotifyAccess"] == ["main"]
    assert 10 <= int(s["WatchdogSec"][0]) <= 120
    assert s["Restart"] == ["always"] and s["StartLimitIntervalSec"] == ["0"]
    assert s["User"] == ["thidua"] and s["StateDirectory"] == ["thidua"]
    missing = [key for key in HARDENING if key not in s]
    assert not missing, f"{name} lacks {missing}"
    assert s["CapabilityBoundingSet"] == [""] and s["ProtectSystem"] == ["strict"]


@pytest.mark.parametrize("name", UNITS)
def test_each_units_command_line_is_one_thidua_accepts(name: str) -> None:
    (exec_start,) = _settings(name)["ExecStart"]
    argv = shlex.split(exec_start)
    assert argv[0] == THIDUA and argv[1] == UNITS[name]
    args = build_parser().parse_args(argv[1:])  # a typo in an option exits here
    assert args.command == UNITS[name] and args.data == "/srv/thidua/data"


def _with_real_executable(name: str, tmp_path: Path) -> Path:
    """The unit as installed, but with ExecStart on an executable that exists (verify checks)."""
    thidua = tmp_path / "thidua"
    thidua.write_text(f"#!/bin/sh\nexec {sys.executable} -m dashboard \"$@\"\n")
    thidua.chmod(0o755)
    unit = tmp_path / name
    unit.write_text((DEPLOY / name).read_text(encoding="utf-8").replace(THIDUA, str(thidua)),
                    encoding="utf-8")
    return unit


@pytest.mark.skipif(NO_SYSTEMD, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", UNITS)
def test_each_unit_passes_systemd_analyze_verify(name: str, tmp_path: Path) -> None:
    unit = _with_real_executable(name, tmp_path)
    run = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                         text=True, check=False, timeout=60)
    problems = [ln for ln in (run.stdout + run.stderr).splitlines()
                if name in ln or "thidua" in ln]
    assert run.returncode == 0 and not problems, run.stdout + run.stderr


@pytest.mark.skipif(NO_SYSTEMD, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", UNITS)
def test_systemd_rates_each_unit_well_protected(name: str, tmp_path: Path) -> None:
    unit = _with_real_executable(name, tmp_path)
    run = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(unit)],
                         capture_output=True, text=True, check=False, timeout=60)
    if "--offline" in run.stderr and "unrecognized" in run.stderr:
        pytest.skip("this systemd-analyze cannot rate a unit file offline")
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", run.stdout)
    assert match, run.stdout + run.stderr
    assert float(match.group(1)) <= 2.0, run.stdout  # "OK" on systemd's 0–10 scale
