"""A failure scenario chosen in the explorer the way a user does it (issue 13): Class and Region
filters select as an intersection, the page counts the selection before running, shows the
server's note with a link to the network that can answer, and Reset works after a refusal.

On the curated graph no supply link reaches Yibin (the sources state none for the CATL Yibin
plant), so "battery makers in Yibin" selects nothing there; the synthetic network models it.
"""

from __future__ import annotations

import re

import pytest
import requests

pytestmark = pytest.mark.browser

YIBIN = "https://w3id.org/clusterkg/id/region/yibin"


def test_battery_makers_in_yibin_from_the_filters(screen, live_site):
    page = screen.page
    page.goto(live_site + "/graph?view=supply")
    page.locator("#graph-svg .node").first.wait_for()
    # Yibin is offered although no curated supply node is located there.
    page.locator(f'#f-region option[value="{YIBIN}"]').wait_for(state="attached")
    page.select_option("#f-kind", "BatteryMaker")
    page.select_option("#f-region", YIBIN)
    # The count before running: the intersection holds nothing on the curated network.
    # A function, not an expression: Playwright polls an expression with eval in the page,
    # which the site's CSP (no 'unsafe-eval') refuses whenever the first look is false.
    page.wait_for_function(
        "() => document.querySelector('#selection').textContent.includes('would remove')"
    )
    assert "would remove 0 node(s) of the curated" in page.inner_text("#selection")
    page.click("#simulate")
    summary = page.locator("#scenario-summary")
    summary.locator(".scenario-note").first.wait_for()
    assert "nothing in the curated supply network is located here" in summary.inner_text()
    link = summary.locator("a.alternative").first
    href = link.get_attribute("href")
    assert "view=synthetic" in href and "kind=BatteryMaker" in href and "failregion=" in href
    # Reset works after a scenario that removed nothing.
    assert page.is_enabled("#reset-scenario")
    page.click("#reset-scenario")
    assert summary.is_hidden()
    screen.assert_clean()


def test_the_alternative_link_runs_the_same_selection_on_the_synthetic_network(watched, live_site):
    page = watched.page
    page.set_default_timeout(180_000)  # the first synthetic view generates the network
    body = {"remove_regions": [YIBIN], "kinds": ["BatteryMaker"], "graph": "synthetic"}
    expected = requests.post(f"{live_site}/api/scenario/selection", json=body, timeout=300)
    assert expected.status_code == 200, expected.text
    count = expected.json()["count"]
    # Battery makers located in Yibin, and the plants battery makers operate there: CATL's
    # Yibin base (site:catl-yibin ck:operatedBy ent:catl, a ck:BatteryMaker) is one of them.
    by_kind = expected.json()["by_kind"]
    assert count > 0 and set(by_kind) == {"BatteryMaker", "ProductionSite"}
    assert sum(by_kind.values()) == count and by_kind["ProductionSite"] >= 1
    page.goto(
        live_site
        + "/graph?view=synthetic&kind=BatteryMaker&failregion="
        + YIBIN.replace(":", "%3A")
    )
    summary = page.locator("#scenario-summary")
    summary.locator(".lost-value").wait_for()
    text = summary.inner_text()
    assert "SYNTHETIC" in text
    assert re.search(rf"The selection held {count} node\(s\)", text), text
    # Lost value in words, and what it is.
    assert re.search(r"Lost supply value: [\d.,]+ (million|billion|thousand)? ?CNY", text), text
    assert "double counts" in text
    assert watched.errors == []
