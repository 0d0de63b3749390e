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
        return with_landmarks(cached.read_text(encoding="utf-8"))
    try:
        from pylode import OntPub

        html = OntPub(str(source)).make_html()
    except Exception as exc:  # pyLODE raises its own and rdflib's errors; all mean "no page"
        raise OntologyDocsError(f"pyLODE could not document {source.name}: {exc}") from None
    try:
        write_bytes_atomic(cached, html.encode("utf-8"))
    except OSError:
        pass  # a read-only cache only costs the next request another rendering
    return with_landmarks(html)


#: pyLODE's page as it writes it -> the same with a language and ARIA landmarks (WCAG 2.1
#: SC 3.1.1 language of page; landmarks let screen-reader users jump to the contents or the
#: table of contents). pyLODE's own markup has neither.
_LANDMARKS = {
    "<html>": '<html lang="en">',
    '<div id="content">': '<div id="content" role="main">',
    '<div id="toc">': '<div id="toc" role="navigation" aria-label="Table of contents">',
    '<div id="pylode">': '<div id="pylode" role="contentinfo">',
}


def with_landmarks(html: str) -> str:
    """pyLODE's HTML with ``lang="en"`` and main, navigation and contentinfo landmarks.

    Each element is changed once, where pyLODE writes it; markup another pyLODE version writes
    differently is left as it is (the accessibility test then says what is missing).
    """
    for plain, marked in _LANDMARKS.items():
        html = html.replace(plain, marked, 1)
    return html
