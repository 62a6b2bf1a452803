"""Values, sources and languages as a reader sees them in Debian's chromium, on a desktop and on a 390 px
phone, in Russian and English: a bar for the match and no raw score, three reasons then «+N», confidence
folded under «подробнее», quotes named by their document, English names, and on a phone the first answer on
the first screen with the facets folded. Screenshots are kept under test-artifacts/web/."""

from __future__ import annotations

import re

import pytest

from .conftest import PHONE, shot

pytest_plugins = ["tests.web_fixtures"]
pytestmark = pytest.mark.slow

QUESTION = {"ru": "оптический трансформатор тока", "en": "optical current transformer"}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_result_shows_a_bar_its_narrowest_reasons_and_named_sources(desktop, lang: str) -> None:
    desktop.goto(f"/?q={QUESTION[lang]}&lang={lang}")
    card = desktop.locator("article.card").first
    assert card.locator("h3").inner_text() == ("Профотек" if lang == "ru" else "Profotek")
    assert not re.search(r"(?<![\d.])0\.\d{3}", card.inner_text())  # no raw score
    bar = card.locator("meter.relevance")
    assert bar.is_visible()
    label = bar.get_attribute("aria-label")
    assert label == ("совпадение: 100 % от лучшего ответа" if lang == "ru" else "match: 100% of the best answer")
    visible_chips = card.locator(".why > a.chip")
    assert 1 <= visible_chips.count() <= 3
    assert visible_chips.first.inner_text().startswith("продукт:" if lang == "ru" else "product:")
    sources = card.locator("ul.evidence a.source").all_inner_texts()
    assert sources and all(s.startswith("Источник: " if lang == "ru" else "Source: ") for s in sources)
    assert any("Каталог продукции резидентов" in s for s in sources)
    shot(desktop, f"18-result-values-{lang}")


def test_the_other_reasons_open_from_their_count(desktop) -> None:
    desktop.goto("/?q=трансформатор")  # one of its firms has four reasons
    more = desktop.locator("details.more-reasons").first
    assert more.locator("summary").inner_text() == "+1"
    hidden = more.locator("a.chip")
    assert not hidden.first.is_visible()
    more.locator("summary").click()
    assert hidden.first.is_visible()
    shot(desktop, "18-more-reasons-open")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_confidence_and_rules_are_folded_on_an_entity_page(desktop, lang: str) -> None:
    desktop.goto(f"/id/product/optical-current-transformer?lang={lang}")
    heading = "Оптический трансформатор тока" if lang == "ru" else "Optical current transformer"
    assert desktop.locator("h1").inner_text() == heading
    summary = desktop.locator(".entity-summary").inner_text()
    assert summary.startswith("Измеряет ток" if lang == "ru" else "Measures current")
    fact = desktop.locator("li.fact").first
    word = "уверенность" if lang == "ru" else "confidence"
    assert word not in fact.inner_text()  # folded: not read until asked
    fact.locator("details.quote-details summary").first.click()
    assert word in fact.inner_text()
    shot(desktop, f"19-entity-details-{lang}")


def test_the_firm_in_english_has_a_latin_name_and_its_russian_one(desktop) -> None:
    desktop.goto("/id/firm/profotek?lang=en")
    assert desktop.locator("h1").inner_text() == "Profotek"
    assert "In Russian: Профотек" in desktop.locator(".entity-head").inner_text()
    desktop.goto("/api/?lang=en")
    assert "Answers to a question in Russian or English" in desktop.locator("main").inner_text()
    desktop.goto("/api/?lang=ru")
    assert "Ответы на вопрос по-русски или по-английски" in desktop.locator("main").inner_text()
    shot(desktop, "20-api-ru")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_on_a_phone_the_first_result_is_on_the_first_screen_and_the_facets_are_folded(phone, lang: str) -> None:
    phone.goto(f"/?q={QUESTION[lang]}&lang={lang}")
    first = phone.locator("article.card").first
    box = first.bounding_box()
    assert box is not None and box["y"] + 80 < PHONE["height"]  # its name and its first reason show
    assert first.locator("h3").is_visible()
    assert not phone.locator("aside.facets-side").is_visible()
    fold = phone.locator("details.facets-fold")
    assert fold.is_visible() and fold.get_attribute("open") is None
    kinds = fold.locator("a", has_text="продукты" if lang == "ru" else "products")
    assert not kinds.is_visible()
    shot(phone, f"21-phone-first-screen-{lang}", full=False)
    fold.locator("summary").click()
    assert kinds.is_visible()
    shot(phone, f"22-phone-facets-open-{lang}")


def test_on_a_desktop_the_facets_stand_beside_the_answers(desktop) -> None:
    desktop.goto(f"/?q={QUESTION['ru']}")
    assert desktop.locator("aside.facets-side").is_visible()
    assert not desktop.locator("details.facets-fold").is_visible()
    aside = desktop.locator("aside.facets-side").bounding_box()
    results = desktop.locator("section.results").bounding_box()
    assert aside["x"] + aside["width"] <= results["x"]
