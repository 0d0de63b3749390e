"""Configuration: every ``CLUSTERKG_*`` variable is a Settings field, parsed and checked once."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.config import Settings, checkout_root
from clusterkg.errors import SettingsError


def test_every_variable_sets_its_field(tmp_path):
    (tmp_path / "home" / "queries").mkdir(parents=True)  # a home must hold a data folder
    env = {
        "CLUSTERKG_HOME": str(tmp_path / "home"),
        "CLUSTERKG_SOURCES": str(tmp_path / "seeds"),
        "CLUSTERKG_STORE": "oxigraph:/x",
        "CLUSTERKG_QUERY_TIMEOUT": "2.5",
        "CLUSTERKG_ROW_LIMIT": "7",
        "CLUSTERKG_MAX_BODY_BYTES": "300",
        "CLUSTERKG_UPDATE_TOKEN": "up",
        "CLUSTERKG_SERVICE_ALLOWLIST": "http://a/sparql, http://b/sparql,",
        "CLUSTERKG_WORKERS": "3",
        "CLUSTERKG_REMOTE_TOKEN": "remote",
        "CLUSTERKG_CACHE": str(tmp_path / "cache"),
        "CLUSTERKG_RML_VENV": str(tmp_path / "venv"),
        "CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT": "0.5",
    }
    s = Settings.from_env(env)
    assert s.root == tmp_path / "home"
    assert s.sources_dir == tmp_path / "seeds"
    assert s.store == "oxigraph:/x"
    assert s.query_timeout == 2.5
    assert s.row_limit == 7
    assert s.max_body_bytes == 300
    assert s.update_token == "up"
    assert s.service_allowlist == ("http://a/sparql", "http://b/sparql")
    assert s.workers == 3
    assert s.remote_token == "remote"
    assert s.cache_dir == tmp_path / "cache"
    assert s.rml_venv_dir == tmp_path / "venv"
    assert s.pause_before_commit == 0.5


def test_defaults_and_derived_folders(tmp_path):
    s = Settings.from_env({"CLUSTERKG_CACHE": str(tmp_path)}, root=tmp_path / "r")
    assert (s.query_timeout, s.row_limit, s.workers, s.remote_token) == (10.0, 10_000, 4, None)
    assert s.rml_venv_dir == tmp_path / "rml-venv"
    # The source texts are not shipped: they sit beside the source checkout, whatever the root.
    assert s.sources_dir == checkout_root().parent / "shared" / "seeds"


def test_an_override_wins_over_the_variable():
    s = Settings.from_env({"CLUSTERKG_ROW_LIMIT": "7"}, row_limit=9, workers=None)
    assert s.row_limit == 9 and s.workers == 4


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("CLUSTERKG_ROW_LIMIT", "abc", "not a whole number"),
        ("CLUSTERKG_ROW_LIMIT", "0", "at least 1"),
        ("CLUSTERKG_QUERY_TIMEOUT", "-1", "more than 0"),
        ("CLUSTERKG_QUERY_TIMEOUT", "0", "more than 0"),
        ("CLUSTERKG_QUERY_TIMEOUT", "nan", "not a finite number"),
        ("CLUSTERKG_WORKERS", "0", "at least 1"),
        ("CLUSTERKG_WORKERS", "2.5", "not a whole number"),
        ("CLUSTERKG_MAX_BODY_BYTES", "-5", "at least 1"),
        ("CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT", "soon", "not a number"),
    ],
)
def test_an_unusable_variable_names_itself_and_its_value(name, value, why):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({name: value})
    assert f"{name}={value!r}" in str(err.value)
    assert why in str(err.value)
    assert err.value.exit_code == 2


def test_an_unusable_override_names_the_field():
    with pytest.raises(SettingsError, match="row_limit=0"):
        Settings.from_env({}, row_limit=0)


@pytest.mark.parametrize("command", [["stats"], ["query", "cluster-members"], ["serve"]])
def test_the_cli_reports_a_bad_setting_in_one_line_with_exit_2(cli, command):
    result = cli(*command, env={"CLUSTERKG_ROW_LIMIT": "abc"})
    assert result.exit_code == 2, result.output
    assert "CLUSTERKG_ROW_LIMIT='abc': not a whole number" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # an orderly exit, not an escaped error


def test_the_modules_read_their_folders_from_the_settings(tmp_path, monkeypatch):
    from clusterkg.io import atomic, ontology_docs, rml

    monkeypatch.setenv("CLUSTERKG_CACHE", str(tmp_path))
    monkeypatch.delenv("CLUSTERKG_RML_VENV", raising=False)
    assert rml.default_venv() == tmp_path / "rml-venv"
    assert ontology_docs.cache_dir() == tmp_path / "ontology"
    monkeypatch.setenv("CLUSTERKG_RML_VENV", str(tmp_path / "v"))
    assert rml.default_venv() == tmp_path / "v"
    monkeypatch.setenv("CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT", "x")
    with pytest.raises(SettingsError, match="CLUSTERKG_TEST_PAUSE_BEFORE_COMMIT='x'"):
        atomic.write_bytes_atomic(tmp_path / "f.txt", b"data")
    assert not (tmp_path / "f.txt").exists()
    assert not list(Path(tmp_path).glob(".f.txt.*"))
