"""SPARQL answers, document pages, the start page's coverage and the dumps in Debian's chromium, in Russian
and English, on a desktop and on a 390 px phone. Screenshots are kept under test-artifacts/web/."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import PHONE, shot

pytest_plugins = ["tests.web_fixtures"]
pytestmark = pytest.mark.slow

PRODUCTS = """SELECT ?product ?name ?class ?maker WHERE {
  ?product schema:category ?class ; schema:manufacturer ?maker ; skos:prefLabel ?name FILTER(LANG(?name) = "ru")
}"""
NEWS = "/id/document/news-web-2023-05-10"
# the height of each IRI link of the results table: one line of text, or more when it wraps
IRI_HEIGHTS = """() => [...document.querySelectorAll('table.results-table a.iri')]
    .map(a => a.getBoundingClientRect().height)"""


def _run(page, lang: str) -> None:
    page.goto(f"/query?lang={lang}")
    page.locator("textarea").fill(PRODUCTS)
    page.locator("#run").click()
    page.wait_for_selector("table.results-table")


@pytest.mark.parametrize(
    ("lang", "label"), [("ru", "Оптический трансформатор тока"), ("en", "Optical current transformer")]
)
def test_sparql_results_show_prefixed_names_with_labels_on_one_line(desktop, lang: str, label: str) -> None:
    _run(desktop, lang)
    cell = desktop.locator("td", has=desktop.locator("a.iri", has_text="product:optical-current-transformer"))
    assert cell.locator(".iri-label").inner_text() == label
    assert desktop.locator("a.iri", has_text="okpd2:26.51.4").count() == 1
    line = desktop.evaluate("() => parseFloat(getComputedStyle(document.querySelector('a.iri')).lineHeight) || 20")
    assert max(desktop.evaluate(IRI_HEIGHTS)) < 1.5 * line  # no IRI wraps over lines
    assert "https://zamena.example.org/id/" not in desktop.locator("table.results-table").inner_text()
    assert "PREFIX okpd2:" in desktop.locator("pre.prefixes").inner_text()
    shot(desktop, f"07-sparql-prefixed-{lang}")


def test_sparql_results_on_a_phone_and_the_csv_download(phone) -> None:
    _run(phone, "ru")
    assert max(phone.evaluate(IRI_HEIGHTS)) < 30
    shot(phone, "08-sparql-prefixed-phone")
    with phone.expect_download() as download:
        phone.locator("a.download", has_text="csv").click()
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == "zamena-result.csv"
    assert data.startswith(b"\xef\xbb\xbf")  # so that Excel reads the file as UTF-8
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "product,name,class,maker" and "Оптический трансформатор тока" in text


@pytest.mark.parametrize(("lang", "facts"), [("ru", "Факты и их источники"), ("en", "Facts and their sources")])
def test_a_document_page_shows_its_text_first_and_its_facts_folded(desktop, lang: str, facts: str) -> None:
    desktop.goto(f"{NEWS}?lang={lang}")
    text = desktop.locator("section.document-text .doc-text")
    assert "заявилась в центр компетенций" in text.inner_text()
    summary = desktop.locator("details.facts-fold > summary")
    assert facts in summary.inner_text()
    assert text.bounding_box()["y"] < summary.bounding_box()["y"]  # the text comes first
    assert not desktop.locator("ol.facts").is_visible()  # the facts are folded
    body = desktop.locator("main").inner_text()
    assert "Версия для печати" not in body and "corpora/" not in body
    shot(desktop, f"09-document-{lang}")
    summary.click()
    assert desktop.locator("ol.facts li").first.is_visible()
    shot(desktop, f"10-document-facts-open-{lang}")


def test_a_document_page_on_a_phone_opens_at_its_text(phone) -> None:
    phone.goto(f"{NEWS}?lang=en")
    assert phone.locator("section.document-text .doc-text").bounding_box()["y"] < PHONE["height"]
    shot(phone, "11-document-phone")


@pytest.mark.parametrize(
    ("lang", "says"),
    [("ru", "В графе: фирм —"), ("en", "In the graph:")],
)
def test_the_start_page_says_what_the_graph_covers_and_the_dumps_download(desktop, lang: str, says: str) -> None:
    desktop.goto(f"/?lang={lang}")
    coverage = desktop.locator("#coverage")
    assert says in coverage.inner_text()
    assert ("10.05.2023" if lang == "ru" else "2023-05-10") in coverage.inner_text()  # the newest document
    shot(desktop, f"12-start-coverage-{lang}")
    coverage.locator("a").click()
    desktop.wait_for_url("**/data*")
    with desktop.expect_download() as download:
        desktop.locator("a[href='/dumps/zamena.ttl']").click()
    assert download.value.suggested_filename == "zamena.ttl"
    for _attempt in range(60):  # the dumps not written yet are written in the background
        desktop.reload()
        if desktop.locator("table.dumps td.pending").count() == 0:
            break
        desktop.wait_for_timeout(1000)
    rows = desktop.locator("table.dumps tbody tr")
    assert rows.count() == 6
    for row in rows.all():
        cells = row.inner_text()
        assert ("Б" if lang == "ru" else "B") in cells and "CC BY 4.0" in cells
    shot(desktop, f"13-data-dumps-{lang}")


def test_the_start_page_and_the_dumps_on_a_phone(phone) -> None:
    phone.goto("/?lang=ru")
    assert phone.locator("#coverage").bounding_box()["y"] < PHONE["height"]
    shot(phone, "14-start-coverage-phone")
    phone.goto("/data?lang=en")
    shot(phone, "15-data-dumps-phone")
