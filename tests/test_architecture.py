"""The house rules of ``src/clusterkg``, read from every module's import statements.

- The import graph has no cycles (function-level imports count too: a lazy import that
  closes a cycle is still a cycle a reader has to understand).
- No module imports another module's private (``_name``) names.
- Each layer imports only from the layers below it (docs/architecture.md):
  foundation (config, errors, vocab, version) -> store -> queries, validate, shacl, stats ->
  analytics, io -> views -> session (and ``clusterkg.open``) -> web, cli.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import clusterkg

SRC = Path(clusterkg.__file__).parent

#: The layer of each top-level module or package; a module may import its own layer or lower.
LAYERS = {
    # The package itself is the Python API's front door (``clusterkg.open``), above session.
    "clusterkg": 5,
    "config": 0,
    "errors": 0,
    "vocab": 0,
    "version": 0,
    "store": 1,
    "queries": 2,
    "validate": 2,
    "shacl": 2,
    "stats": 2,
    "analytics": 3,
    "io": 3,
    "views": 4,
    "session": 5,
    "web": 6,
    "cli": 6,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = ["clusterkg", *path.relative_to(SRC).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]):
    """``(target module, imported name or None)`` for every import in ``path``."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield (full, None) if full in modules else (base, alias.name)


def _owner(target: str, modules: dict[str, Path]) -> str | None:
    while target and target not in modules:
        target = target.rsplit(".", 1)[0] if "." in target else ""
    return target or None


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else LAYERS["clusterkg"]


def _graph() -> tuple[nx.DiGraph, list[str]]:
    modules = _modules()
    graph = nx.DiGraph()
    private = []
    for name, path in modules.items():
        graph.add_node(name)
        for target, imported in _imports(name, path, modules):
            owner = _owner(target, modules) if target.startswith("clusterkg") else None
            if owner is None or owner == name:
                continue
            graph.add_edge(name, owner)
            if imported and imported.startswith("_") and not imported.startswith("__"):
                private.append(f"{name} imports {owner}.{imported}")
    return graph, private


def test_every_top_level_module_has_a_layer():
    top = {m.split(".")[1] for m in _modules() if "." in m}
    assert top <= set(LAYERS), f"give these a layer in LAYERS: {sorted(top - set(LAYERS))}"


def test_the_import_graph_has_no_cycles():
    graph, _ = _graph()
    assert graph.number_of_edges() > 100  # the walk found the imports
    assert list(nx.simple_cycles(graph)) == []


def test_no_module_imports_another_modules_private_names():
    _, private = _graph()
    assert private == []


def test_each_layer_imports_only_from_the_layers_below():
    graph, _ = _graph()
    upward = sorted(
        f"{a} (layer {_layer(a)}) imports {b} (layer {_layer(b)})"
        for a, b in graph.edges
        if _layer(b) > _layer(a)
    )
    assert upward == []
