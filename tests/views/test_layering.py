"""The view models sit below the web layer: nothing in clusterkg.views imports Flask, werkzeug,
clusterkg.web or clusterkg.cli (read from the import statements of every module)."""

from __future__ import annotations

import ast
from pathlib import Path

import clusterkg.views

FORBIDDEN = ("flask", "werkzeug", "clusterkg.web", "clusterkg.cli")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_views_import_nothing_from_the_layers_above():
    folder = Path(clusterkg.views.__file__).parent
    modules = sorted(folder.glob("*.py"))
    assert len(modules) >= 5
    bad = {
        f"{path.name}: {name}"
        for path in modules
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert not bad
