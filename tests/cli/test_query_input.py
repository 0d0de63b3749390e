"""``clusterkg query`` takes its input as the HTTP API does: names for IRI parameters, the same
readable syntax errors, and refuses what it cannot use (a binary file, a limit below 1)."""

from __future__ import annotations

import json

import pytest

import clusterkg
from clusterkg.views.query_errors import explain
from clusterkg.views.query_params import UnknownName

CHANGAN = "https://w3id.org/clusterkg/id/enterprise/changan-automobile"


def test_a_named_query_parameter_may_be_a_label_as_over_http(cli):
    by_name = cli(
        "query", "enterprise-suppliers", "--param", "customer=changan", "--format", "json"
    )
    by_path = cli(
        "query",
        "enterprise-suppliers",
        "--param",
        "customer=enterprise/changan-automobile",
        "--format",
        "json",
    )
    assert by_name.exit_code == 0, by_name.output
    assert json.loads(by_name.stdout)["rows"] == json.loads(by_path.stdout)["rows"] != []


def test_an_unknown_name_is_unusable_input_with_suggestions(cli):
    result = cli("query", "enterprise-suppliers", "--param", "customer=Chang")
    assert result.exit_code == 2, result.output
    assert "no resource is called 'Chang'; did you mean" in result.stderr
    assert "enterprise/changan-automobile" in result.stderr


def test_the_python_api_resolves_names_too():
    with clusterkg.open() as kg:
        rows = kg.named("enterprise-suppliers", customer="Changan").rows
        assert rows == kg.named("enterprise-suppliers", customer=CHANGAN).rows != []
        with pytest.raises(UnknownName, match="did you mean"):
            kg.named("enterprise-suppliers", customer="Chang")


def test_a_query_file_that_is_not_utf8_is_unusable_input(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bin.rq").write_bytes(b"\xff\xfe")
    result = cli("query", "bin.rq")
    assert result.exit_code == 2, result.output
    assert "bin.rq: not UTF-8 text (byte 0xff at offset 0)" in result.stderr
    assert "internal error" not in result.output


def test_standard_input_that_is_not_utf8_is_unusable_input(cli):
    result = cli("query", "-", input=b"SELECT \xe9 WHERE {}")  # type: ignore[arg-type]
    assert result.exit_code == 2, result.output
    assert "standard input: not UTF-8 text (byte 0xe9 at offset 7)" in result.stderr


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_a_row_limit_below_one_is_refused(cli, limit):
    result = cli("query", "deepest-parts-base", "--limit", limit)
    assert result.exit_code == 2
    assert "not in the range x>=1" in result.stderr


def test_row_limit_is_an_alias_of_limit(cli):
    result = cli("query", "deepest-parts-base", "--row-limit", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["rows"]) == 1
    assert "row limit of 1" in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT ?x WHERE { ?x ?p }", "syntax error: unexpected `}` (line 1, column 25)"),
        ("", "the query is empty"),
        ("  # only a comment\n", "the query is empty"),
        ("SELECT ?x WHERE { ?x x:p ?o }", "prefix `x:` is not declared"),
        ("SELECT ?x WHERE { ?x ?p x:o }", "prefix `x:` is not declared"),
    ],
)
def test_syntax_errors_read_as_over_http(cli, text, expected):
    result = cli("query", "-", input=text)
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    assert "error at" not in result.stderr  # the store parser's "error at 1:25: expected ..."


def test_the_python_api_raises_the_same_readable_error():
    with clusterkg.open() as kg:
        with pytest.raises(Exception, match=r"unexpected `\}` \(line 1, column 25\)"):
            kg.query("SELECT ?x WHERE { ?x ?p }")


def test_an_undeclared_prefix_in_predicate_position_is_named():
    # Oxigraph says "expected OPTIONAL" here, without "Prefix not found".
    problem = explain(
        "SELECT ?x WHERE { ?x x:p ?o }", "syntax error: error at 1:22: expected OPTIONAL"
    )
    assert problem is not None and problem.message.startswith("prefix `x:` is not declared")
    assert (problem.line, problem.column) == (1, 22)
