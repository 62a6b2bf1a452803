"""A person's path through the site in Debian's chromium, driven by Playwright.

Search in Russian, switch to English and search again, open a firm, run a SPARQL example. Screenshots
are kept under test-artifacts/web/ for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from .conftest import ARTIFACTS, shot

pytest_plugins = ["tests.web_fixtures"]
pytestmark = pytest.mark.slow


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"a dialog opened: {dialog.message}"))
    yield page
    context.close()
    assert errors == []  # no script ran, no alert() from a label


def test_search_in_russian_then_english_and_open_a_firm(page) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.get_by_role("searchbox").fill("оптический трансформатор тока")
    page.get_by_role("button", name="Найти").click()
    page.wait_for_url("**/?q=*")
    first = page.locator("article.card").first
    assert first.locator("h3").inner_text() == "Профотек"
    assert first.locator("mark").count() > 0  # the matched words are highlighted
    shot(page, "01-search-ru")

    page.locator("#lang-en").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("searchbox").fill("optical current transformer")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/?q=optical*")
    assert "Found" in page.locator(".summary").inner_text()
    assert page.get_by_role("link", name="Optical current transformer").count() > 0
    shot(page, "02-search-en")

    page.locator("article.card h3 a").first.click()
    page.wait_for_url("**/id/firm/profotek*")
    assert page.locator("h1").inner_text() == "Profotek"  # no English name here: the Russian one in Latin letters
    assert page.locator("svg.neighbourhood a").count() >= 3  # the firm and its neighbours, each a link
    assert page.locator("ol.facts li").count() >= 3
    shot(page, "03-firm")

    page.locator("ol.facts .source a").first.click()
    page.wait_for_url("**/id/document/**")
    assert page.locator("mark.marked").count() == 1  # the quoted sentence is marked in the document
    shot(page, "04-document")


def test_run_a_sparql_example(page) -> None:
    page.goto("/query?lang=ru")
    page.locator("#example-products-by-okpd2").click()
    page.wait_for_selector("table.results-table")
    cells = page.locator("table.results-table td").all_inner_texts()
    assert any(cell.startswith("27.11") for cell in cells) and "трансформатор" in " ".join(cells).lower()
    shot(page, "05-sparql-example")
    page.locator("textarea").fill(
        "SELECT ?name WHERE { ?f a schema:Corporation ; skos:prefLabel ?name } ORDER BY ?name"
    )
    page.locator("#run").click()
    page.wait_for_selector("table.results-table")
    names = page.locator("table.results-table td").all_inner_texts()
    assert "<script>alert(1)</script>ru" in names  # shown as text (with its language), and no dialog opened
    shot(page, "06-sparql-edited")


def test_artifacts_are_kept() -> None:
    assert shutil.which("true")  # the screenshots above are written before this runs
    assert any(ARTIFACTS.glob("*.png"))
