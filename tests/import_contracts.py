"""Two import-linter contracts of our own, beside the built-in ``layers`` (configured in pyproject.toml).

- ``private_names``: no module imports another module's ``_private`` name (``from forecast.x import _y``,
  or ``x._y`` through an imported module): a name that begins with an underscore belongs to its module.
  Dunder names (``__version__``) are public. A private *module* (``models/_common.py``) is the
  built-in ``private_modules`` contract's business.
- ``module_cycles``: no import cycle among the package's modules, whether the imports sit at the top of a
  module or inside a function (an import moved into a function to dodge a cycle is still a cycle).
  Imports under ``if TYPE_CHECKING:`` never run and are left out.

``lint-imports`` puts the working directory on ``sys.path``, so run it from the repository root
(``make test`` does, and so does ``tests/test_architecture.py``).
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import grimp
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _source_files(graph: grimp.ImportGraph, root: str) -> dict[str, Path]:
    """Module name → source file, for every module of ``root`` in the graph (found without importing it)."""
    spec = importlib.util.find_spec(root)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"cannot find the package {root!r}")
    base = Path(spec.origin).parent
    out = {}
    for module in graph.find_descendants(root) | {root}:
        parts = module.split(".")[1:]
        path = base.joinpath(*parts)
        out[module] = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return out


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, module: str, path: Path) -> str:
    if not node.level:
        return node.module or ""
    base = _package_of(module, path).split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


class PrivateNamesContract(Contract):
    """No module takes another module's ``_private`` name."""

    type_name = "private_names"
    root = fields.StringField()

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        root = str(self.root)
        breaches = []
        for module, path in sorted(_source_files(graph, root).items()):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            aliases: dict[str, str] = {}      # local name → module of ours it stands for
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    target = _absolute(node, module, path)
                    if not (target == root or target.startswith(root + ".")):
                        continue
                    for alias in node.names:
                        if _is_private(alias.name) and target != module:
                            breaches.append(f"{module}:{node.lineno} imports {alias.name} from {target}")
                        elif f"{target}.{alias.name}" in graph.modules:
                            aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name.startswith(root + ".") and alias.asname:
                            aliases[alias.asname] = alias.name
            for node in ast.walk(tree):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id in aliases and _is_private(node.attr) and aliases[node.value.id] != module):
                    breaches.append(f"{module}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
        return ContractCheck(kept=not breaches, metadata={"breaches": breaches})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["breaches"]:
            output.print_error(f"- {line}: a _private name belongs to its module; make it public or keep it there")


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


class ModuleCyclesContract(Contract):
    """No import cycle among the package's modules."""

    type_name = "module_cycles"
    root = fields.StringField()

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        root = str(self.root)
        modules = graph.find_descendants(root) | {root}
        edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
        cycles = _cycles(edges)
        lines = []
        for component in cycles:
            members = set(component)
            ties = [f"{a} -> {b} (line {', '.join(str(d['line_number']) for d in graph.get_import_details(importer=a, imported=b))})"
                    for a in component for b in sorted(edges[a] & members)]
            lines.append(f"cycle of {len(component)}: " + "; ".join(ties))
        return ContractCheck(kept=not cycles, metadata={"cycles": lines})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["cycles"]:
            output.print_error(f"- {line}")
