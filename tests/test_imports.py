"""The import structure: no cycles between the product's modules, and boto3 only in awsclients.

Read from the source (ast), not by importing: every module-level import counts, those under
`if TYPE_CHECKING:` included (a cycle there still ties two modules together, and mypy follows
it). An import inside a function is left out: it runs when called, never at import, and each
one says why it is there (the cold start).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("apikeys", "awsclients", "catalog", "devtools", "handler")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
}


def _module_level(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports outside any function or class body: at the top, or under if/try at the top."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If | ast.Try):
            pending.extend(node.body + node.orelse)
            if isinstance(node, ast.Try):
                pending.extend(node.finalbody)
                for handler in node.handlers:
                    pending.extend(handler.body)


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The modules an import statement names (`from package import submodule` names it)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if MODULES[module].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in MODULES else base


def import_graph(*, everywhere: bool = False) -> dict[str, set[str]]:
    """Module -> the product modules it imports (at module level; `everywhere`: any import)."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        nodes = (
            [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
            if everywhere
            else list(_module_level(tree))
        )
        graph[module] = {
            target
            for node in nodes
            for target in _targets(module, node)
            if target in MODULES and target != module
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_product_modules_import_each_other_without_a_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_boto3_is_imported_only_by_awsclients(module: str) -> None:
    """awsclients owns boto3 (the clients, their timeouts, `preload()` for the init)."""
    if module.split(".")[0] == "awsclients":
        return
    tree = ast.parse(MODULES[module].read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert not [name for name in names if name.split(".")[0] == "boto3"], (
            f"{module} imports boto3 (line {node.lineno}): use awsclients"
        )


# Modules being reworked on another branch (issue 18) when this test was written: their
# function-local imports are explained there.
_LOCAL_IMPORTS_ELSEWHERE = frozenset({"catalog.dynamodb"})


@pytest.mark.parametrize("module", sorted(set(MODULES) - _LOCAL_IMPORTS_ELSEWHERE))
def test_every_function_local_import_says_why(module: str) -> None:
    """An import inside a function is deferred on purpose (the cold start, the CLI's start-up,
    an optional extra): a comment on the line above its block, or on the line, says which."""
    lines = MODULES[module].read_text().splitlines()
    tree = ast.parse("\n".join(lines))
    unexplained = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        previous: ast.stmt | None = None
        for statement in function.body:
            is_import = isinstance(statement, ast.Import | ast.ImportFrom)
            block_start = is_import and not isinstance(previous, ast.Import | ast.ImportFrom)
            if block_start:
                line = lines[statement.lineno - 1]
                above = lines[statement.lineno - 2].strip()
                if "#" not in line and not above.startswith("#"):
                    unexplained.append(statement.lineno)
            previous = statement
    assert unexplained == [], f"{module}: function-local imports without a reason: {unexplained}"
