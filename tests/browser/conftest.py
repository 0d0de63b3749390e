"""Browser fixtures: a live waitress server on an ephemeral loopback port and headless Chromium.

Debian's ``chromium`` is driven by Playwright for Python (``playwright install`` cannot download
browsers here). Without Chromium or Playwright the tests are skipped with the reason, except
when the environment variable ``CI`` is set: then that is a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from waitress import create_server

from clusterkg.web.app import create_app

CHROMIUM = os.environ.get("CLUSTERKG_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@contextmanager
def serving(**settings) -> Iterator[str]:
    """The app over the bundled graph (with ``settings``), served by waitress on
    127.0.0.1:<ephemeral>; yields its base URL."""
    # One browser is this server's whole audience, and a page fetches several API routes at
    # once: let it use every worker (the fair share per client is tested on its own, in
    # tests/web/test_hostile_fair_share.py), or a loaded machine answers some of them 429.
    app = create_app({"TESTING": True, "workers": 2, "client_concurrency": 2, **settings})
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
        app.extensions["clusterkg"].close()


@pytest.fixture(scope="session")
def live_site() -> Iterator[str]:
    """The app over the bundled graph, served by waitress on 127.0.0.1:<ephemeral>."""
    with serving() as url:
        yield url


@pytest.fixture(scope="session")
def browser_context():
    """A Chromium persistent context with a new, empty user-data dir."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install '.[test]')")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="clusterkg-chromium-")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield ctx
        finally:
            ctx.close()
            shutil.rmtree(profile, ignore_errors=True)


class Watched:
    """A page with every console error, page error and requested URL recorded."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def foreign(self) -> list[str]:
        """Requested URLs of another origin (data: and blob: URLs stay in the page)."""
        own = urlsplit(self.base).netloc
        return [
            u
            for u in self.requests
            if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != own
        ]

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture()
def watched(browser_context, live_site) -> Iterator[Watched]:
    page = browser_context.new_page()
    page.set_default_timeout(60_000)
    # The context is shared by the session: what one test's pages kept in the site's storage
    # (YASGUI's tabs, queries and last results; the query history) would greet the next one.
    # Each test starts with none of it.
    # (Through the DevTools protocol: no page is loaded, so none of its requests, such as a
    # non-HTML page's /favicon.ico, can reach the test's console.)
    cdp = browser_context.new_cdp_session(page)
    cdp.send(
        "Storage.clearDataForOrigin",
        {"origin": live_site, "storageTypes": "local_storage,session_storage"},
    )
    cdp.detach()
    try:
        yield Watched(page, live_site)
    finally:
        page.close()


#: Viewports the user-level tests run on: a desktop and a phone.
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
#: Collects Content-Security-Policy violations (an init script runs outside the page's CSP).
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


@pytest.fixture(params=sorted(VIEWPORTS))
def screen(request, watched) -> Watched:
    """The watched page at each of :data:`VIEWPORTS`, recording CSP violations too; call
    ``screen.assert_clean()`` at the end of a test."""
    width, height = VIEWPORTS[request.param]
    watched.page.set_viewport_size({"width": width, "height": height})
    watched.page.add_init_script(CSP_LISTENER)
    watched.name = request.param

    def assert_clean() -> None:
        assert watched.errors == []
        assert watched.page.evaluate("window.__csp") == []
        assert watched.foreign() == []

    watched.assert_clean = assert_clean
    return watched


def open_node_panel(page, url: str, label: str) -> None:
    """Open the explorer at ``url``, choose the node labelled ``label`` with the keyboard
    (focus, Enter: as a keyboard user does, and untouched by labels drawn over the node),
    and wait for its quotes."""
    page.goto(url)
    node = page.locator(f'#graph-svg .node[data-label="{label}"]')
    node.wait_for()
    node.focus()
    page.keyboard.press("Enter")
    page.locator("#panel blockquote.quote").first.wait_for()
