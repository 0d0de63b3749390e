"""The home page's four questions, clicked in Chromium on a desktop and a phone viewport.

Expected answers come from the sources: the Northeast cluster "gathers 20 vehicle companies
and 846 auto parts companies" (six-auto-clusters); Changan's suppliers in Sichuan are stated
in the Chengdu-Chongqing sources; CATL's Yibin battery base is the graph's one battery plant in
Yibin, and no customer of it is stated (graphs/chengdu-chongqing-enterprises.ttl).
"""

from __future__ import annotations


def _ask(w, question: str):
    page = w.page
    page.goto(w.base + "/")
    link = page.get_by_role("link", name=question)
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    link.click()
    page.wait_for_load_state("networkidle")
    return page


def test_home_leads_with_the_questions(screen):
    page = screen.page
    page.goto(screen.base + "/")
    questions = page.locator("ul.questions a.question")
    assert questions.all_inner_texts() == [
        "Which cluster has the deepest parts base?",
        "Who supplies Changan, and from where?",
        "What fails if the battery plants in Yibin stop?",
        "Where does a number (846) come from?",
    ]
    # They come before the counts and the entry points.
    first = page.locator("ul.questions").bounding_box()
    assert first["y"] < page.locator("#coverage").bounding_box()["y"]
    screen.shot(f"home-questions-{screen.name}")
    screen.assert_clean()


def test_deepest_parts_base(screen):
    page = _ask(screen, "Which cluster has the deepest parts base?")
    row = page.locator("#comparison tr", has_text="Northeast China")
    assert "846" in row.inner_text()
    screen.assert_clean()


def test_who_supplies_changan_and_from_where(screen):
    page = _ask(screen, "Who supplies Changan, and from where?")
    text = page.locator("main").inner_text()
    assert "Changan Automobile's suppliers in Sichuan" in text
    assert "Sichuan" in text  # where they are
    screen.assert_clean()


def test_what_fails_if_the_battery_plants_in_yibin_stop(screen):
    page = _ask(screen, "What fails if the battery plants in Yibin stop?")
    summary = page.locator("#scenario-summary")
    summary.locator("h3").wait_for()
    text = summary.inner_text()
    assert "0 firms failed" in text
    assert "CATL battery base in Yibin" in text  # in the region, but no link is stated
    # The plant is marked failed on the map, drawn over the province outlines.
    assert page.locator("#graph-svg path.province").count() >= 31
    site = page.locator('#graph-svg .node[data-label="CATL battery base in Yibin"]')
    assert "failed" in site.get_attribute("class")
    summary.scroll_into_view_if_needed()
    screen.shot(f"home-yibin-{screen.name}")
    screen.assert_clean()


def test_where_846_comes_from(screen):
    page = _ask(screen, "Where does a number (846) come from?")
    text = page.locator("main").inner_text()
    assert "846 auto parts companies" in text
    screen.assert_clean()
