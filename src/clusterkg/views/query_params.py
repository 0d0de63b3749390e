"""Named-query parameters given as a person would: a label or alias where an IRI is expected.

"Changan" for a parameter of type ``iri`` becomes ``https://w3id.org/clusterkg/id/enterprise/
changan-automobile`` when exactly one resource has that label or alias (``rdfs:label``,
``skos:altLabel``; compared case-insensitively, spaces collapsed). Several such resources, or
none, are a :class:`~clusterkg.errors.UnusableInput` (HTTP 400) that lists the candidates, or
the closest names as "did you mean" suggestions. Names come from the search index of
:mod:`clusterkg.views.search`, cached per state of the store.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from clusterkg.errors import UnusableInput
from clusterkg.store.kg import KnowledgeGraph
from clusterkg.store.query_engine import QueryError
from clusterkg.views.search import label_index, search
from clusterkg.vocab import page_path

#: Suggestions offered when a name matches nothing.
SUGGESTIONS = 5


class UnknownName(UnusableInput):
    """A parameter's value names no resource, or several: the message lists what it could be."""

    def __init__(self, message: str, candidates: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.candidates = candidates


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _short(rec: Mapping[str, Any]) -> str:
    # The id path where there is one: what the parameter field accepts, and short.
    page = page_path(rec["iri"])
    return f"{rec['label']} ({page.removeprefix('/id/') if page else rec['iri']})"


def resolve_name(kg: KnowledgeGraph, parameter: str, value: str) -> str:
    """The IRI of the one resource whose label or alias is ``value`` (case-insensitive).

    :class:`UnknownName` when several resources have that name (listing them) or none does
    (with up to :data:`SUGGESTIONS` names that contain it or come close to it).
    """
    key = _fold(value)
    index = label_index(kg)
    exact = [
        rec
        for rec in index
        if _fold(rec["label"]) == key or any(_fold(a) == key for a in rec["aliases"])
    ]
    if len(exact) == 1:
        return str(exact[0]["iri"])
    if exact:
        names = "; ".join(_short(rec) for rec in exact)
        raise UnknownName(
            f"parameter {parameter!r}: {value!r} names {len(exact)} resources, give one of "
            f"their IRIs or id paths: {names}",
            exact,
        )
    hits = search(kg, value, limit=SUGGESTIONS)
    if not hits:
        by_label = {rec["label"]: rec for rec in index}
        close = difflib.get_close_matches(value, list(by_label), n=SUGGESTIONS, cutoff=0.6)
        hits = [by_label[n] for n in close]
    message = f"parameter {parameter!r}: no resource is called {value!r}"
    if hits:
        message += "; did you mean " + "; ".join(_short(h) for h in hits) + "?"
    raise UnknownName(message, hits)


#: A number written with thousands separators, as the site shows numbers: 1,398 or 1,300,000.5.
GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def plain_number(value: str) -> str:
    """``1,398`` -> ``1398`` (commas between groups of three digits only); else ``value``."""
    text = value.strip()
    return text.replace(",", "") if GROUPED.fullmatch(text) else value


def resolve_parameters(kg: KnowledgeGraph, query: Any, values: Mapping[str, str]) -> dict[str, str]:
    """``values`` with each ``iri`` parameter that is not an IRI or id path replaced by the
    IRI its name resolves to (:func:`resolve_name`), and numbers written with thousands
    separators (``1,398``) without them; other values unchanged."""
    out = dict(values)
    for p in getattr(query, "parameters", ()) or ():
        value = out.get(p.name)
        if getattr(p, "type", None) in ("integer", "decimal") and value:
            out[p.name] = plain_number(value)
            continue
        if getattr(p, "type", None) != "iri" or not value:
            continue
        try:
            p.to_term(value)
        except QueryError:
            out[p.name] = resolve_name(kg, p.name, value)
    return out
