"""The one-way flow is enforced: engine without Textual, widgets without DuckDB or the engine,
the app and its screens without any front end, no import cycles, SQL only from dashboard/sql/
with bound values. docs/architecture.md draws the layers these tests hold."""

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


def _modules() -> dict[str, Path]:
    """Every module of dashboard/ and widgets/ by dotted name (a package by its own name)."""
    out: dict[str, Path] = {}
    for top in ("dashboard", "widgets"):
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Module → the project's modules it imports, anywhere in it (in functions too; a
    `from package import name` counts as importing package.name when that is a module)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                found |= {base, *(f"{base}.{a.name}" for a in node.names)}
        graph[name] = set()
        for target in found:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


LAYERS = [
    # (who, must not import)
    ("dashboard.engine", ("dashboard", "widgets")),  # except itself, below
    ("widgets", ("dashboard",)),
    ("dashboard.app", ("dashboard.kiosk", "dashboard.ssh", "dashboard.frontends",
                       "dashboard.cli", "dashboard.importing")),
    ("dashboard.screens", ("dashboard.kiosk", "dashboard.ssh", "dashboard.frontends",
                           "dashboard.cli", "dashboard.importing", "dashboard.app")),
    ("dashboard.refresh_scheduler", ("dashboard", "widgets")),
]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    def under(module: str, prefix: str) -> bool:
        return module == prefix or module.startswith(prefix + ".")

    out = []
    for who, forbidden in LAYERS:
        for module, targets in graph.items():
            if not under(module, who):
                continue
            for target in targets:
                if under(target, who):
                    continue  # a layer may use itself
                if any(under(target, f) for f in forbidden):
                    out.append(f"{module} imports {target}")
    return sorted(out)


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))
    return cycles


def test_each_layer_imports_only_what_is_below_it() -> None:
    assert layer_violations(import_graph()) == []


def test_no_import_cycles_anywhere() -> None:
    assert import_cycles(import_graph()) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    graph = import_graph()
    graph["dashboard.ssh.session"].add("dashboard.ssh.server")  # the circle there used to be
    assert import_cycles(graph) == [["dashboard.ssh.server", "dashboard.ssh.session"]]


def test_the_layer_check_sees_a_violation() -> None:
    """The checker itself: a screen importing the kiosk, an engine module importing a widget."""
    graph = import_graph()
    graph["dashboard.screens.dashboard_screen"].add("dashboard.kiosk.kiosk_screen")
    graph["dashboard.engine.engine"].add("widgets.area_panel")
    assert layer_violations(graph) == [
        "dashboard.engine.engine imports widgets.area_panel",
        "dashboard.screens.dashboard_screen imports dashboard.kiosk.kiosk_screen"]


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
