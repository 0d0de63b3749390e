"""Headers that make every response safe to open in a browser, and the rule for page links.

The Content-Security-Policy allows only this site's own scripts, styles and connections
(no inline script or style, no framing); ``data:`` images are allowed for the favicon and the
explorer's PNG export, which draws the SVG through a ``data:`` image. See the OWASP Secure
Headers Project and CSP Level 3 (W3C) for the directives.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from flask import Flask, Response, request

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


#: The methods a page on another site may use (CORS); no credentials: no cookies are used.
CORS_METHODS = frozenset({"GET", "OPTIONS", "POST"})
#: The response headers a page on another site may read.
CORS_EXPOSE = ", ".join(
    sorted(
        [
            "X-Request-Id",
            "X-Clusterkg-Truncated",
            "X-Clusterkg-Row-Limit",
            "X-Clusterkg-Byte-Limit",
            "Link",
        ]
    )
)
_CORS_METHODS_TEXT = ", ".join(sorted(CORS_METHODS))
_LOWER = {name.lower(): (name, value) for name, value in HEADERS.items()}


def cors_headers(
    origin: str | None,
    method: str,
    asked_method: str | None = None,
    asked_headers: str | None = None,
    private_network: str | None = None,
) -> list[tuple[str, str]]:
    """The CORS headers of an answer (Fetch standard, section 3.2) to a request from
    ``origin`` (its ``Origin`` header, None without one) with ``method``; for a preflight
    (``OPTIONS``) the request's ``Access-Control-Request-Method``/``-Headers``.

    Any origin may read the answers (its own origin is echoed, ``*`` without one), never with
    credentials; a preflight for GET, POST or OPTIONS is allowed with any request headers.
    These are the headers Flask-CORS sent with ``CORS(app, methods=[GET, POST, OPTIONS],
    supports_credentials=False)``, computed without its per-request pattern matching.
    """
    out = [
        ("Access-Control-Allow-Origin", origin or "*"),
        ("Access-Control-Expose-Headers", CORS_EXPOSE),
    ]
    if private_network == "true":  # Private Network Access: not allowed
        out.append(("Access-Control-Allow-Private-Network", "false"))
    if method == "OPTIONS" and (asked_method or "").upper() in CORS_METHODS:
        if asked_headers:
            allowed = ", ".join(sorted(h.strip() for h in asked_headers.split(",")))
            if allowed:
                out.append(("Access-Control-Allow-Headers", allowed))
        out.append(("Access-Control-Allow-Methods", _CORS_METHODS_TEXT))
    if origin:  # the answer depends on the Origin header
        out.append(("Vary", "Origin"))
    return out


def response_headers(
    present: Collection[str], method: str, header: Callable[[str], str | None]
) -> list[tuple[str, str]]:
    """The safety (:data:`HEADERS`) and CORS headers an answer needs beside those it has
    (``present``, lower-case names), for a request with ``method`` whose header ``name`` is
    ``header(name)`` (None if absent).

    Without Flask: the app adds these to every response, and the server
    (:mod:`clusterkg.web.connections`) to the errors it answers itself, before the app.
    """
    extra = [pair for lower, pair in _LOWER.items() if lower not in present]
    if "access-control-allow-origin" not in present:  # a view may set its own CORS
        if method == "OPTIONS":
            extra += cors_headers(
                header("Origin"),
                "OPTIONS",
                header("Access-Control-Request-Method"),
                header("Access-Control-Request-Headers"),
                header("Access-Control-Request-Private-Network"),
            )
        else:
            extra += cors_headers(
                header("Origin"),
                method,
                private_network=header("Access-Control-Request-Private-Network"),
            )
    return extra


def _add_headers(response: Response) -> Response:
    # One pass over the response's headers (setdefault would scan them once per header).
    present = {key.lower() for key in response.headers.keys()}
    response.headers.extend(response_headers(present, request.method, request.headers.get))
    return response


def init_app(app: Flask) -> None:
    """Add the security and CORS headers to every response and the ``web_link`` filter to the
    templates."""
    app.after_request(_add_headers)
    app.add_template_filter(web_link, "web_link")
