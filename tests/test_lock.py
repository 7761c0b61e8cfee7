"""Installs that stay the same: uv.lock agrees with pyproject.toml, every runtime dependency has
its major bounded, and this venv holds exactly the locked versions (what `make` installs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tools.uv_requirement import uv_requirement

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
UV = Path(sys.executable).with_name("uv")
CALENDAR_VERSIONED = {"tzdata"}
"""Versioned by year: an upper bound would only hold back the time-zone rules; the lock pins it."""


def _uv_lock_check(project: Path) -> subprocess.CompletedProcess[str]:
    """`uv lock --check` from the cache; when re-resolving needs index pages the cache lacks (a
    fresh machine's sync fetches wheels, not the index), once more with the package registry."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    command = [str(UV), "lock", "--check", "--python", sys.executable]
    run = subprocess.run([*command, "--offline"], cwd=project, env=env, capture_output=True,
                         text=True, check=False, timeout=120)
    if run.returncode != 0 and "network was disabled" in run.stderr:
        run = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True,
                             check=False, timeout=300)
    return run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.mark.skipif(not UV.exists(), reason="uv is not in this venv (make installs it)")
def test_the_lock_fails_its_check_when_pyproject_no_longer_agrees(project: Path) -> None:
    run = _uv_lock_check(project)
    assert run.returncode == 0, run.stderr  # the committed pair agrees
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert '"duckdb>=2.0.1,<3"' in text
    # a narrower bound that the locked duckdb still meets: the lock is stale all the same
    (project / "pyproject.toml").write_text(
        text.replace('"duckdb>=2.0.1,<3"', '"duckdb>=2.0.1,<2.1"'), encoding="utf-8")
    run = _uv_lock_check(project)
    assert run.returncode != 0
    assert "needs to be updated" in run.stderr


def test_every_runtime_dependency_has_its_major_bounded() -> None:
    unbounded = []
    for line in PYPROJECT["project"]["dependencies"]:
        req = Requirement(line)
        if req.name in CALENDAR_VERSIONED:
            continue
        if not any(spec.operator in ("<", "~=", "==") for spec in req.specifier):
            unbounded.append(line)
    assert not unbounded, f"no upper bound: {unbounded}"


def test_this_venv_holds_exactly_the_locked_versions() -> None:
    locked: dict[str, set[str]] = {}
    for package in LOCK["package"]:
        locked.setdefault(canonicalize_name(package["name"]), set()).add(package["version"])
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    assert installed.pop("thidua") in locked["thidua"]
    wrong = {name: (version, sorted(locked.get(name, ())))
             for name, version in installed.items() if version not in locked.get(name, ())}
    assert not wrong, f"installed (version, locked versions): {wrong}; run make"


def test_the_bootstrap_installs_the_uv_the_lock_records() -> None:
    (uv,) = [p for p in LOCK["package"] if p["name"] == "uv"]
    line = uv_requirement((ROOT / "uv.lock").read_text(encoding="utf-8"))
    assert line.startswith(f"uv=={uv['version']} --hash=sha256:")
    assert line.count("--hash=") == len(uv["wheels"]) + ("sdist" in uv)
    run = subprocess.run([str(UV), "--version"], capture_output=True, text=True, check=True)
    assert run.stdout.split()[1] == uv["version"]
