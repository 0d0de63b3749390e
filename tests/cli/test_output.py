"""The CLI's shared options and its one renderer."""

from __future__ import annotations

import csv
import io

import click

from clusterkg.cli import main
from clusterkg.cli.options import STORE_HELP
from clusterkg.cli.output import to_csv, to_table


def _commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_store_is_one_option_with_one_help_text():
    helps = {
        name: param.help
        for name, command in _commands(main)
        for param in command.params
        if "--store" in getattr(param, "opts", [])
    }
    assert {"stats", "query", "import", "export", "serve", "run", "generate"} <= set(helps)
    assert {"analyze centrality", "analyze indicators"} <= set(helps)
    assert set(helps.values()) == {STORE_HELP}


def test_query_csv_neutralises_formula_cells(cli):
    result = cli(
        "query",
        "-",
        "--format",
        "csv",
        input='SELECT ?v WHERE { VALUES ?v { "=1+2" "-3" "+cmd" "@x" "-x" "plain" 4 } }',
    )
    assert result.exit_code == 0, result.output
    cells = [r[0] for r in csv.reader(io.StringIO(result.stdout))]
    assert cells[0] == "v"
    assert sorted(cells[1:]) == sorted(["'=1+2", "-3", "'+cmd", "'@x", "'-x", "plain", "4"])


def test_analysis_csv_neutralises_formula_cells():
    rows = [{"name": "=cmd()", "value": -0.5, "list": ["a", "b"], "none": None}]
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows))))
    assert parsed == [{"name": "'=cmd()", "value": "-0.5", "list": "a b", "none": ""}]


def test_table_aligns_shortens_and_counts():
    long = "x" * 70
    text = to_table([{"a": "https://w3id.org/clusterkg/id/enterprise/catl", "b": long}], title="T")
    lines = text.splitlines()
    assert lines[0] == "T"
    assert lines[1].split() == ["a", "b"]
    assert lines[3].startswith("id:enterprise/catl  ")
    assert lines[3].endswith("x" * 57 + "...")
    assert lines[-1] == "(1 rows)"
    assert to_table([]) == "(no rows)"


def test_table_amounts_keep_every_digit_their_source_states():
    # The statedValue of each figure, written by hand from its quote: a table that rounded
    # 1.339 million to "1.3 million" would misquote the source it is read against.
    assert [
        to_table([{"v": v}]).splitlines()[2].strip()
        for v in (1339000, 48049300.0, 12442000000, 31307100000000, 5.6e9)
    ] == ["1.339 million", "48.0493 million", "12.442 billion", "31.3071 trillion", "5.6 billion"]
    # Past four decimals of a scale the digits read better than words; nothing is dropped.
    assert to_table([{"v": 48049312}]).splitlines()[2].strip() == "48,049,312"
    assert to_table([{"v": 1234567.5}]).splitlines()[2].strip() == "1,234,567.5"
    assert to_table([{"v": 999999}]).splitlines()[2].strip() == "999999"


def test_query_table_shows_a_stated_figure_as_its_source_states_it(cli):
    # "By 2021, the output of NEVs in the Yangtze River Delta region had reached 1.339 million
    # units" (graphs/chengdu-chongqing-statistics.ttl).
    query = (
        "PREFIX ck: <https://w3id.org/clusterkg/ontology#> "
        'SELECT ?v WHERE { ?o ck:statedValue "1.339 million units" ; ck:value ?v }'
    )
    result = cli("query", "-", input=query)
    assert result.exit_code == 0, result.output
    assert "1.339 million" in result.output
