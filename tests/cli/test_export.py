"""``clusterkg export`` says what it wrote in the unit it wrote, and refuses a folder where it
writes one file."""

from __future__ import annotations

import re

import pytest

SELECT = "SELECT ?c WHERE { ?c a <https://w3id.org/clusterkg/ontology#IndustrialCluster> }"


def _count(stdout: str, unit: str) -> int:
    match = re.search(rf"\((\d+) {unit}\)", stdout)
    assert match, stdout
    return int(match.group(1))


def test_nquads_reports_the_quads_it_wrote(cli, tmp_path):
    out = tmp_path / "everything.nq"
    result = cli("export", "--format", "nquads", str(out))
    assert result.exit_code == 0, result.output
    lines = [line for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert _count(result.stdout, "quads") == len(lines)


def test_a_select_as_csv_reports_rows(cli, tmp_path):
    query = tmp_path / "table.rq"
    query.write_text(SELECT, encoding="utf-8")
    out = tmp_path / "table.csv"
    result = cli("export", "--format", "csv", "--query", str(query), str(out))
    assert result.exit_code == 0, result.output
    rows = out.read_text(encoding="utf-8").splitlines()[1:]
    assert _count(result.stdout, "rows") == len(rows) > 0
    assert "triples" not in result.stdout


@pytest.mark.parametrize("fmt", ["turtle", "nquads", "csv"])
def test_a_folder_where_one_file_is_written_is_refused(cli, tmp_path, fmt):
    query = tmp_path / "table.rq"
    query.write_text(SELECT, encoding="utf-8")
    folder = tmp_path / "tabledir"
    extra = ["--query", str(query)] if fmt == "csv" else []
    result = cli("export", "--format", fmt, *extra, f"{folder}/")
    assert result.exit_code == 2, result.output
    assert "is a folder" in result.stderr and "give its name" in result.stderr
    assert not folder.exists()


def test_export_takes_extra_data(cli, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "<https://example.org/x> <https://example.org/p> <https://example.org/y> .\n",
        encoding="utf-8",
    )
    out = tmp_path / "g.ttl"
    result = cli("export", "--format", "turtle", "--graph", "extra", "--data", str(extra), str(out))
    assert result.exit_code == 0, result.output
    assert "(1 triples)" in result.stdout
