"""The risk answer in the browser on a user's own network (issue 13, end to end): the
fictitious register of tests/io/data/network imported into an ``oxigraph:DIR`` store, served by
``clusterkg serve``, and asked in the explorer by choosing a region, as a user does.

Expected values are the hand-worked answers of tests/io/data/network/README.md: when all five
Yibin firms stop, four more fail by cascade (the Ningde cell maker, pack assembly A and both
vehicle makers); when only Yibin's two battery makers stop, nothing else fails.
"""

from __future__ import annotations

import pytest

from tests.analytics.test_own_network import CLI, store  # noqa: F401 (the store fixture)
from tests.browser.conftest import Watched
from tests.web.conftest import start_serve

pytestmark = pytest.mark.browser

YIBIN = "https://w3id.org/clusterkg/id/region/yibin"
CASCADE = {
    "Fictitious Cell Maker Ningde",
    "Fictitious Pack Assembly A",
    "Fictitious Vehicle Maker One",
    "Fictitious Vehicle Maker Two",
}


def test_what_fails_if_yibin_stops_on_my_network(store, browser_context):  # noqa: F811
    folder, _alias, env = store
    proc, base = start_serve(CLI, "--store", f"oxigraph:{folder}", env=env)
    page = browser_context.new_page()
    page.set_default_timeout(120_000)
    watched = Watched(page, base)
    try:
        page.goto(base + "/graph?view=supply")
        page.locator('#graph-svg .node[data-label="Fictitious Vehicle Maker One"]').wait_for()
        page.select_option("#f-region", YIBIN)
        page.wait_for_function(
            "() => document.querySelector('#selection').textContent.includes('would remove 5 node(s)')"
        )
        page.click("#simulate")
        page.locator("#cascaded-firms li").first.wait_for()
        cascaded = {t.split(":")[0] for t in page.locator("#cascaded-firms li").all_inner_texts()}
        assert cascaded == CASCADE
        oems = page.inner_text("#affected-oems")
        assert "Fictitious Vehicle Maker One (failed): could no longer source" in oems
        # Both failed vehicle makers are drawn as failed.
        for name in ("Fictitious Vehicle Maker One", "Fictitious Vehicle Maker Two"):
            node = page.locator(f'#graph-svg .node[data-label="{name}"]')
            assert "failed" in (node.get_attribute("class") or "")
        page.click("#reset-scenario")
        # Only the battery makers located in Yibin: nothing else fails.
        page.select_option("#f-kind", "BatteryMaker")
        page.wait_for_function(
            "() => document.querySelector('#selection').textContent.includes('would remove 2 node(s)')"
        )
        page.click("#simulate")
        page.locator("#scenario-summary .lost-value").wait_for()
        assert "0 firms failed" not in page.inner_text("#scenario-summary")  # the 2 removed
        assert page.locator("#cascaded-firms").count() == 0
        assert "(failed)" not in page.inner_text("#affected-oems")
        assert watched.errors == []
    finally:
        page.close()
        proc.terminate()
        proc.wait(timeout=30)
