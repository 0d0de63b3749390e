"""Pure functions on SPARQL text: no store, no engine, only the query string.

- :func:`code_only`: the text with strings, IRIs and comments blanked, so that keywords are
  found only where they are code;
- :func:`service_endpoints` and :func:`uses_load`: the SERVICE/LOAD scan behind the endpoint's
  refusals;
- :func:`bind_values`: parameters bound by a ``VALUES`` block, never spliced as text;
- :func:`with_base`: a ``BASE`` for queries with relative IRIs (SPARQL 1.1 Protocol);
- :func:`parse_position`: line and column of an Oxigraph parser message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib.term import Node


class SparqlTextError(ValueError):
    """The text cannot take what was asked of it (a bad variable name, no WHERE clause)."""


_STRIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
)
_SERVICE = re.compile(
    r"(?<![\w:?$])SERVICE\s+(?:SILENT\s+)?(<[^>]*>|[?$]\w+|[\w-]*:[\w.-]*)", re.IGNORECASE
)
_KEYWORD = {
    kw: re.compile(rf"(?<![\w:?$]){kw}(?![\w:-])", re.IGNORECASE) for kw in ("SERVICE", "LOAD")
}
_LINE_COL = re.compile(r"(\d+):(\d+)")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WHERE_BRACE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_FORM_BRACE = re.compile(r"\b(SELECT|ASK)\b[^{]*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RELATIVE_IRI = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)[^<>\"{}|^`\\\s]*>")


def code_only(sparql: str) -> str:
    """The query with strings, IRIs and comments blanked, so keywords are found only as code.

    Every character keeps its offset (IRIs keep their ``<`` and ``>``), so a position found in
    the result is a position in ``sparql``.
    """
    return _STRIP.sub(
        lambda m: (
            " " * len(m.group(0))
            if not m.group(0).startswith("<")
            else "<" + " " * (len(m.group(0)) - 2) + ">"
        ),
        sparql,
    )


def codepoints(sparql: str) -> str:
    """The text with SPARQL codepoint escapes (``\\u0053``, ``\\U00000053``) replaced, as a
    conforming server does before parsing (SPARQL 1.1 section 19.2): ``\\u0053ERVICE`` is
    ``SERVICE`` to a remote store behind ``sparql:``."""
    if "\\u" not in sparql and "\\U" not in sparql:
        return sparql

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)  # not a character: left as is

    return _CODEPOINT.sub(char, sparql)


def service_endpoints(sparql: str) -> list[str]:
    """The endpoints named after ``SERVICE`` (variables and prefixed names as written).

    A ``SERVICE`` keyword whose endpoint cannot be read gives ``"?"``, so it is still refused.
    """
    sparql = codepoints(sparql)
    if "service" not in sparql.lower():  # the common case, without blanking the whole text
        return []
    code = code_only(sparql)
    found = []
    for m in _SERVICE.finditer(code):
        start, end = m.span(1)
        found.append(sparql[start:end].strip("<>"))
    if not found and _KEYWORD["SERVICE"].search(code):
        found.append("?")
    return found


def uses_load(sparql: str) -> bool:
    """True if the update text contains a ``LOAD`` operation."""
    sparql = codepoints(sparql)
    if "load" not in sparql.lower():
        return False
    return bool(_KEYWORD["LOAD"].search(code_only(sparql)))


def parse_position(message: str) -> tuple[int | None, int | None]:
    """Line and column from an Oxigraph parser message ("error at 3:14: ...")."""
    m = _LINE_COL.search(message)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def bind_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """The query with its variables bound by a ``VALUES`` block opening the WHERE group.

    Terms are written with rdflib's escaping (``Node.n3()``), never spliced as raw text, so a
    value such as ``"} ; DROP ALL ; #`` stays a string literal. Opening the group (rather than
    trailing the query) makes the bound values visible to the group's FILTERs, BINDs and
    aggregates, on every backend alike. Raises :class:`SparqlTextError`.
    """
    if not bindings:
        return sparql
    for name in bindings:
        if not _VARIABLE.fullmatch(name):
            raise SparqlTextError(f"{name!r} is not a SPARQL variable name")
    code = code_only(sparql)
    m = _WHERE_BRACE.search(code) or _FORM_BRACE.search(code)
    if m is None:
        raise SparqlTextError("parameters need a query with a WHERE clause")
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(v.n3() for v in bindings.values())
    at = m.end()
    return f"{sparql[:at]} VALUES ({names}) {{ ({values}) }} {sparql[at:]}"


def with_base(query: str, base: str) -> tuple[str, int]:
    """The query with ``BASE <base>`` in front when it has relative IRIs, and the added width.

    The protocol lets the service choose the base IRI; the endpoint URL is the natural one. It
    goes on the first line, so error lines stay right (columns on line 1 are corrected).
    """
    if not _RELATIVE_IRI.search(query):
        return query, 0
    prefix = f"BASE <{base}> "
    return prefix + query, len(prefix)
