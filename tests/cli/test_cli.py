"""The CLI as a user runs it: exit codes, formats and messages (click's CliRunner)."""

from __future__ import annotations

import json

BROKEN_OBS = """
@prefix ck: <https://w3id.org/clusterkg/ontology#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
<https://w3id.org/clusterkg/id/obs/bad> a ck:Observation ; ck:indicator ck:PartsEnterpriseCount ;
    ck:value -3 ; ck:unit unit:NUM .
"""


def test_validate_conforms_exit_0(cli):
    result = cli("validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms")


def test_validate_violations_exit_1_with_file_and_message(cli, tmp_path, settings):
    bad = tmp_path / "bad.ttl"
    bad.write_text(BROKEN_OBS, encoding="utf-8")
    result = cli("validate", str(settings.ontology_dir), str(bad), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert not report["conforms"]
    messages = [v["message"] for v in report["violations"] if v["focus"].endswith("obs/bad")]
    assert any("has no source" in m for m in messages)
    assert any("negative" in m for m in messages)
    assert all(
        str(bad) in v["files"][0] for v in report["violations"] if v["focus"].endswith("obs/bad")
    )


def test_validate_unparsable_exit_2_names_file_and_line(cli, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text(
        '@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', encoding="utf-8"
    )
    result = cli("validate", str(bad))
    assert result.exit_code == 2
    assert "broken.ttl" in result.output and "Traceback" not in result.output


def test_validate_missing_file_exit_2(cli, tmp_path):
    result = cli("validate", str(tmp_path / "nope.ttl"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_stats_json_shows_counts(cli):
    result = cli("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    per_class = {
        r["class"]: r["instances"] for r in figures["instances per class (with subclasses)"]
    }
    assert per_class["ck:IndustrialCluster"] >= 30
    assert per_class["ck:Enterprise"] >= 60
    assert per_class["ck:Observation"] >= 100
    assert per_class["ck:Policy"] >= 15
    per_indicator = {
        r["indicator"]: r["observations"] for r in figures["observations per indicator"]
    }
    assert per_indicator["ck:PartsEnterpriseCount"] >= 6


def test_query_named_with_param_json(cli):
    result = cli(
        "query",
        "cluster-members",
        "--param",
        "cluster=cluster/northeast-china-auto",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    labels = {r["label"] for r in json.loads(result.output)["rows"]}
    assert "FAW Group" in labels


def test_query_csv_and_stdin(cli):
    result = cli(
        "query",
        "-",
        "--format",
        "csv",
        input=(
            "PREFIX ck: <https://w3id.org/clusterkg/ontology#>\n"
            "SELECT ?v WHERE { <https://w3id.org/clusterkg/id/obs/northeast-china-auto-parts-enterprises> ck:value ?v }"
        ),
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["v", "846"]


def test_query_syntax_error_is_reported_without_traceback(cli):
    result = cli("query", "-", input="SELECT * WHERE { ?s ?p }")
    assert result.exit_code == 1
    assert "syntax error" in result.output and "Traceback" not in result.output


def test_query_unknown_name_and_bad_param(cli):
    assert cli("query", "nope").exit_code == 2
    # Not an IRI nor an id path: looked up as a name, as over HTTP, and unusable (exit 2).
    result = cli("query", "cluster-members", "--param", 'cluster="} ; DROP ALL ; #')
    assert result.exit_code == 2 and "no resource is called" in result.output
