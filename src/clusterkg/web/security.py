"""Headers that make every response safe to open in a browser, and the rule for page links.

The Content-Security-Policy allows only this site's own scripts, styles and connections
(no inline script or style, no framing); ``data:`` images are allowed for the favicon and the
explorer's PNG export, which draws the SVG through a ``data:`` image. See the OWASP Secure
Headers Project and CSP Level 3 (W3C) for the directives.
"""

from __future__ import annotations

from flask import Flask, Response

#: SHA-256 (base64) of the <style> texts the query editor's table inserts: its grip rules, and
#: the cursor while a column is dragged (CSP Level 3, section 8.3: hash-source).
QUERY_EDITOR_STYLE_HASHES = (
    "zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",
    "c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=",
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # The query page's result table (YASGUI's column resizer, column-resizer on npm)
        # adds two fixed <style> elements; their hashes allow exactly those texts and nothing
        # else, and no style attribute (tests/web/test_query_page_csp.py recomputes them from
        # the bundle).
        "style-src 'self' " + " ".join(f"'sha256-{h}'" for h in QUERY_EDITOR_STYLE_HASHES),
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # The CSP's frame-ancestors for current browsers, X-Frame-Options for older ones.
    "X-Frame-Options": "DENY",
    # Page paths carry queries; other sites get the origin only.
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

#: The only schemes a page turns into a link; anything else (``javascript:``, ``data:``) is text.
LINK_SCHEMES = ("http://", "https://")


def web_link(target: object) -> str | None:
    """``target`` if it is safe as an ``href``: a site path (``/id/...``) or an http(s) IRI."""
    if target is None:
        return None
    text = str(target)
    # "//host" and "/\host" lead to another site (browsers read a backslash there as "/").
    if text.startswith("/") and not text.startswith(("//", "/\\")):
        return text
    if text.lower().startswith(LINK_SCHEMES):
        return text
    return None


_LOWER = {name.lower(): (name, value) for name, value in HEADERS.items()}


def _add_headers(response: Response) -> Response:
    # One pass over the response's headers (setdefault would scan them once per header).
    present = {key.lower() for key in response.headers.keys()}
    response.headers.extend([pair for lower, pair in _LOWER.items() if lower not in present])
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response and the ``web_link`` filter to the templates."""
    app.after_request(_add_headers)
    app.add_template_filter(web_link, "web_link")
