"""The Flask application factory: one knowledge graph per app, blueprints per area.

``create_app(config)`` takes a :class:`~clusterkg.config.Settings`, or a dict of overrides
(Settings fields such as ``store``, ``query_timeout``, ``update_token``; ``workers`` for the
number of query worker processes; any upper-case key goes to ``app.config``).
"""

from __future__ import annotations

import atexit
import importlib
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from clusterkg.config import Settings
from clusterkg.store.kg import KnowledgeGraph, open_kg
from clusterkg.views import query_errors
from clusterkg.web import errors, limits, security

#: Modules that define a Flask blueprint named ``bp``, registered in this order. Add yours here.
BLUEPRINT_MODULES: list[str] = [
    "clusterkg.web.sparql",
    "clusterkg.web.resources",
    "clusterkg.web.queries_api",
    "clusterkg.web.api",
    "clusterkg.web.ontology",
    "clusterkg.web.pages",
]

#: Query worker processes per app when neither the config nor CLUSTERKG_WORKERS says.
DEFAULT_WORKERS = Settings.workers


def _settings(config: Settings | Mapping[str, Any] | None) -> tuple[Settings, dict[str, Any]]:
    if isinstance(config, Settings):
        return config, {}
    overrides = dict(config or {})
    return Settings.from_env(**overrides), overrides


def create_app(
    config: Settings | Mapping[str, Any] | None = None, *, kg: KnowledgeGraph | None = None
) -> Flask:
    """A Flask app serving the knowledge graph; opens (and loads) the store once.

    Pass ``kg`` to serve an already opened knowledge graph (open it with
    ``open_kg(settings, isolated=True)`` for killable query workers; it is served as given).
    """
    settings, overrides = _settings(config)
    app = Flask(__name__)
    app.config.update({k: v for k, v in overrides.items() if k.isupper()})
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    # Flask's default JSON provider has sort_keys; the JSONProvider base it is typed as does not
    app.json.sort_keys = False  # type: ignore[attr-defined]
    workers = settings.workers
    if kg is None:
        kg = open_kg(
            settings, isolated=True, workers=workers, quiet=bool(overrides.get("quiet", True))
        )
    app.extensions["clusterkg"] = kg
    atexit.register(kg.close)

    errors.init_app(app)
    security.init_app(app)
    limits.init_app(app, settings)
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
    # in this process, so that every query worker forked from it has the grammar ready
    query_errors.preload()
    return app


def get_kg() -> KnowledgeGraph:
    """The knowledge graph of the current app (use inside a request or app context)."""
    return current_app.extensions["clusterkg"]
