"""The W3C SPARQL 1.1 query-evaluation suites, run through the HTTP endpoint.

Each test's data is loaded into the one server (the store is reset between tests), its query is
POSTed to /sparql with the test dataset as default-graph-uri/named-graph-uri, the response is
parsed by rdflib's result parsers and compared with the expected result by the W3C rules
(see tests/w3c/runner.py). The pass rate must be 95% or more and every failure must be listed,
with its reason, in known_failures.txt.
"""

from __future__ import annotations

from pathlib import Path

import requests

from tests.w3c.runner import eval_tests, known_failures, run_eval

SUITES = [
    "aggregates",
    "bind",
    "bindings",
    "cast",
    "construct",
    "exists",
    "functions",
    "grouping",
    "negation",
    "project-expression",
    "property-path",
    "subquery",
    "json-res",
    "csv-tsv-res",
]
KNOWN = Path(__file__).with_name("known_failures.txt")


def test_query_evaluation_suites(w3c_root, w3c_server):
    app, url = w3c_server
    kg = app.extensions["clusterkg"]
    outcomes = []
    with requests.Session() as session:
        for suite in SUITES:
            for test in eval_tests(w3c_root / "sparql11" / suite):
                outcomes.append(run_eval(test, kg, session, url))
    known = known_failures(KNOWN)
    failed = {o.test.name: o.reason for o in outcomes if not o.passed}
    passed = len(outcomes) - len(failed)
    print(
        f"\nW3C SPARQL 1.1 query evaluation over HTTP: {passed}/{len(outcomes)} passed "
        f"({100 * passed / len(outcomes):.1f}%)"
    )
    for suite in SUITES:
        mine = [o for o in outcomes if o.test.suite == suite]
        print(f"  {suite:20s} {sum(o.passed for o in mine):3d}/{len(mine)}")
    for name in sorted(set(known) - set(failed)):
        if any(o.test.name == name for o in outcomes):
            print(f"  now passing, remove from known_failures.txt: {name}")
    unexpected = {n: r for n, r in failed.items() if n not in known}
    assert not unexpected, f"failures not in known_failures.txt: {unexpected}"
    assert len(outcomes) > 200, "the suites were not all found"
    assert passed / len(outcomes) >= 0.95
