"""Tables never widen the page: long texts wrap and a table wider than the screen scrolls in
its own box, on a desktop and on a 390 px phone (the ``screen`` fixture's viewports).

The pages are those of the browser review: a named query with long quotes and locations, the
cluster dashboard's Indicators table, the list of named queries, a source's page, the cluster
comparison.
"""

from __future__ import annotations

import pytest

PAGES = [
    "/queries/enterprise-suppliers?customer=Changan",
    "/queries/where-number-from?value=1,398",
    "/clusters/chengdu-chongqing-auto",
    "/clusters",
    "/queries",
    "/id/source/six-auto-clusters",
]
#: Every table's box: what may scroll sideways, so the page need not.
OVERFLOW = """() => {
  const W = document.documentElement.clientWidth;
  const loose = [...document.querySelectorAll("table")].filter((t) => {
    for (let a = t.parentElement; a; a = a.parentElement)
      if (["auto", "scroll"].includes(getComputedStyle(a).overflowX)) return false;
    return true;
  });
  return { page: document.documentElement.scrollWidth, width: W, loose: loose.length };
}"""


@pytest.mark.parametrize("path", PAGES)
def test_the_page_is_no_wider_than_the_screen(screen, path):
    page = screen.page
    resp = page.goto(screen.base + path, wait_until="networkidle")
    assert resp.status == 200
    assert page.locator("table").count() >= 1
    found = page.evaluate(OVERFLOW)
    assert found["page"] <= found["width"], found
    assert found["loose"] == 0, found
    screen.assert_clean()
