"""The web layer: the SPARQL endpoint, linked-data pages and named queries (a Flask app)."""

from clusterkg.web.app import create_app

__all__ = ["create_app"]
