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
from collections.abc import Callable, Mapping
from functools import lru_cache

from rdflib.term import Node


class SparqlTextError(ValueError):
    """The text cannot take what was asked of it (a bad variable name, no WHERE clause)."""


_KEYWORD = {
    kw: re.compile(rf"(?<![\w:?$]){kw}(?![\w:-])", re.IGNORECASE) for kw in ("SERVICE", "LOAD")
}
_LINE_COL = re.compile(r"(\d+):(\d+)")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WHERE_BRACE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_FORM = re.compile(r"\b(SELECT|ASK)\b", re.IGNORECASE)
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RELATIVE_IRI = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)[^<>\"{}|^`\\\s]*>")


_SERVICE_HEAD = r"(?<![\w:?$])SERVICE\s+(?:SILENT\s+)?"
_NAMED_ENDPOINT = r"(?P<name>[?$]\w+|[\w-]*:[\w.-]*)"
_SERVICE_ANY = re.compile(_SERVICE_HEAD + f"(?:(?P<iri><)|{_NAMED_ENDPOINT})", re.IGNORECASE)
_SERVICE_NAMED = re.compile(_SERVICE_HEAD + _NAMED_ENDPOINT, re.IGNORECASE)


#: The four string kinds of SPARQL (section 19.8, longest opener first as the grammar reads
#: them), each with its content rule. ``*+`` never backtracks, and the closing quote is
#: optional, so an unclosed string still matches (up to where its scan stopped) instead of
#: being retried by the regular expression engine from every later quote.
_STRING_KINDS = (
    ('"""', r'"""(?:[^"\\]++|\\.|"(?!""))*+(?P<c0>""")?'),
    ("'''", r"'''(?:[^'\\]++|\\.|'(?!''))*+(?P<c1>''')?"),
    ('"', r'"(?:[^"\\\n]++|\\.)*+(?P<c2>")?'),
    ("'", r"'(?:[^'\\\n]++|\\.)*+(?P<c3>')?"),
)
_IRI_BODY = r"[^<>\"{}|^`\\\s]*"
_CLOSE = {f"s{i}": (kind, f"c{i}") for i, (kind, _) in enumerate(_STRING_KINDS)}


@lru_cache(maxsize=16)
def _tokens(disabled: frozenset[str]) -> re.Pattern[str]:
    """Strings of the kinds not ``disabled``, IRIs, comments, then runs of other code and
    single characters (an opener that opens nothing)."""
    strings = [
        f"(?P<s{i}>{rx})" for i, (kind, rx) in enumerate(_STRING_KINDS) if kind not in disabled
    ]
    # A run of code takes every character that cannot open anything here: a "<" that starts
    # no IRI (the look-ahead stops at the next "<"), and a quote whose short kind is off
    # (unless it starts a long string of a kind that is on).
    quiet = [
        re.escape(q) if q * 3 in disabled else f"{q}(?!{q}{q})" for q in "\"'" if q in disabled
    ]
    run = "(?:" + "|".join([r"[^\"'<#]++", f"<(?!{_IRI_BODY}>)", *quiet]) + ")++"
    return re.compile(
        "|".join([*strings, rf"(?P<iri><{_IRI_BODY}>)", r"(?P<note>#[^\n]*)", run, r"[\s\S]"])
    )


def code_only(sparql: str) -> str:
    """The query with strings, IRIs and comments blanked, so keywords are found only as code.

    Every character keeps its offset (IRIs keep their ``<`` and ``>``), so a position found in
    the result is a position in ``sparql``. An opening quote or ``<`` that never closes stays
    code, as the character it is, and the text after it is read on.

    Linear in the length of the text. A regular expression that retries an unclosed string
    from every later quote is quadratic (issue 14: 1 MB of ``SERVICE <`` froze the server for
    73 s). Here an unclosed string marks where its scan stopped, and quotes of the same kind
    before that point are not tried again: they cannot close either, as their scan would
    follow the same characters in the same escape alignment. An IRI's scan stops at the next
    ``<``, so no character is scanned by two of them.
    """
    out: list[str] = []
    disabled: dict[str, int] = {}  # string kind -> where its last unclosed scan stopped
    pos = 0
    n = len(sparql)
    while pos < n:
        until = min(disabled.values(), default=n + 1)
        resume = n
        for m in _tokens(frozenset(disabled)).finditer(sparql, pos):
            start, end = m.span()
            if start >= until:
                resume = start  # a kind that could not close may open strings again here
                break
            name = m.lastgroup
            if name is None and end > until:
                # A run of code took quotes of a kind that may open strings again from
                # ``until``: keep the run up to there and read on from there.
                out.append(sparql[start:until])
                resume = until
                break
            if name is None:  # code: a run, or one character that opens nothing
                out.append(m.group())
            elif name == "iri":
                out.append("<" + " " * (end - start - 2) + ">")
            elif name == "note" or m.group(_CLOSE[name][1]) is not None:
                out.append(" " * (end - start))  # a comment, or a string that closed
            else:  # an unclosed string: its opener is code, and the text after it is read on
                kind = _CLOSE[name][0]
                disabled[kind] = end
                if len(kind) == 3 and disabled.get(kind[0], -1) <= start:
                    # As the grammar does, a long quote that does not close is read as an
                    # empty short string and one more quote.
                    out.append("  ")
                    resume = start + 2
                else:
                    out.append(kind[0])
                    resume = start + 1
                break
        pos = resume
        disabled = {kind: stop for kind, stop in disabled.items() if stop > pos}
    out.append(sparql[pos:])
    return "".join(out)


def _service_matches(code: str) -> list[tuple[int, int]]:
    """The spans of the endpoints written after ``SERVICE [SILENT]`` in blanked ``code``.

    The same matches as ``SERVICE\\s+(?:SILENT\\s+)?(<[^>]*>|[?$]\\w+|[\\w-]*:[\\w.-]*)``
    found left to right, in linear time: that pattern re-scans to the end of the text for
    every ``<`` that no ``>`` follows. Here the ``>`` is looked for once; when there is none,
    no ``<`` endpoint can close later either, and the search goes on for named ones only.
    """
    spans = []
    pattern = _SERVICE_ANY
    pos = 0
    while (m := pattern.search(code, pos)) is not None:
        if m.group("name") is not None:
            spans.append(m.span("name"))
            pos = m.end()
            continue
        start = m.start("iri")
        close = code.find(">", start)
        if close < 0:
            pattern = _SERVICE_NAMED
            pos = m.end()
            continue
        spans.append((start, close + 1))
        pos = close + 1
    return spans


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
    found = [sparql[start:end].strip("<>") for start, end in _service_matches(code)]
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
    m = _WHERE_BRACE.search(code)
    if m is not None:
        at = m.end()
    else:
        # The first "{" after the first SELECT/ASK (the group of a query written without
        # WHERE), found without retrying from every later keyword.
        form = _FORM.search(code)
        brace = code.find("{", form.end()) if form is not None else -1
        if brace < 0:
            raise SparqlTextError("parameters need a query with a WHERE clause")
        at = brace + 1
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(v.n3() for v in bindings.values())
    return f"{sparql[:at]} VALUES ({names}) {{ ({values}) }} {sparql[at:]}"


def with_base(query: str, base: str | Callable[[], str]) -> tuple[str, int]:
    """The query with ``BASE <base>`` in front when it has relative IRIs, and the added width.

    The protocol lets the service choose the base IRI; the endpoint URL is the natural one. It
    goes on the first line, so error lines stay right (columns on line 1 are corrected).
    ``base`` may be a function, called only when the query needs it.
    """
    if not _RELATIVE_IRI.search(query):
        return query, 0
    prefix = f"BASE <{base() if callable(base) else base}> "
    return prefix + query, len(prefix)
