"""Every response carries the browser safety headers (OWASP Secure Headers Project): a CSP that
allows only the site's own scripts and styles and no framing, nosniff, X-Frame-Options and a
Referrer-Policy; and the pages hold no inline script or style that such a CSP would block."""

from __future__ import annotations

import re

import pytest

from clusterkg.web.security import web_link

PATHS = [
    ("/", "text/html"),
    ("/graph", "text/html"),
    ("/query", "text/html"),
    ("/clusters", "text/html"),
    ("/clusters/chengdu-chongqing-auto", "text/html"),
    ("/sparql", "text/html"),
    ("/queries", "text/html"),
    ("/id/enterprise/changan-automobile", "text/html"),
    ("/id/enterprise/changan-automobile", "text/turtle"),
    ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
    ("/api/search?q=changan", "application/json"),
    ("/static/query.js", "*/*"),
    ("/id/nothing/here", "text/html"),  # an error page
    ("/no-such-route", "application/json"),
]


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


@pytest.mark.parametrize(("path", "accept"), PATHS)
def test_every_response_carries_the_safety_headers(client, path, accept):
    resp = client.get(path, headers={"Accept": accept})
    h = resp.headers
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("X-Frame-Options") == "DENY"
    assert h.get("Referrer-Policy") in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }
    csp = directives(h.get("Content-Security-Policy", ""))
    assert csp.get("frame-ancestors") == ["'none'"]
    # Scripts and styles from this site only: no inline, no eval, no other origin. Styles
    # may add the hashes of the query editor's two fixed <style> texts (and nothing else).
    for kind in ("script-src", "style-src"):
        sources = csp.get(kind, csp.get("default-src"))
        hashes = [s for s in sources if kind == "style-src" and s.startswith("'sha256-")]
        assert [s for s in sources if s not in hashes] == ["'self'"], (kind, sources)
    assert csp.get("object-src") == ["'none'"]


@pytest.mark.parametrize("path", [p for p, a in PATHS if a == "text/html" and "nothing" not in p])
def test_pages_have_no_inline_script_or_style(client, path):
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert not re.search(r"<style\b", page, re.I)
    assert not re.search(r"\sstyle\s*=", page, re.I)
    assert not re.search(r"\son[a-z]+\s*=", page, re.I), "inline event handler"
    for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", page, re.I | re.S):
        attrs, body = m.groups()
        # Either a file of this site, or a data block (JSON), which is never executed.
        assert re.search(r'src="/static/', attrs) or 'type="application/json"' in attrs, m.group(0)[
            :200
        ]
        if "src=" in attrs:
            assert not body.strip()


@pytest.mark.parametrize(
    ("target", "href"),
    [
        ("/id/enterprise/changan-automobile", "/id/enterprise/changan-automobile"),
        ("https://example.org/a", "https://example.org/a"),
        ("HTTP://example.org/a", "HTTP://example.org/a"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        (" javascript:alert(1)", None),  # browsers strip the space and run it
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox", None),
        ("//evil.example/", None),
        ("/\\evil.example/", None),
        ("urn:isbn:123", None),
        ("", None),
        (None, None),
    ],
)
def test_only_site_paths_and_http_iris_are_links(target, href):
    assert web_link(target) == href
