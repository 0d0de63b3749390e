"""The query page's editor is served from this site (the bundle the build puts into
``web/static/vendor/``), and the CSP admits exactly the <style> texts it inserts."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest

import clusterkg.web
from clusterkg.web.security import CONTENT_SECURITY_POLICY, QUERY_EDITOR_STYLE_HASHES

VENDOR = Path(clusterkg.web.__file__).parent / "static" / "vendor"


@pytest.fixture(scope="module")
def bundle() -> str:
    path = VENDOR / "yasgui.js"
    if not path.exists():
        pytest.fail(f"no editor bundle at {path}: build it with `npm ci && npm run build`")
    return path.read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_csp_hashes_are_those_of_the_bundles_style_texts(bundle):
    # column-resizer's init rules (a fixed literal) and its drag cursor ("*{cursor:" +
    # dragCursor + "!important}", dragCursor defaulting to col-resize).
    # The minified bundle quotes with backticks.
    grips = re.findall(r"[`\"]( \.grip-resizable\{table-layout:fixed;\}[^`\"]*)[`\"]", bundle)
    assert len(grips) == 1
    assert "`*{cursor:`+n.opt.dragCursor+`!important}`" in bundle
    assert "dragCursor:`col-resize`" in bundle
    expected = {_sha256(grips[0]), _sha256("*{cursor:col-resize!important}")}
    assert set(QUERY_EDITOR_STYLE_HASHES) == expected
    for h in expected:
        assert f"'sha256-{h}'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_the_bundle_asks_no_other_origin(bundle):
    # YASQE's prefix.cc lookup is off by default in this fork (prefixCcApi null); LOV is asked
    # only by the completers the page replaces (query.js forks them with server lists).
    assert "prefixCcApi:null" in bundle.replace(" ", "")


def test_the_page_loads_the_bundle_from_this_site(client):
    html = client.get("/query").get_data(as_text=True)
    assert '<script src="/static/vendor/yasgui.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/vendor/yasgui.css">' in html
    assert client.get("/static/vendor/yasgui.js").status_code == 200
    assert client.get("/static/vendor/yasgui.css").status_code == 200
