"""The neighbourhood picture: whole labels that never overlap, a legend per kind, documents unlike firms,
every node a link, and a list instead of the picture on a phone."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import URIRef

from web.describe import Value
from web.picture import MOST_LINES, NODE_CHARS, layout, text_width

pytest_plugins = ["tests.web_fixtures"]

BASE = "https://zamena.example.org/id/"
SVG = "{http://www.w3.org/2000/svg}"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _value(path: str, label: str, kind: str) -> Value:
    return Value(URIRef(BASE + path), label, True, kind)


def _link(label: str) -> Value:
    return Value(URIRef("https://schema.org/" + re.sub(r"\W", "", label)), label, True)


CENTRE = _value("firm/profotek", "Профотек", "firm")
# long names, a document named like the firm, every kind, links both ways
NEIGHBOURS = [
    (
        _link("производитель"),
        _value("product/a", "оптические трансформаторы тока и напряжения для цифровых подстанций", "product"),
        False,
    ),
    (_link("производитель"), _value("product/b", "электронные трансформаторы тока и напряжения", "product"), False),
    (_link("упоминает"), _value("document/profotek", "Профотек", "document"), False),
    (
        _link("упоминает"),
        _value(
            "document/news",
            "Ефимов: Центр компетенций в сфере импортозамещения появится в технополисе «Москва» и объединит "
            "двенадцать компаний особой экономической зоны",
            "document",
        ),
        False,
    ),
    (
        _link("вид деятельности (ОКВЭД 2)"),
        _value("okved2/27.11", "Производство электродвигателей, электрогенераторов и трансформаторов", "concept"),
        True,
    ),
    (_link("класс продукции (ОКПД 2)"), _value("okpd2/27.11.4", "Трансформаторы электрические", "concept"), True),
    (_link("имеет компетенцию"), _value("competence/fibre", "Волоконная оптика и фотоника", "concept"), True),
    (_link("участник"), _value("centre/c", "Центр компетенций в сфере импортозамещения", "centre"), True),
    (_link("резидент"), _value("zone/moscow", "Технополис „Москва“", "zone"), True),
    (
        _link("занимает должность в организации, которую возглавляет"),
        _value("person/p", "Владимир Ефимов", "person"),
        False,
    ),
    (
        _link("сайт"),
        _value("organisation/x", "Департамент инвестиционной и промышленной политики города Москвы", "organisation"),
        True,
    ),
    (_link("соответствует более узкому"), _value("brand/siemens", "Siemens SIMOTICS", "concept"), True),
]


def test_every_label_is_whole_on_at_most_three_lines_and_no_two_overlap() -> None:
    picture = layout(CENTRE, NEIGHBOURS, "ru")
    for node in [picture.centre] + picture.nodes:
        assert " ".join(node.text.lines) == node.label  # whole: nothing cut, nothing added
        if len(node.label) <= 3 * NODE_CHARS:
            assert len(node.text.lines) <= MOST_LINES, node.label
    for edge in picture.edges:
        assert " ".join(edge.text.lines) == edge.names
    boxes = picture.boxes()
    for i, (name, box) in enumerate(boxes):
        assert 0 <= box.left and box.right <= picture.width and 0 <= box.top and box.bottom <= picture.height, name
        for other, other_box in boxes[i + 1 :]:
            assert not box.overlaps(other_box), (name, other)


def test_a_word_longer_than_a_line_is_split_not_cut() -> None:
    word = "Электромобилимануфэкчурингрусэлектротехника" * 2
    picture = layout(CENTRE, [(_link("резидент"), _value("firm/long", word, "firm"), True)], "ru")
    assert "".join(picture.nodes[0].text.lines) == word


def test_the_legend_names_each_kind_drawn_in_the_readers_language() -> None:
    ru = layout(CENTRE, NEIGHBOURS, "ru")
    names = [entry.name for entry in ru.legend]
    expected = ["фирма", "продукт", "документ", "компетенция", "класс классификатора", "импортная марка"]
    expected += ["человек", "центр или кластер", "особая экономическая зона", "организация"]
    assert names == expected
    assert ru.legend_title.lines == ["Обозначения:"]
    en = layout(CENTRE, NEIGHBOURS, "en")
    assert [entry.name for entry in en.legend][:3] == ["firm", "product", "document"]
    assert en.legend_title.lines == ["Legend:"]
    # only what is drawn
    small = layout(CENTRE, NEIGHBOURS[:1], "ru")
    assert [entry.name for entry in small.legend] == ["фирма", "продукт"]


def test_a_document_is_drawn_unlike_a_firm_of_the_same_name() -> None:
    picture = layout(CENTRE, NEIGHBOURS, "ru")
    document = next(node for node in picture.nodes if node.value.uri.endswith("document/profotek"))
    assert document.label == picture.centre.label
    assert document.shape != picture.centre.shape and document.colour != picture.centre.colour


def test_the_picture_is_no_wider_than_it_needs() -> None:
    one = layout(CENTRE, NEIGHBOURS[8:9], "ru")
    full = layout(CENTRE, NEIGHBOURS, "ru")
    assert one.width < 420 and one.width < full.width
    assert full.width < 1100  # fits the page's column at its own size


@pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu Sans is not installed")
def test_the_width_estimate_holds_the_text_a_browser_draws() -> None:
    from PIL import ImageFont

    font = ImageFont.truetype(str(DEJAVU), 130)
    texts = [text for link, value, _out in NEIGHBOURS for text in (value.label, link.label)]
    for text in texts + ["ЖШЩЮ МWм шщж", "Fanuc αi / βi"]:
        assert text_width(text, 13) >= font.getlength(text) / 10, text


def _svg(client, uri: str, lang: str = "ru") -> ET.Element:
    response = client.get("/neighbourhood.svg", query_string={"uri": uri, "lang": lang})
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    return ET.fromstring(response.get_data())


def test_every_node_of_the_served_picture_is_a_link_with_its_whole_name(client) -> None:
    svg = _svg(client, BASE + "firm/profotek")
    links = svg.findall(f"{SVG}a")
    assert len(links) >= 4
    for link in links:
        assert link.get("href", "").startswith("/id/")
        assert link.find(f"{SVG}circle") is not None or link.find(f"{SVG}path") is not None
        name = " ".join(tspan.text or "" for tspan in link.iter(f"{SVG}tspan"))
        assert link.find(f"{SVG}title").text.startswith(name)  # the name drawn is the whole name
    assert 'href="/id/firm/profotek"' in ET.tostring(svg, encoding="unicode")  # the centre links too
    legend = [" ".join(t.text or "" for t in g.iter(f"{SVG}tspan")) for g in svg.iter(f"{SVG}g")]
    assert "фирма" in legend and "особая экономическая зона" in legend
    english = ET.tostring(_svg(client, BASE + "firm/profotek", "en"), encoding="unicode")
    assert "Legend:" in english and "special economic zone" in english


def test_the_entity_page_has_the_list_a_phone_shows_instead(client) -> None:
    html = client.get("/id/firm/profotek").get_data(as_text=True)
    listed = html.split('<ul class="picture-list">', 1)[1].split("</ul>", 1)[0]
    assert 'href="/id/zone/tekhnopolis-moskva"' in listed and "(особая экономическая зона)" in listed
    drawn = html.split('<svg xmlns="http://www.w3.org/2000/svg"', 1)[1].split("</svg>", 1)[0]
    assert listed.count("<li>") == drawn.count("<a href=") - 1  # each neighbour, the centre aside
