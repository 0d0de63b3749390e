"""The SERVICE/LOAD scan: the same answers as the regular expressions it replaced, in linear time.

The reference below is the scan as it was before issue 14 (regular expressions that retry an
unclosed IRI or string from every later position, quadratic on pathological input). On small
texts it is the oracle; on 1 MB texts the new scan must finish where the old one took tens of
seconds.
"""

from __future__ import annotations

import random
import re
import time

import pytest
from rdflib import Literal, URIRef

from clusterkg.store.query_engine import QueryEngine, QueryRefused
from clusterkg.store.sparql_text import bind_values, code_only, service_endpoints, uses_load

_REF_STRIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
)
_REF_SERVICE = re.compile(
    r"(?<![\w:?$])SERVICE\s+(?:SILENT\s+)?(<[^>]*>|[?$]\w+|[\w-]*:[\w.-]*)", re.IGNORECASE
)


def reference_code_only(sparql: str) -> str:
    return _REF_STRIP.sub(
        lambda m: (
            " " * len(m.group(0))
            if not m.group(0).startswith("<")
            else "<" + " " * (len(m.group(0)) - 2) + ">"
        ),
        sparql,
    )


def reference_spans(code: str) -> list[str]:
    return [m.group(1) for m in _REF_SERVICE.finditer(code)]


# Pieces that make strings, IRIs, comments and SERVICE clauses open, close, escape and nest.
PIECES = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\\\",
    '\\"',
    "\n",
    " ",
    "\t",
    "<",
    ">",
    "#",
    "{",
    "}",
    "SERVICE",
    "service",
    "SILENT",
    "LOAD",
    "a",
    "ex:",
    "?v",
    "$w",
    "<http://x/>",
    ".",
    ":",
    "-",
]


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))


def test_the_blanking_and_the_endpoints_match_the_regular_expressions_on_random_texts():
    rng = random.Random(14)
    for _ in range(20_000):
        text = _random_text(rng)
        code = code_only(text)
        assert code == reference_code_only(text), repr(text)
        expected = [text[m.start(1) : m.end(1)].strip("<>") for m in _REF_SERVICE.finditer(code)]
        got = service_endpoints(text)
        if expected or "service" not in text.lower():
            assert got == expected, repr(text)


def test_known_cases_keep_their_answers():
    assert service_endpoints("SELECT * { SERVICE <http://a/> { ?s ?p ?o } }") == ["http://a/"]
    assert service_endpoints("SELECT * { SERVICE SILENT ?e { } }") == ["?e"]
    assert service_endpoints("SELECT * { SERVICE ex:e { } }") == ["ex:e"]
    # In strings, IRIs and comments SERVICE is no keyword.
    assert service_endpoints('SELECT * { ?s ?p "SERVICE <http://a/>" }') == []
    assert service_endpoints("SELECT * { ?s ?p ?o } # SERVICE <http://a/>") == []
    assert service_endpoints("SELECT * { ?s <http://x/SERVICE> ?o }") == []
    # A codepoint escape is the keyword to a conforming parser (SPARQL 1.1 section 19.2).
    assert service_endpoints("SELECT * { \\u0053ERVICE <http://a/> { } }") == ["http://a/"]
    # A keyword whose endpoint cannot be read is still reported, so it is refused.
    assert service_endpoints("SELECT * { SERVICE") == ["?"]
    assert uses_load("LOAD <http://a/>") and not uses_load('INSERT DATA { <a> <b> "LOAD" }')
    engine = QueryEngine(None, service_allowlist=("http://ok/",))  # type: ignore[arg-type]
    engine.check_query("SELECT * { SERVICE <http://ok/> { } }")
    with pytest.raises(QueryRefused, match="http://no/"):
        engine.check_query("SELECT * { SERVICE <http://no/> { } }")


MB = 1_000_000


def _pathological() -> dict[str, tuple[str, list[str], str | None]]:
    """Inputs of about 1 MB: the scan's endpoints and blanked text, worked out by hand."""
    k = MB // 9
    unclosed_service = "SERVICE <" * k
    long_open = '"""' + 'a\\"' * (MB // 3) + " SERVICE ?x"
    short_open = '"a\\' * (MB // 3) + "\nSERVICE ?x"
    return {
        # Every "<" opens an IRI that a space ends: nothing is blanked and no endpoint closes,
        # but the keyword is there, so the answer is "?" (refused).
        "repeated unclosed SERVICE <": (unclosed_service, ["?"], unclosed_service),
        # One ">" at the very end ("<>" is an IRI): the first endpoint runs up to it.
        "unclosed SERVICE < closed at the end": (
            unclosed_service + ">",
            [("SERVICE <" * (k - 1))[:-1]],
            None,
        ),
        # A plain word is no endpoint (a prefixed name needs a colon): "?".
        "a long run of keywords": ("SERVICE " * (MB // 8), ["?"], None),
        "deep nesting": (
            "{" * (MB // 2) + "SERVICE <http://a/> {}" + "}" * (MB // 2),
            ["http://a/"],
            None,
        ),
        # The long string never closes (every quote after the first is escaped); as the
        # grammar reads it, its first two quotes are an empty string and the third opens a
        # short string that never closes either: all the rest is code.
        "unclosed long strings": (long_open, ["?x"], "  " + long_open[2:]),
        # Every quote opens a short string whose next quote is escaped: none closes.
        "unclosed short strings": (short_open, ["?x"], short_open),
        "unclosed IRIs with comments": ("<a#SERVICE <b\n" * (MB // 14), [], None),
    }


@pytest.mark.parametrize("name", list(_pathological()))
def test_pathological_inputs_are_scanned_in_linear_time(name):
    text, expected, blanked = _pathological()[name]
    start = time.perf_counter()
    found = service_endpoints(text)
    elapsed = time.perf_counter() - start
    assert found == expected
    if blanked is not None:
        assert code_only(text) == blanked
    # The quadratic scan takes tens of seconds or more on most of these; the linear one a
    # fraction of a second (bounded generously: the machine may be busy).
    assert elapsed < 3.0, f"{name}: {elapsed:.1f} s"


def test_bind_values_without_where_finds_the_first_group_in_linear_time():
    query = "SELECT ?x { ?x ?p ?o }"
    assert bind_values(query, {"o": Literal(1)}).startswith("SELECT ?x { VALUES (?o) { (")
    with pytest.raises(ValueError, match="WHERE"):
        bind_values("SELECT " * (MB // 7), {"o": URIRef("http://a/")})
