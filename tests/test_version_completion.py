"""`thidua --version` (one source, the libraries a bug report needs) and shell completion
generated from the parser, driven in a real bash."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THIDUA = [sys.executable, "-m", "dashboard"]


def _thidua(*args: str) -> str:
    run = subprocess.run([*THIDUA, *args], capture_output=True, text=True, check=False,
                         timeout=60)
    assert run.returncode == 0 and not run.stderr, run.stderr
    return run.stdout


def test_version_names_thidua_from_pyproject_and_its_libraries() -> None:
    lines = _thidua("--version").splitlines()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert lines[0] == f"thidua {project['version']}"
    for name in ("textual", "duckdb", "pyarrow"):
        assert f"{name} {version(name)}" in lines
    assert lines[-1] == f"Python {sys.version.split()[0]}"
    assert not (ROOT / "dashboard" / "__init__.py").read_text().count(project["version"])


def _complete(script: Path, *words: str) -> list[str]:
    """What bash offers for `words` (the last one being typed), through the function the
    script registers for `thidua`, as bash itself calls it on TAB."""
    line = " ".join(words)
    driver = (f'source {script}\n'
              'fn=$(complete -p thidua | sed -E "s/.* -F ([^ ]+) .*/\\1/")\n'
              f'COMP_WORDS=({" ".join(repr(w) for w in words)})\n'
              f'COMP_CWORD={len(words) - 1}\nCOMP_LINE={line!r}\nCOMP_POINT={len(line)}\n'
              f'"$fn" thidua {words[-1]!r} {words[-2]!r}\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    run = subprocess.run(["bash", "--norc", "--noprofile", "-c", driver], capture_output=True,
                         text=True, check=False, timeout=30)
    assert run.returncode == 0, run.stderr
    return [w for w in run.stdout.splitlines() if w]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_subcommands_and_choices_from_the_parser(tmp_path: Path) -> None:
    script = tmp_path / "thidua.bash"
    script.write_text(_thidua("completion", "bash"), encoding="utf-8")
    assert _complete(script, "thidua", "sn") == ["snapshot"]
    assert set(_complete(script, "thidua", "serve-")) == {"serve-ssh", "serve-web"}
    assert set(_complete(script, "thidua", "kiosk", "--unlock", "")) == {"app", "exit", "off"}
    assert "--authorized-keys" in _complete(script, "thidua", "serve-ssh", "--au")
    (tmp_path / "campaign-a").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    offered = _complete(script, "thidua", "check", "--data", f"{tmp_path}/")
    assert f"{tmp_path}/campaign-a" in offered and f"{tmp_path}/notes.txt" not in offered


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_the_zsh_completion_is_valid_zsh(tmp_path: Path) -> None:
    script = tmp_path / "_thidua"
    script.write_text(_thidua("completion", "zsh"), encoding="utf-8")
    run = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True,
                         check=False, timeout=30)
    assert run.returncode == 0, run.stderr
    assert "snapshot" in script.read_text(encoding="utf-8")
