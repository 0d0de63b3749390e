"""The side-by-side benchmark against ``oxigraph serve`` runs and reports every row.

Tiny data (the bundled graphs), a few repetitions; no timing is judged here, only that both
servers answer the same rows and that the table has its rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks import side_by_side

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if not Path(side_by_side.oxigraph_exe()).exists() and not shutil.which("oxigraph"):
        pytest.skip("the oxigraph CLI is not installed")
    out = tmp_path_factory.mktemp("sbs")
    md = out / "BENCHMARKS.md"
    md.write_text("# Benchmarks\n\n## Earlier section\n\ntext\n")
    results = side_by_side.main(
        [
            *("--processes", "1,2", "--workers", "1", "--threads", "4"),
            *("--reps", "3", "--warmup", "1", "--clients", "2", "--seconds", "0.5"),
            *("--runaway-limit", "1", "--leave-after", "0.3", "--watch", "0.2"),
            *("--json", str(out / "sbs.json"), "--markdown", str(md)),
        ]
    )
    return results, md.read_text()


def test_same_answers(run):
    results, _ = run
    ref = results["oxigraph"]
    for server in results["servers"]:
        for key in ("lookup", "ask", "listing"):
            assert server[key].get("rows") == ref[key].get("rows"), (server["label"], key)
        for name, m in server["aggregations"].items():
            assert (
                m["rows"]
                == ref["aggregations"][name]["rows"]
                == results["in_process"][name]["rows"]
            )
        assert server["throughput"]["requests"] > 0 and server["throughput"]["errors"] == 0


def test_table_has_every_row(run):
    results, text = run
    assert text.startswith("# Benchmarks") and "## Earlier section" in text
    section = text[text.index(side_by_side.SECTION) :]
    for row in (
        "lookup p50",
        "`ASK {}` p50",
        "2-client lookup throughput",
        "CPU per lookup request",
        "4,000-row listing p50",
        "aggregation p50: entities per class",
        "Runaway query",
        "oxigraph serve --timeout-s 1",
    ):
        assert row in section, row
    assert [s["processes"] for s in results["servers"]] == [1, 2]
    # clusterkg stops the runaway query at its limit and says so with a status.
    for server in results["servers"]:
        assert server["runaway"]["status"] == 503
        assert server["stream"]["valid_json"] and server["stream"]["says_truncated"]


def test_section_replaced_not_duplicated(tmp_path):
    md = tmp_path / "B.md"
    md.write_text("# B\n\n" + side_by_side.SECTION + "\n\nold\n\n## Next\n\nkept\n")
    side_by_side.write_section(md, side_by_side.SECTION + "\n\nnew\n")
    text = md.read_text()
    assert text.count(side_by_side.SECTION) == 1 and "new" in text and "old" not in text
    assert "## Next\n\nkept" in text
