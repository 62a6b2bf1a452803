"""Class pages and the neighbourhood picture in Debian's chromium, in Russian and English, on a desktop and
on a 390 px phone. Screenshots are kept under test-artifacts/web/."""

from __future__ import annotations

import pytest

from .conftest import PHONE, shot

pytest_plugins = ["tests.web_fixtures"]
pytestmark = pytest.mark.slow


# Every text of the picture with its box as the browser lays it out, and every node link with its names.
TEXT_BOXES = """() => [...document.querySelectorAll('svg.neighbourhood text')].map(t => {
    const b = t.getBBox(); return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; })"""
NODES = """() => [...document.querySelectorAll('svg.neighbourhood a')].map(a => ({
    href: a.getAttribute('href'), title: a.querySelector('title').textContent,
    drawn: [...a.querySelectorAll('tspan')].map(s => s.textContent).join(' '),
    shape: a.querySelector('circle, path').tagName, centre: a.classList.contains('centre')}))"""


def _row(page, heading: str, name: str):
    """The cell of the property table under `heading` whose row is called `name`."""
    table = page.locator("section", has=page.get_by_role("heading", name=heading, exact=True)).locator("table.props")
    return table.locator("tr", has=page.locator("th", has_text=name)).locator("td")


def test_a_class_page_leads_to_its_suppliers_in_russian_and_english(desktop) -> None:
    page = desktop
    page.goto("/id/okpd2/26.51")
    suppliers = page.locator("section.suppliers")
    assert suppliers.locator(".class-counts").inner_text() == "Фирмы: 1 · Продукты: 1"
    firm = suppliers.locator("ul.class-firms > li", has=page.get_by_role("link", name="Профотек", exact=True))
    product = firm.get_by_role("link", name="Оптический трансформатор тока")
    assert product.is_visible() and firm.get_by_role("link", name="26.51.4").is_visible()
    parent = "Оборудование для измерения, испытаний и навигации; часы всех видов"
    assert _row(page, "Свойства", "входит в").get_by_role("link").all_inner_texts() == [parent]
    children = _row(page, "Ссылаются сюда", "включает").get_by_role("link").all_inner_texts()
    assert children == ["Приборы для измерения электрических величин или ионизирующих излучений"]
    assert (
        "Волоконно-оптические измерения"
        in _row(page, "Ссылаются сюда", "близко к").get_by_role("link").all_inner_texts()
    )
    body = page.locator("main").inner_text()
    assert "broadMatch" not in body and "closeMatch" not in body and "narrower" not in body
    shot(page, "class-ru")

    page.goto("/id/okpd2/26.51?lang=en")
    assert page.locator("section.suppliers .class-counts").inner_text() == "Firms: 1 · Products: 1"
    # no English label: the class's Russian phrase as it is (letters alone would not translate it)
    parent = "Оборудование для измерения, испытаний и навигации; часы всех видов"
    assert _row(page, "Properties", "broader").get_by_role("link").all_inner_texts() == [parent]
    assert _row(page, "Linked from", "narrower").get_by_role("link").count() == 1
    assert page.locator("table.props th", has_text="broader").count() == 1  # the parent's row only
    shot(page, "class-en")

    product = page.locator("section.suppliers").get_by_role("link", name="Optical current transformer")
    product.click()
    page.wait_for_url("**/id/product/optical-current-transformer*")


def _apart(boxes: list[dict]) -> list[tuple[str, str]]:
    """The pairs of texts whose boxes overlap."""
    return [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    ]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_picture_has_whole_labels_apart_a_legend_and_links(desktop, lang) -> None:
    page = desktop
    legend = {"ru": ("Обозначения:", "документ", "фирма"), "en": ("Legend:", "document", "firm")}[lang]
    page.goto(f"/id/document/web-catalogue?lang={lang}")
    svg = page.locator("svg.neighbourhood")
    assert svg.is_visible()
    boxes = page.evaluate(TEXT_BOXES)
    assert len(boxes) >= 6 and _apart(boxes) == []
    view = svg.get_attribute("viewBox").split()
    assert all(0 <= b["x"] and b["x"] + b["w"] <= float(view[2]) for b in boxes)  # nothing runs off the picture
    nodes = page.evaluate(NODES)
    for node in nodes:
        assert node["href"].startswith("/id/")
        assert node["title"].startswith(node["drawn"] + " — ")  # the whole name is drawn, then its kind
    centre = next(node for node in nodes if node["centre"])
    firms = [node for node in nodes if node["href"].startswith("/id/firm/")]
    assert centre["shape"] == "path" and firms and all(node["shape"] == "circle" for node in firms)
    entries = page.locator("svg.neighbourhood g.legend text").all_text_contents()
    assert entries[0] == legend[0] and legend[1] in entries and legend[2] in entries
    shot(page, f"picture-document-{lang}")

    page.goto(f"/id/firm/profotek?lang={lang}")
    assert _apart(page.evaluate(TEXT_BOXES)) == []
    shot(page, f"picture-firm-{lang}")
    zone = "Технополис" if lang == "ru" else "Tekhnopolis"
    page.locator("svg.neighbourhood a", has_text=zone).first.click()
    page.wait_for_url("**/id/zone/tekhnopolis-moskva*")  # a node is a link to its page


def test_on_a_phone_the_picture_is_a_list_that_fits(phone) -> None:
    page = phone
    for path in ("/id/firm/profotek", "/id/okpd2/26.51?lang=en"):
        page.goto(path)
        assert not page.locator("svg.neighbourhood").is_visible()
        listed = page.locator("ul.picture-list li")
        assert listed.count() == page.locator("svg.neighbourhood a").count() - 1 > 0
        assert all(link.is_visible() for link in listed.get_by_role("link").all())
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider
    shot(page, "class-phone-en")
    page.goto("/id/firm/profotek?lang=ru")  # the language is kept in a cookie
    assert page.locator("ul.picture-list").get_by_role("link", name="Технополис „Москва“").is_visible()
    assert "(особая экономическая зона)" in page.locator("ul.picture-list").inner_text()
    shot(page, "picture-phone-ru")
