"""The README's command-line sections say what the commands do."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_named_query_table_lists_every_bundled_query():
    table = README.split("### Named queries", 1)[1].split("\n\n", 2)[1]
    listed = set(re.findall(r"`([a-z0-9-]+)`", table))
    bundled = {p.stem for p in (ROOT / "queries").glob("*.rq")}
    assert bundled - listed == set()


def test_query_takes_data_as_the_readme_says(cli, tmp_path):
    assert "pass the files with `--data FILE` (`query`, `export`, `analyze`" in README
    extra = tmp_path / "extra.ttl"
    extra.write_text("<https://example.org/x> <https://example.org/p> 42 .\n", encoding="utf-8")
    query = "SELECT ?o WHERE { <https://example.org/x> <https://example.org/p> ?o }"
    result = cli("query", "-", "--data", str(extra), "--format", "json", input=query)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == [{"o": 42}]


def test_the_configuration_tables_row_limit_option_is_accepted_by_query(cli):
    assert "| row limit (at least 1) | `--row-limit`" in README
    assert cli("query", "deepest-parts-base", "--row-limit", "2").exit_code == 0
