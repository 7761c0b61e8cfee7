"""The one-way flow is enforced: engine without Textual, widgets without DuckDB or the engine,
SQL only from dashboard/sql/ with bound values."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_never_imports_textual() -> None:
    for path in (ROOT / "dashboard" / "engine").glob("*.py"):
        bad = {n for n in _imports(path) if n.split(".")[0] in ("textual", "rich", "widgets")}
        assert not bad, f"{path.name} imports {bad}"


def test_widgets_never_import_duckdb_or_the_engine() -> None:
    for path in (ROOT / "widgets").glob("*.py"):
        bad = {n for n in _imports(path)
               if n.split(".")[0] in ("duckdb", "pyarrow", "dashboard")}
        assert not bad, f"{path.name} imports {bad}"


def test_at_runtime_the_engine_loads_without_textual_and_the_model_without_duckdb() -> None:
    code = ("import sys\n"
            "import dashboard.engine.model, dashboard.engine.semantics\n"
            "assert 'duckdb' not in sys.modules, 'model/rules pulled in duckdb'\n"
            "import dashboard.engine.engine\n"
            "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual'\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr


def test_sql_is_only_loaded_from_files_and_never_formatted() -> None:
    """Every execute() takes statement(name) or a constant: no f-strings or .format on SQL."""
    for path in (ROOT / "dashboard").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "executemany") and node.args):
                continue
            first = node.args[0]
            ok = (isinstance(first, ast.Constant)
                  or (isinstance(first, ast.Call) and getattr(first.func, "id", "") == "statement"))
            assert ok, f"{path.relative_to(ROOT)}:{node.lineno} runs SQL not from dashboard/sql"


def test_each_sql_file_holds_one_statement() -> None:
    for path in (ROOT / "dashboard" / "sql").glob("*.sql"):
        lines = [ln.split("--", 1)[0] for ln in path.read_text(encoding="utf-8").splitlines()]
        body = "\n".join(lines).strip().rstrip(";")
        assert ";" not in body, f"{path.name} holds more than one statement"
        assert "{" not in body, f"{path.name} looks like a template"


def test_nothing_calls_datetime_now_outside_the_clock() -> None:
    for path in (ROOT / "dashboard").rglob("*.py"):
        if path.name == "clock.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "datetime.now(" not in text, f"{path.relative_to(ROOT)} reads the clock itself"


def test_user_facing_catalogues_have_the_same_keys() -> None:
    from dashboard.i18n import catalogue

    assert catalogue("vi").keys() == catalogue("en").keys()
