"""The package's layers: the domain core imports no Excel library (so it can be embedded anywhere), every module
sits in a layer, imports only run down the layers and never in a loop, and the public API stays the same."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mplan_xl"
#: The layers, lowest first: a module may import its own layer and the layers before it, nothing after.
#: ``excel`` (the Excel runtimes) sits beside ``workbook``, below it: the workbook writer embeds the macros.
LAYERS = ["core", "read", "excel", "workbook", "check", "year", "portfolio", "cli"]
#: The front doors, above every layer: the public API (``mplan_xl``) and ``mplan_xl.udfs``, the name the
#: workbooks' VBA calls. A layer may take only the version from the package itself.
FACADES = {"mplan_xl": {"__version__"}, "mplan_xl.udfs": set()}
#: Leaves any layer may read: the version, in its one place (it imports nothing).
LEAVES = {"mplan_xl._version"}

# Besides the core, the pure modules an embedder may want (they render formulas as plain strings).
CORE = sorted(f"core.{p.stem}" for p in (PACKAGE / "core").glob("*.py") if p.stem != "__init__") + [
    "workbook.guide_status"]
EXCEL_LIBRARIES = ["xlsxwriter", "openpyxl", "python_calamine", "xlwings", "pandas", "defusedxml", "olefile"]


def test_core_modules_import_without_excel_libraries():
    assert "core.schema" in CORE and "core.metrics" in CORE
    script = (
        "import sys\n"
        f"for name in {EXCEL_LIBRARIES!r}: sys.modules[name] = None  # any import of them now fails\n"
        f"for module in {CORE!r}: __import__('mplan_xl.' + module)\n"
        "from mplan_xl.core.metrics import roi; assert roi(3, 2) == 0.5\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_core_imports_only_the_standard_library():
    outside = []
    for path in sorted((PACKAGE / "core").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            outside += [f"core/{path.name}:{node.lineno}: {name}" for name in names
                        if name.split(".")[0] not in sys.stdlib_module_names]
    assert not outside, "the core imports only the standard library:\n" + "\n".join(outside)


# --- the layers ---------------------------------------------------------------------------------------------

def _modules() -> dict[str, Path]:
    """Dotted name -> file of every module of the package (the git-ignored ``macros_vba`` link holds no Python)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if "macros_vba" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(modules: dict[str, Path]) -> list[tuple[str, int, str, set[str]]]:
    """(module, line, imported module, names taken) for every import of a module of the package, at any depth:
    top level, inside functions, under ``if TYPE_CHECKING``."""
    found = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [(alias.name, set()) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # "from . import schema" imports the module schema; "from .plan import Plan" the module plan
                targets = [(f"{module}.{a.name}", set()) if f"{module}.{a.name}" in modules else (module, {a.name})
                           for a in node.names]
            else:
                continue
            for target, names in targets:
                while target and target not in modules:   # "import mplan_xl.core.schema" -> that module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.append((name, node.lineno, target, names))
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_sits_in_a_layer():
    stray = [m for m in _modules() if m not in FACADES and m not in LEAVES and _layer(m) is None]
    assert not stray, f"modules outside the layers {LAYERS} (move each into the subpackage of its layer): {stray}"
    for layer in LAYERS:   # each layer says what it holds and what it may import
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"mplan_xl/{layer}/__init__.py: a docstring saying what it may import"


def test_imports_run_down_the_layers_only():
    modules = _modules()
    wrong = []
    for module, line, target, names in _imports(modules):
        where = f"{modules[module].relative_to(PACKAGE.parent)}:{line}: {module} imports {target}"
        if target in LEAVES:
            continue
        if target in FACADES:
            if module not in FACADES and not names <= FACADES[target]:
                wrong.append(f"{where} (a front door; a layer may only take {sorted(FACADES[target])} from it)")
            continue
        mine, theirs = _layer(module), _layer(target)
        if mine is not None and theirs is not None and LAYERS.index(theirs) > LAYERS.index(mine):
            wrong.append(f"{where}: layer {mine!r} may not import layer {theirs!r}, above it")
    assert not wrong, "imports running up the layers:\n" + "\n".join(wrong)


def test_no_import_loop():
    modules = _modules()
    graph: dict[str, dict[str, int]] = {m: {} for m in modules}
    for module, line, target, _ in _imports(modules):
        if target not in FACADES:
            graph[module].setdefault(target, line)
    # Tarjan's strongly connected components: a component of more than one module is a loop.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                loops.append(sorted([v, *component]))

    for module in graph:
        if module not in index:
            visit(module)
    described = [", ".join(f"{a} imports {b} (line {graph[a][b]})" for a in loop for b in graph[a] if b in loop)
                 for loop in loops]
    assert not loops, "import loops:\n" + "\n".join(described)


def test_the_layer_checks_see_an_import_inside_a_function(tmp_path, monkeypatch):
    """The checks read function-level and TYPE_CHECKING imports too: a core module reaching up is caught."""
    package = tmp_path / "mplan_xl"
    for layer in ("core", "check"):
        (package / layer).mkdir(parents=True)
        (package / layer / "__init__.py").write_text(f'"""{layer}. May import: nothing."""\n')
    (package / "__init__.py").write_text("")
    (package / "core" / "errors.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..check.report import FileReport\n")
    (package / "check" / "report.py").write_text("def f():\n    from ..core import errors\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    with pytest.raises(AssertionError, match=r"mplan_xl.core.errors imports mplan_xl.check.report.*'core' may not"):
        test_imports_run_down_the_layers_only()
    with pytest.raises(AssertionError, match=r"mplan_xl.check.report imports mplan_xl.core.errors \(line 2\)"):
        test_no_import_loop()


# --- the public API -----------------------------------------------------------------------------------------

PUBLIC_API = {"FileReport", "Identity", "MplanError", "Plan", "Report", "UsageError", "__version__", "build_workbook",
              "check", "check_file", "demo_workbook", "new_workbook"}


def test_public_api_is_there_on_first_use():
    import mplan_xl

    assert callable(mplan_xl.new_workbook) and callable(mplan_xl.check) and mplan_xl.Report.__name__ == "Report"


def test_public_api_names_stay_the_same():
    import mplan_xl
    from mplan_xl.check import report, validator
    from mplan_xl.core import errors, plan
    from mplan_xl.workbook import builder, demo

    assert set(mplan_xl.__all__) == PUBLIC_API
    assert (mplan_xl.new_workbook, mplan_xl.build_workbook, mplan_xl.demo_workbook) == (
        builder.new_workbook, builder.build_workbook, demo.demo_workbook)
    assert (mplan_xl.Report, mplan_xl.FileReport, mplan_xl.check_file) == (
        report.Report, report.FileReport, validator.check_file)
    assert (mplan_xl.Identity, mplan_xl.Plan, mplan_xl.MplanError, mplan_xl.UsageError) == (
        plan.Identity, plan.Plan, errors.MplanError, errors.UsageError)
    assert isinstance(mplan_xl.__version__, str)


@pytest.mark.parametrize("first", ["", "import mplan_xl.check.validator", "from mplan_xl.check import report"])
def test_check_stays_the_function_beside_the_check_subpackage(first, tmp_path):
    """``mplan_xl.check(paths)`` checks files whether or not the subpackage ``mplan_xl.check`` was imported first."""
    (tmp_path / "notes.txt").write_text("pas un classeur")
    script = (
        f"{first}\n"
        "import inspect, mplan_xl\n"
        "from mplan_xl import check\n"
        "from mplan_xl.check.validator import check as function\n"
        "assert inspect.signature(mplan_xl.check) == inspect.signature(function)\n"
        f"report = check([{str(tmp_path / 'notes.txt')!r}], lang='en')\n"
        "print(type(report).__name__, report.files[0].status)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.split() == ["Report", "unreadable"], result.stderr
    assert inspect.signature(__import__("mplan_xl").check).parameters.keys() >= {"paths", "lang"}
