"""One error mapping in the CLI's entry point: the README's exit codes, never a traceback."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from clusterkg.cli import ClusterkgGroup
from clusterkg.errors import Finding, UnusableInput
from clusterkg.store.backends import open_backend
from clusterkg.vocab import GRAPH

BOGUS = "unknown store 'bogus:'"


@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "centrality"],
        ["analyze", "indicators"],
        ["generate"],
        ["serve"],
        ["stats"],
        ["query", "cluster-members"],
        ["export", "out.ttl", "--format", "turtle"],
    ],
)
def test_a_bad_store_spec_is_unusable_input(cli, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli(*command, "--store", "bogus:")
    assert result.exit_code == 2, result.output
    assert BOGUS in result.stderr and "Traceback" not in result.output


@pytest.fixture()
def rows(cli, tmp_path):
    """A valid enterprises CSV: the template's own example row."""
    path = tmp_path / "rows.csv"
    path.write_text(cli("import", "--template", "enterprises").stdout, encoding="utf-8")
    return path


def test_import_into_a_bad_store_is_unusable_input_not_a_row_problem(cli, rows):
    result = cli("import", str(rows), "--kind", "enterprises", "--store", "bogus:")
    assert result.exit_code == 2, result.output
    assert BOGUS in result.stderr
    assert "row" not in result.stderr


def test_import_honours_clusterkg_store(cli, rows, tmp_path):
    store = tmp_path / "store"
    result = cli(
        "import", str(rows), "--kind", "enterprises", env={"CLUSTERKG_STORE": f"oxigraph:{store}"}
    )
    assert result.exit_code == 0, result.output
    backend = open_backend(f"oxigraph:{store}")
    try:
        imported = [g for g in backend.graph_names() if g.startswith(str(GRAPH["import-"]))]
    finally:
        backend.close()
    assert len(imported) == 1, backend.graph_names()
    bad = cli("import", str(rows), "--kind", "enterprises", env={"CLUSTERKG_STORE": "bogus:"})
    assert bad.exit_code == 2 and BOGUS in bad.stderr


def test_an_unwritable_export_target_is_unusable_input(cli, tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = cli("export", str(tmp_path / "file" / "out.ttl"), "--format", "turtle")
    assert result.exit_code == 2, result.output
    assert str(tmp_path / "file") in result.stderr and "Traceback" not in result.output


def _group(error: BaseException) -> click.Group:
    @click.group(cls=ClusterkgGroup)
    def top() -> None:
        pass

    @top.group()
    def sub() -> None:
        pass

    @sub.command()
    def fail() -> None:
        raise error

    return top


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (Finding("3 bad rows"), 1, "error: 3 bad rows"),
        (UnusableInput("no region named 'Atlantis'"), 2, "error: no region named 'Atlantis'"),
        (
            FileNotFoundError(2, "No such file or directory", "x.ttl"),
            2,
            "error: [Errno 2] No such file or directory: 'x.ttl'",
        ),
        (
            KeyError("oops"),
            1,
            "error: internal error (KeyError: 'oops'); please report it",
        ),
    ],
)
def test_the_entry_point_maps_each_error_once(error, code, line):
    result = CliRunner().invoke(_group(error), ["sub", "fail"])
    assert result.exit_code == code
    assert result.stderr.strip() == line
    assert isinstance(result.exception, SystemExit)


def test_click_usage_errors_keep_their_own_code():
    result = CliRunner().invoke(_group(click.UsageError("give FILE")), ["sub", "fail"])
    assert result.exit_code == 2 and "give FILE" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["query", "deepest-parts-base"],
        ["stats"],
        ["export", "out.ttl", "--format", "turtle"],
        ["analyze", "indicators"],
        ["generate"],
        ["serve"],
    ],
)
def test_a_store_folder_that_does_not_exist_is_refused_not_made(
    cli, command, tmp_path, monkeypatch
):
    """A mistyped ``oxigraph:DIR`` once became a new store, filled with the bundled data
    (and ``serve`` served it)."""
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "typo" / "store"
    result = cli(*command, "--store", f"oxigraph:{missing}")
    assert result.exit_code == 2, result.output
    assert f"no store at {missing}" in result.stderr
    assert "clusterkg load" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "typo").exists()


def test_load_still_makes_a_store_that_query_then_reads(cli, tmp_path):
    store = tmp_path / "new"
    assert cli("load", str(store)).exit_code == 0
    result = cli("query", "deepest-parts-base", "--store", f"oxigraph:{store}")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "missing.csv: no such file"),
        (b"", "missing.csv: the file is empty (no header row)"),
        (b" \n\n", "missing.csv: the file is empty (no header row)"),
    ],
)
def test_an_import_file_that_is_missing_or_empty_is_unusable_input(
    cli, tmp_path, monkeypatch, content, message
):
    """Once a 'finding' (exit 1) dressed as a row problem: 'file, column -: '': ...'."""
    monkeypatch.chdir(tmp_path)
    if content is not None:
        (tmp_path / "missing.csv").write_bytes(content)
    result = cli("import", "missing.csv", "--kind", "enterprises", "--store", "oxigraph:st")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"error: {message}"
    assert not (tmp_path / "st").exists()  # no store made for a file that cannot be read


@pytest.mark.parametrize(
    "command",
    [
        ["serve", "--port", "99999"],
        ["serve", "--port", "-1"],
        ["serve", "--query-timeout", "0"],
        ["serve", "--row-limit", "0"],
        ["query", "deepest-parts-base", "--limit", "0"],
        ["analyze", "centrality", "--k", "0"],
        ["analyze", "centrality", "--top", "-1"],
        ["analyze", "communities", "--resolution", "0"],
        ["analyze", "resilience", "--trials", "0"],
        ["analyze", "resilience", "--points", "1"],
        ["analyze", "scenario", "--theta", "1.5"],
        ["analyze", "scenario", "--scale", "0"],
        ["generate", "--scale", "-1"],
    ],
)
def test_numeric_options_out_of_range_are_refused_before_anything_runs(cli, command):
    """``serve --port 99999`` listened on a random port; ``--limit -3`` printed 0 rows."""
    result = cli(*command)
    assert result.exit_code == 2, result.output
    assert "is not in the range" in result.stderr


def test_a_mistyped_store_in_a_real_process_exits_2_and_makes_nothing(tmp_path):
    import subprocess
    import sys

    missing = tmp_path / "typo-store"
    proc = subprocess.run(
        [sys.executable, "-m", "clusterkg.cli", "stats", "--store", f"oxigraph:{missing}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and proc.stderr.startswith(f"error: no store at {missing}")
    assert not missing.exists()
