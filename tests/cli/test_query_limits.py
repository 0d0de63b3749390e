"""``clusterkg query`` stops at the row limit, from the environment or ``--limit``, and says so
on stderr (the bundled graph has thousands of triples; the limit is 7)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clusterkg.cli import main

LIMIT = 7
SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


@pytest.mark.parametrize("how", ["env", "option"])
def test_cli_query_stops_at_the_limit(how):
    args = ["query", "--format", "csv", "-"]
    env = {"CLUSTERKG_STORE": "memory"}
    if how == "env":
        env["CLUSTERKG_ROW_LIMIT"] = str(LIMIT)
    else:
        args[1:1] = ["--limit", str(LIMIT)]
    res = CliRunner().invoke(main, args, input=SELECT, env=env)
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stdout.splitlines() if ln.strip()]
    assert lines[0] == "s,p,o"
    assert len(lines) == 1 + LIMIT
    assert f"stopped at the row limit of {LIMIT}" in res.stderr
