"""Query errors in a person's words, at the place in the query where the problem is.

Oxigraph's SPARQL parser (rust-peg) reports the *furthest* position any grammar rule reached
and every token those rules would have taken there: ``FILTER(?x = )`` on line 4 is reported at
the start of line 5, and an undeclared prefix as "expected one of Prefix not found, ['%'],
['-' | '0' ..= '9' | '\\u{00B7}' ...]", six lines of Unicode ranges. This module turns such a
message into one a person can act on:

- an undeclared prefix: "prefix `x:` is not declared", at the first use of ``x:`` in the
  query (and the ``PREFIX`` line to add, for the project's own prefixes);
- any other syntax error: the place where the query stops being SPARQL, found by rdflib's
  parser (pyparsing, which reports where the failing grammar element starts), refined inside
  a graph-pattern element (``FILTER``, ``BIND``, ``OPTIONAL``...) by parsing that element
  alone, and the text found there.

Lines and columns count from 1; columns count characters (not bytes), as editors show them.
The grammar is SPARQL 1.1 Query Language, section 19 (https://www.w3.org/TR/sparql11-query/).
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from clusterkg.store.query_engine import QueryError
from clusterkg.vocab import PREFIXES


@dataclass(frozen=True)
class QueryProblem:
    """What is wrong with a query (``message``, without the place) and where (1-based line
    and column, or ``None``)."""

    message: str
    line: int | None = None
    column: int | None = None


# Strings, IRIs and comments, whose text must not be read as code.
_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*"
)
# PNAME_NS (SPARQL 1.1 grammar rule [140]); PN_PREFIX restricted to ASCII letters, digits,
# '_', '-' and inner '.', which covers the prefixes people type.
_PNAME_NS = r"(?:[A-Za-z](?:[\w.-]*[\w-])?)?:"
_DECLARATION = re.compile(rf"\bPREFIX\s+({_PNAME_NS})", re.IGNORECASE)
# A prefixed name's start: not inside a word, a variable (?x, $x), a language tag or a blank
# node label (_:b).
_USE = re.compile(rf"(?<![\w.:?$@-])({_PNAME_NS})")
_DANGLING_OPERATOR = re.compile(r"(?:!=|<=|>=|&&|\|\||[=<>+*/-])\s*(?=[),}]|AS\b|$)", re.I)
_PREFIX_NOT_FOUND = ("Prefix not found", "Unknown namespace prefix")
# A query of nothing but white space and comments.
_NOTHING = re.compile(r"(?:\s|#[^\n]*)*")


def _blank(text: str) -> str:
    """``text`` with strings, IRIs and comments replaced by spaces (same length, same lines)."""
    return _NOT_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character ``offset`` in ``text``."""
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based ``line``/``column`` (clamped to the text)."""
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    return sum(len(t) + 1 for t in lines[: line - 1]) + max(0, column - 1)


def undeclared_prefixes(query: str) -> list[tuple[str, int]]:
    """Each prefix used in ``query`` but not declared with ``PREFIX``, with the offset of its
    first use, in query order."""
    code = _blank(query)
    declared: set[str] = set()
    declaration_spans = []
    for m in _DECLARATION.finditer(code):
        declared.add(m.group(1)[:-1])
        declaration_spans.append(m.span(1))
    seen: dict[str, int] = {}
    for m in _USE.finditer(code):
        name = m.group(1)[:-1]
        if name == "_" or name in declared or name in seen:
            continue
        if any(start <= m.start(1) < end for start, end in declaration_spans):
            continue
        seen[name] = m.start(1)
    return sorted(seen.items(), key=lambda item: item[1])


def _prefix_problem(query: str) -> QueryProblem | None:
    missing = undeclared_prefixes(query)
    if not missing:
        return None
    name, offset = missing[0]
    line, column = line_column(query, offset)
    message = f"prefix `{name}:` is not declared"
    if name in PREFIXES:
        message += f"; add `PREFIX {name}: <{PREFIXES[name]}>` at the top of the query"
    else:
        message += "; declare it with `PREFIX " + name + ": <...>` at the top of the query"
    others = [f"`{n}:`" for n, _ in missing[1:]]
    if others:
        message += f" (also not declared: {', '.join(others)})"
    return QueryProblem(message, line, column)


def _found_at(query: str, offset: int) -> str:
    rest = query[offset:]
    token = re.match(r"\s*(\S{1,20})", rest)
    return f"`{token.group(1)}`" if token else "the end of the query"


#: The longest the place of a syntax error is searched for (s); past it the store's own
#: message (with its line and column) stands. pyparsing is a backtracking parser: a query of
#: 1,000 characters such as ``FILTER(1+1+...`` takes it about a second, one of 50,000 minutes.
PARSE_BUDGET_S = 0.5
#: Without a timer (off the main thread, where no signal can interrupt the parse), queries
#: longer than this keep the store's message: the search would be unbounded there.
UNTIMED_MAX_CHARS = 2000
# rdflib's grammar objects keep state between parse actions: two threads parsing at once get
# each other's tokens, and the grammar stays broken for later parses. One parse at a time.
_PARSER_LOCK = threading.Lock()


class _OutOfTime(Exception):
    pass


def _interrupt(signum: int, frame: object) -> None:
    raise _OutOfTime


@contextmanager
def _budget(seconds: float) -> Iterator[bool]:
    """Interrupt the block after ``seconds`` (SIGALRM), where a signal can be delivered: in
    the main thread, as in a query worker. Yields whether the block is timed."""
    if threading.current_thread() is not threading.main_thread():
        yield False
        return
    previous = signal.signal(signal.SIGALRM, _interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def preload() -> None:
    """Import and warm rdflib's SPARQL grammar in this process, before query workers fork.

    A worker forked without it imports the grammar inside the budget: 0.2 s on an idle
    machine, more than :data:`PARSE_BUDGET_S` on a loaded one, and then no typo's place was
    found (Oxigraph's "expected one of ..." stood). Forked after this, a worker shares it."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser

    with _PARSER_LOCK:
        try:
            parser.parseQuery("ASK { ?s ?p ?o FILTER(?o = 1) }")
        except ParseBaseException:  # pragma: no cover - a valid query; the grammar is warm
            pass


def syntax_position(query: str, budget: float = PARSE_BUDGET_S) -> int | None:
    """The character offset where ``query`` stops being SPARQL 1.1, or ``None`` if rdflib's
    parser accepts it (then only the store's own parser knows), or if the search takes
    longer than ``budget`` seconds or nests deeper than Python's recursion limit.

    Run it in a query worker (``engine.call``): there the budget is a timer; in a server
    thread only queries up to :data:`UNTIMED_MAX_CHARS` are searched."""
    return _position(query, budget)[1]


def _position(query: str, budget: float) -> tuple[bool, int | None]:
    """``(searched, offset)``: :func:`syntax_position`, and whether the search finished (so
    that ``None`` means rdflib's parser accepts the query, not that time ran out)."""
    try:
        with _PARSER_LOCK, _budget(budget) as timed:
            if not timed and len(query) > UNTIMED_MAX_CHARS:
                return False, None
            return True, _search(query)
    except (_OutOfTime, RecursionError):
        return False, None


def _search(query: str) -> int | None:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser

    try:
        parser.parseQuery(query)
    except ParseBaseException as exc:
        offset = exc.loc
    else:
        return None
    # pyparsing reports the start of the element that failed (a whole FILTER, BIND, OPTIONAL
    # group, a triple...); that element parsed alone fails at the token that is wrong in it.
    for element in (parser.GraphPatternNotTriples, parser.TriplesSameSubjectPath):
        try:
            element.parse_string(query[offset:])
        except ParseBaseException as inner:
            if inner.loc > 0:
                offset += inner.loc
                break
    while offset < len(query) and query[offset].isspace():
        offset += 1
    # An operator without its right operand ("?x = )") fails where the operator starts, as
    # the parser backtracks over it; the missing operand is after it.
    dangling = _DANGLING_OPERATOR.match(query, offset)
    return dangling.end() if dangling else offset


def explain(query: str, message: str) -> QueryProblem | None:
    """The readable problem for a store's error ``message`` on ``query``, or ``None`` when the
    message is not a syntax error (timeouts, refusals, store failures are clear already)."""
    if any(marker in message for marker in _PREFIX_NOT_FOUND):
        found = _prefix_problem(query)
        if found is not None:
            return found
    if not message.startswith("syntax error"):
        return None
    if _NOTHING.fullmatch(query):
        return QueryProblem("the query is empty")
    searched, offset = _position(query, PARSE_BUDGET_S)
    if offset is None:
        # An undeclared prefix where the store's parser expects a predicate (``?x x:p ?o``)
        # is reported as "expected OPTIONAL", not "Prefix not found"; rdflib's parser accepts
        # it (prefixes are resolved later), so when it accepts the query that is the problem.
        # (Not looked for when the search ran out of time: the query is a pathological one.)
        return _prefix_problem(query) if searched else None
    line, column = line_column(query, offset)
    return QueryProblem(f"syntax error: unexpected {_found_at(query, offset)}", line, column)


#: How long a query worker may look for the place of a syntax error (its own budget is
#: shorter, :data:`PARSE_BUDGET_S`; this bounds the worker if that fails).
EXPLAIN_TIMEOUT_S = 3.0


def explained(kg: Any, query: str, message: str) -> QueryProblem | None:
    """The readable problem of a failed query, looked for in a query worker
    (``kg.engine.call``): rdflib's parser that finds the place is slow on some inputs and not
    thread-safe, so it must not run in a server thread. ``None`` (the store's own message
    stands) if the worker cannot tell. The one path of the HTTP API, the CLI and Python."""
    try:
        problem: QueryProblem | None = kg.engine.call(
            explain, query, message, timeout=min(EXPLAIN_TIMEOUT_S, kg.settings.query_timeout)
        )
    except QueryError:  # the time limit, the memory ceiling: keep the store's message
        return None
    return problem


def readable(kg: Any, query: str, exc: QueryError) -> QueryError:
    """``exc`` (of the same class) in a person's words when :func:`explained` can tell, else
    ``exc`` itself: what the CLI and the Python API raise for a query that failed."""
    problem = explained(kg, query, exc.message)
    if problem is None:
        return exc
    return type(exc)(problem.message, problem.line, problem.column)
