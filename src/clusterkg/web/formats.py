"""Content negotiation of the SPARQL Protocol (werkzeug's Accept parsing).

The formats themselves are written by :mod:`clusterkg.views.serialize`; this module picks the
media type a client gets (``format=`` or ``Accept``), before or after the query runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

from werkzeug.datastructures import MIMEAccept

from clusterkg.errors import UnusableInput
from clusterkg.store.native import NATIVE
from clusterkg.store.results import ResultKind
from clusterkg.views.serialize import FORMAT_ALIASES, offered_types

#: Alternatives of the graph formats when a results format was named for a graph (and back).
_CROSS = {
    "application/sparql-results+xml": "application/rdf+xml",
    "application/sparql-results+json": "application/ld+json",
}


class NotAcceptable(UnusableInput):
    """No offered media type satisfies the client (HTTP 406, RFC 9110 section 15.5.7)."""

    http_status = 406

    def __init__(self, offered: Iterable[str]) -> None:
        self.offered = list(offered)
        super().__init__(
            "none of the requested media types can be produced; available: "
            + ", ".join(self.offered)
        )


def negotiate(accept: MIMEAccept | None, offered: dict[str, str], fmt: str | None) -> str:
    """The media type to answer with: ``format=`` wins, else the best Accept match.

    Quality values and specificity follow RFC 9110 section 12.5.1 as werkzeug implements them;
    ties go to the first offered type. No Accept header means the first offered type.
    """
    if fmt:
        mime = FORMAT_ALIASES.get(fmt.strip().lower(), fmt.strip().lower())
        if mime not in offered and _CROSS.get(mime) in offered:
            mime = _CROSS[mime]
        if mime not in offered:
            raise NotAcceptable(offered)
        return mime
    if not accept:
        return next(iter(offered))
    best = accept.best_match(list(offered))
    if best is None:
        raise NotAcceptable(offered)
    return best


def native_formats(accept: MIMEAccept | None, fmt: str | None) -> dict[ResultKind, str]:
    """Per result kind, the format the client will get if Oxigraph can write it.

    Negotiation happens before the query runs (its kind is not known yet), so the query
    worker can write the body itself (:mod:`clusterkg.store.native`); a kind left out here
    (not acceptable, or JSON-LD) takes the general path after the query.
    """
    out: dict[ResultKind, str] = {}
    for kind in NATIVE:
        offered = offered_types(kind)
        try:
            name = offered[negotiate(accept, offered, fmt)]
        except NotAcceptable:
            continue
        if name in cast("Mapping[str, object]", NATIVE[kind]):
            out[kind] = name
    return out
