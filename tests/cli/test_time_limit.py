"""The CLI and the Python API run queries under the same killable time limit as the server.

pyoxigraph evaluates in Rust without returning to Python, so only a worker process that can be
killed stops a runaway query. Without it these runs would take far longer than the test allows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import clusterkg
from clusterkg.store.query_engine import QueryTimeout

# A cross product of the bundled graph's ~8,000 triples with itself four times over.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(4)) + " }"
)


def test_cli_query_stops_at_the_time_limit_with_exit_2():
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "clusterkg.cli", "query", "-"],
        input=RUNAWAY,
        capture_output=True,
        text=True,
        env={**os.environ, "CLUSTERKG_QUERY_TIMEOUT": "1"},
        timeout=120,
    )
    assert done.returncode != 0, done.stdout
    assert "1 s limit" in done.stderr
    assert "Traceback" not in done.stderr
    # Stopped near its limit (plus loading the bundled graph), not run to the end.
    assert time.monotonic() - start < 100


def test_python_api_query_stops_at_the_time_limit_and_the_session_goes_on():
    kg = clusterkg.open(query_timeout=1)
    try:
        try:
            kg.query(RUNAWAY)
        except QueryTimeout as exc:
            assert "1 s limit" in str(exc)
        else:
            raise AssertionError("the runaway query was not stopped")
        assert kg.query("ASK { ?s ?p ?o }").rows == [{"boolean": True}]
    finally:
        kg.close()
