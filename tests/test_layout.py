"""The tests mirror the source: each product module has a test module in the mirrored place.

`pkg/mod.py` is tested by `tests/pkg/test_mod.py` (`pkg/sub/mod.py` by `tests/pkg/sub/...`); a
package whose `__init__.py` holds code by `tests/pkg/test_<package>.py`. Tests of behaviour
that spans modules (an SDK's round trip, the fuzzed events, the README) live beside those.
Shared helpers live in tests/support/ only: no test module imports another.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("apikeys", "audit", "awsclients", "catalog", "devtools", "handler")


def _holds_code(path: Path) -> bool:
    """More than a docstring and imports: a package `__init__` that defines something."""
    tree = ast.parse(path.read_text())
    return any(
        not isinstance(node, ast.Import | ast.ImportFrom)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        for node in tree.body
    )


def _mirror(path: Path) -> Path:
    relative = path.relative_to(ROOT)
    if relative.name == "__init__.py":
        return ROOT / "tests" / relative.parent / f"test_{relative.parent.name}.py"
    return ROOT / "tests" / relative.parent / f"test_{relative.name}"


PRODUCT_MODULES = sorted(
    path
    for package in PACKAGES
    for path in (ROOT / package).rglob("*.py")
    if path.name != "__init__.py" or _holds_code(path)
)


@pytest.mark.parametrize("module", PRODUCT_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_product_module_has_its_mirrored_test_module(module: Path) -> None:
    mirror = _mirror(module)
    assert mirror.is_file(), f"{module.relative_to(ROOT)}: no {mirror.relative_to(ROOT)}"
    tree = ast.parse(mirror.read_text())
    tests = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    assert any(node.name.startswith("test_") for node in tests), f"{mirror} has no test"


def test_no_test_module_imports_another() -> None:
    offenders = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = node.module.split(".")
                if imported[0] == "tests" and imported[-1].startswith("test_"):
                    offenders.append(f"{path.relative_to(ROOT)} imports {node.module}")
    assert offenders == []


def test_the_mirror_rule_finds_the_modules_it_checks() -> None:
    """The rule above reads every package: a module moved out of sight would pass it silently."""
    names = {str(path.relative_to(ROOT)) for path in PRODUCT_MODULES}
    assert {"handler/app.py", "catalog/snapshot.py", "awsclients/__init__.py"} <= names
    assert "devtools/__init__.py" not in names  # a docstring only
