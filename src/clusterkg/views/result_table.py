"""A SELECT result as the named-query pages show it: readable column headings, this site's
IRIs as links to their pages (with the label of an ``?xLabel`` column where the query has one),
long texts marked to wrap, numbers with thousands separators.

Only ``http(s)`` IRIs become links: an IRI such as ``javascript:...`` stays text.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from clusterkg.store.results import QueryResult
from clusterkg.vocab import page_path

#: Words kept as written in headings (currency codes and the like).
_UPPER = {"cny", "usd", "eur", "gdp", "iri", "id", "url", "ev", "oem"}
#: A text longer than this wraps in its cell (quotes, locations, descriptions).
LONG_TEXT = 40
_NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.long, XSD.int}


def heading(var: str) -> str:
    """``annualValueCNY`` -> ``Annual value (CNY)``; ``supplierLabel`` -> ``Supplier``."""
    name = var[: -len("Label")] if var.endswith("Label") and len(var) > 5 else var
    words = re.findall(r"[A-Z]{2,}(?=[A-Z][a-z]|\d|_|$)|[A-Z]?[a-z]+|[A-Z]+|\d+", name)
    if not words:
        return var
    out: list[str] = []
    for i, w in enumerate(words):
        if w.lower() in _UPPER or (w.isupper() and len(w) > 1):
            out.append(f"({w.upper()})" if i == len(words) - 1 and i > 0 else w.upper())
        else:
            out.append(w.capitalize() if i == 0 else w.lower())
    return " ".join(out)


def _number(term: Literal) -> str | None:
    if term.datatype not in _NUMERIC:
        return None
    try:
        value = Decimal(str(term))
    except InvalidOperation:
        return None
    if value == value.to_integral_value() and abs(value) < 10**18:
        return f"{int(value):,}"
    whole, _, frac = format(value, "f").partition(".")
    return f"{int(whole):,}.{frac}" if whole.lstrip("-").isdigit() else str(term)


def link_for(iri: str) -> str | None:
    """The href for an IRI: this site's page for its ids, the IRI itself for other http(s)
    IRIs, ``None`` (no link) for any other scheme."""
    local = page_path(iri)
    if local:
        return local
    return iri if re.match(r"https?://", iri, re.IGNORECASE) else None


def cell(term: Any, label: Any = None) -> dict[str, Any]:
    """One shown cell: ``text``, ``href`` (or ``None``), ``long`` (wraps)."""
    if term is None:
        return {"text": "", "href": None, "long": False}
    if isinstance(term, URIRef):
        text = str(label) if label is not None else str(term)
        return {"text": text, "href": link_for(str(term)), "long": len(text) > LONG_TEXT}
    text = str(term)
    if isinstance(term, Literal):
        text = _number(term) or text
    return {"text": text, "href": None, "long": len(text) > LONG_TEXT}


def table(result: QueryResult) -> dict[str, Any]:
    """Headings and rows of cells; a column ``?x`` with a column ``?xLabel`` shows the label,
    linked to ``?x``'s page, and the label column is not repeated."""
    names = set(result.vars)
    merged = {v + "Label" for v in result.vars if v + "Label" in names}
    columns = [v for v in result.vars if v not in merged]
    rows = []
    for row in result.rows:
        cells = []
        for v in columns:
            label = row.get(v + "Label") if v + "Label" in merged else None
            cells.append(cell(row.get(v), label))
        rows.append(cells)
    return {"headings": [heading(v) for v in columns], "vars": columns, "rows": rows}
