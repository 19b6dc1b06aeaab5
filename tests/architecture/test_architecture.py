"""The layout's rules, checked on the code itself (docs/architecture.md):

- the import-linter contracts in .importlinter: each layer imports only the layers below it, and no
  two modules of a package import each other in a cycle;
- no function imports the project's own modules (a local import could hide a cycle from a reader);
- no module over 400 lines and no function over 80, unless its docstring says why ("Long because").
"""
from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from simulation._compat import MOVED, SPLIT

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "simulation"
SOURCES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_import_contracts_hold(capsys):
    code = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out[-6000:]


def _local_imports(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    yield inner.lineno, ("." * inner.level) + (inner.module or "")
                elif isinstance(inner, ast.Import):
                    for alias in inner.names:
                        yield inner.lineno, alias.name


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_imports_the_project(path):
    own = [f"line {line}: {name}" for line, name in _local_imports(_tree(path))
           if name.startswith(".") or name == "simulation" or name.startswith("simulation.")]
    assert not own, f"{path.relative_to(ROOT)} imports the project inside functions: {own}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_are_short_or_say_why(path):
    tree = _tree(path)
    lines = len(path.read_text(encoding="utf-8").splitlines())
    module_doc = ast.get_docstring(tree) or ""
    problems = []
    if lines > MAX_MODULE_LINES and "Long because" not in module_doc:
        problems.append(f"{lines} lines (> {MAX_MODULE_LINES})")
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES and "Long because" not in (ast.get_docstring(node) or ""):
                problems.append(f"{node.name} (line {node.lineno}) has {length} lines (> {MAX_FUNCTION_LINES})")
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)


def test_old_module_paths_import_the_new_modules_with_a_warning():
    for old, new in MOVED.items():
        sys.modules.pop(old, None)
        with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
            module = importlib.import_module(old)
        if old in SPLIT:   # an old module split in several: its names come from all of them
            for part in (new, *SPLIT[old]):
                public = [n for n in vars(importlib.import_module(part)) if not n.startswith("_")]
                assert all(getattr(module, n) is getattr(importlib.import_module(part), n) for n in public)
        else:
            assert module is importlib.import_module(new)
