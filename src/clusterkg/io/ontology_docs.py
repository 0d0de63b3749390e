"""HTML documentation of the clusterkg ontology, generated with pyLODE and cached by hash.

pyLODE (https://github.com/RDFLib/pyLODE, the OntPub profile) renders the OWL file as one
self-contained HTML page. Rendering takes about a second, so the page is cached in a file
named after the SHA-256 of the ontology file: an edited ontology gets a new page on the next
request, an unchanged one is served from the cache.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from clusterkg.config import Settings
from clusterkg.errors import ClusterkgError
from clusterkg.io.atomic import write_bytes_atomic


class OntologyDocsError(ClusterkgError):
    """The ontology documentation could not be generated."""


def ontology_file(settings: Settings) -> Path:
    """The OWL ontology file that is documented (``ontology/clusterkg.ttl``)."""
    return settings.ontology_dir / "clusterkg.ttl"


def cache_dir() -> Path:
    """Where generated pages are kept: ``$CLUSTERKG_CACHE/ontology``, else
    ``$XDG_CACHE_HOME/clusterkg/ontology`` or ``~/.cache/clusterkg/ontology``."""
    return Settings.from_env().cache_dir / "ontology"


def ontology_html(settings: Settings) -> str:
    """The pyLODE HTML page of the ontology, rebuilt when the ontology file's hash changes."""
    source = ontology_file(settings)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise OntologyDocsError(f"cannot read the ontology {source}: {exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    cached = cache_dir() / f"{digest}.html"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    try:
        from pylode import OntPub

        html = OntPub(str(source)).make_html()
    except Exception as exc:  # pyLODE raises its own and rdflib's errors; all mean "no page"
        raise OntologyDocsError(f"pyLODE could not document {source.name}: {exc}") from None
    try:
        write_bytes_atomic(cached, html.encode("utf-8"))
    except OSError:
        pass  # a read-only cache only costs the next request another rendering
    return html
