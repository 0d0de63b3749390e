"""Content negotiation of the SPARQL Protocol (werkzeug's Accept parsing).

The formats themselves are written by :mod:`clusterkg.views.serialize`; this module picks the
media type a client gets (``format=`` or ``Accept``), before or after the query runs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from clusterkg.errors import UnusableInput
from clusterkg.store.native import NATIVE
from clusterkg.store.results import ResultKind
from clusterkg.views.serialize import FORMAT_ALIASES, offered_types

#: A ``format=`` name that means another syntax for a graph: SPARQL clients ask for "XML" and
#: mean RDF/XML for DESCRIBE/CONSTRUCT (SPARQLWrapper's ``XML`` return format does). "json" gets
#: no such alternative: JSON-LD is asked for by its own name, and answering a SELECT-results
#: name with a graph syntax hid the mismatch from the client (issue 15).
_GRAPH_ALTERNATIVE = {"application/sparql-results+xml": "application/rdf+xml"}
#: Every media type some result kind is written in (a ``format=`` outside it is unknown).
_WRITTEN = {*FORMAT_ALIASES.values(), *offered_types("select"), *offered_types("graph")}


class NotAcceptable(UnusableInput):
    """No offered media type satisfies the client (HTTP 406, RFC 9110 section 15.5.7).

    ``reason`` says what was asked for that cannot be given; the message then lists the
    ``format=`` names and media types that fit.
    """

    http_status = 406

    def __init__(self, offered: Iterable[str], reason: str | None = None) -> None:
        self.offered = list(offered)
        names = format_names(self.offered)
        fits = f"format={', '.join(names)}; " if names else ""
        super().__init__(
            (reason or "none of the requested media types can be produced")
            + f"; available: {fits}"
            + ", ".join(self.offered)
        )


def format_names(offered: Iterable[str]) -> list[str]:
    """The first ``format=`` name (in :data:`FORMAT_ALIASES` order) of each offered type."""
    names = []
    for mime in offered:
        name = next((n for n, target in FORMAT_ALIASES.items() if target == mime), None)
        if name is not None and name not in names:
            names.append(name)
    return names


def _result_kind(offered: Mapping[str, str]) -> str:
    kinds = {
        "graph": "an RDF graph (a DESCRIBE or CONSTRUCT result)",
        "ask": "an ASK result",
        "select": "a SELECT result",
    }
    for kind, what in kinds.items():
        if set(offered) == set(offered_types(kind)):
            return what
    return "this resource"


def _named_match(accept: MIMEAccept | None, offered: Mapping[str, str]) -> str | None:
    """The best offered type among those the Accept header names outright (no ``*/*``)."""
    if not accept:
        return None
    named = MIMEAccept([(value, q) for value, q in accept if value != "*/*" and q > 0])
    return named.best_match(list(offered)) if named else None


#: The media types by which a browser asks for a page.
HTML_TYPES = ("text/html", "application/xhtml+xml")


def wants_page(accept: MIMEAccept | None, data_types: list[str]) -> bool:
    """Whether ``accept`` asks for an HTML page rather than one of ``data_types``: only when it
    names text/html (or XHTML) outright and ranks it above them, as browsers do (``text/html,
    ...,*/*;q=0.8``). ``*/*`` alone, the Accept of curl and of Python's requests, is a
    program: it gets data (docs/http-api.md); a tie goes to the data type."""
    if not accept or not any(v.lower() in HTML_TYPES and q > 0 for v, q in accept):
        return False
    return accept.best_match([*data_types, *HTML_TYPES]) in HTML_TYPES


def negotiate(accept: MIMEAccept | None, offered: dict[str, str], fmt: str | None) -> str:
    """The media type to answer with: ``format=`` wins when it can be met, else Accept.

    Quality values and specificity follow RFC 9110 section 12.5.1 as werkzeug implements them;
    ties go to the first offered type. No Accept header means the first offered type.

    A ``format=`` the server cannot meet for this result (an unknown name such as SPARQLWrapper's
    ``n3``, or a SELECT-results format for a graph) does not override an Accept header that
    names an offered type: SPARQLWrapper sends ``format=n3`` together with ``Accept:
    text/turtle, ...`` and must get Turtle. Without such an Accept (none, or only ``*/*``) the
    answer is a 406 that says why and lists the formats that fit.
    """
    if fmt:
        asked = fmt.strip().lower()
        mime = FORMAT_ALIASES.get(asked, asked)
        if mime not in offered and _GRAPH_ALTERNATIVE.get(mime) in offered:
            mime = _GRAPH_ALTERNATIVE[mime]
        if mime in offered:
            return mime
        fallback = _named_match(accept, offered)
        if fallback is not None:
            return fallback
        if mime in _WRITTEN:
            reason = f"format={fmt.strip()} cannot be given for {_result_kind(offered)}"
        else:
            reason = f"format={fmt.strip()} is not a format this server writes"
        raise NotAcceptable(offered, reason)
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


#: Distinct (Accept header, ``format=``) pairs whose negotiation is kept (least recently used
#: ones are dropped): clients send a handful of Accept values, and a client sending a new one
#: with every request only costs the negotiation it would have cost anyway.
NEGOTIATION_CACHE_SIZE = 512


@dataclass(frozen=True)
class Negotiation:
    """The outcome of negotiating one Accept header and ``format=`` for every result kind.

    ``mimes[kind]`` is the media type a result of that kind is answered in, or None when none
    is acceptable (a 406: :meth:`media_type` raises the error that says why); ``native`` is
    :func:`native_formats` of the same request.
    """

    accept: MIMEAccept | None
    fmt: str | None
    mimes: Mapping[str, str | None]
    native: Mapping[ResultKind, str]

    def media_type(self, kind: str) -> str:
        """The media type for a result of ``kind``; :class:`NotAcceptable` if there is none."""
        mime = self.mimes.get(kind)
        if mime is None:
            return negotiate(self.accept, offered_types(kind), self.fmt)  # raises the 406
        return mime


@functools.lru_cache(maxsize=NEGOTIATION_CACHE_SIZE)
def negotiation(accept_header: str, fmt: str | None) -> Negotiation:
    """:func:`negotiate` for each result kind, done once per distinct Accept header value and
    ``format=`` (an empty header: no Accept), and remembered."""
    accept = parse_accept_header(accept_header, MIMEAccept) if accept_header else None
    mimes: dict[str, str | None] = {}
    for kind in ("select", "ask", "graph"):
        try:
            mimes[kind] = negotiate(accept, offered_types(kind), fmt)
        except NotAcceptable:
            mimes[kind] = None
    return Negotiation(accept, fmt, mimes, native_formats(accept, fmt))
