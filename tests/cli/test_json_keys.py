"""``analyze resilience --format json`` and ``/api/resilience`` speak one vocabulary."""

from __future__ import annotations

import json

from tests.web.conftest import make_app


def test_resilience_json_keys_are_the_http_apis(cli):
    result = cli("analyze", "resilience", "--format", "json", "--trials", "1", "--points", "2")
    assert result.exit_code == 0, result.output
    cli_keys = set(json.loads(result.stdout))
    with make_app() as app:
        resp = app.test_client().get("/api/resilience?robustness=1&trials=1")
        assert resp.status_code == 200
        http_keys = set(resp.get_json())
    assert not [k for k in cli_keys if "-" in k]
    assert cli_keys == http_keys


def test_a_section_keeps_its_cli_name_and_prints_the_http_key(cli):
    result = cli("analyze", "resilience", "--section", "self-sufficiency", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "self_sufficiency" in json.loads(result.stdout)
