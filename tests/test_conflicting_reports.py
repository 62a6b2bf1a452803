"""Two reports that disagree on a figure are both kept, each with its own source, and shown side by side.

The two news items are written for this test (an invented firm); they give the same plant two different
investment sums and capacities, as real sources do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from rdflib import URIRef

from search.fake_embedder import HashEmbedder
from tests.web_support import client_of, knowledge_base_of
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

FIRST = """---
kind: news
title: «Биоткань-Про» запустит завод в Печатниках
date: 2021-03-02
url: https://first.example.ru/news/biotkan
sources:
  first: {url: "https://first.example.ru/news/biotkan", date: 2021-03-02, supports: инвестиции и мощность завода}
---
Компания «Биоткань-Про» запустит завод клеточных продуктов в Печатниках.

По данным источника, инвестиции в завод составят 410 млн руб., а мощность — до 55 тыс. единиц продукции в год.
"""

SECOND = """---
kind: news
title: «Биоткань-Про» вложила в завод полмиллиарда
date: 2022-09-14
url: https://www.second.example.org/2022/biotkan
sources:
  second: {url: "https://www.second.example.org/2022/biotkan", date: 2022-09-14, supports: вложения и выпуск}
---
Компания «Биоткань-Про» открыла завод клеточных продуктов в Печатниках.

В производство компания вложила 480 млн рублей. Завод выпускает до 60 тыс. единиц продукции в год.
"""

FIRM = "https://zamena.example.org/id/firm/biotkan-pro"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    documents = {"2021-03-02-biotkan.md": FIRST, "2022-09-14-biotkan.md": SECOND}
    return knowledge_base_of(tmp_path_factory.mktemp("reports"), documents)


@pytest.fixture(scope="module")
def client(home: Settings) -> Iterator[FlaskClient]:
    with client_of(home) as test_client:
        yield test_client


def test_each_figure_is_stored_with_its_own_source(home: Settings) -> None:
    with KnowledgeBase(home, read_only=True, embedder=HashEmbedder()) as kb:
        rows = kb.graph.query(
            """SELECT ?p ?v ?url ?firm WHERE { ?firm ?p ?q . ?q a zo:Quantity ; schema:value ?v .
                   ?e a zo:Evidence ; rdf:object ?q ; prov:wasDerivedFrom ?doc . ?doc schema:url ?url }""",
            {"firm": URIRef(FIRM)},
        )
        found = {(str(p).rsplit("#", 1)[-1], int(v), str(url).split("/")[2]) for p, v, url, _firm in rows}
    assert found == {
        ("investment", 410_000_000, "first.example.ru"),
        ("investment", 480_000_000, "www.second.example.org"),
        ("productionCapacity", 55_000, "first.example.ru"),
        ("productionCapacity", 60_000, "www.second.example.org"),
    }


def test_the_entity_page_shows_both_reports_side_by_side(client: FlaskClient) -> None:
    html = client.get("/id/firm/biotkan-pro").get_data(as_text=True)
    assert "410 млн руб." in html and "480 млн рублей" in html
    assert "по данным first.example.ru, 02.03.2021 · план" in html  # «составят»: a plan, so marked
    assert "по данным second.example.org, 14.09.2022" in html
    assert "до 55 тыс. единиц" in html and "до 60 тыс. единиц" in html


def test_the_api_gives_each_figure_its_note(client: FlaskClient) -> None:
    answer = client.get("/api/entity", query_string={"uri": FIRM}).get_json()
    notes = sorted(
        v["note"] for _p, values in _properties(answer) for v in values if v.get("kind") == "quantity" and "note" in v
    )
    assert len(notes) == 4
    assert sum("first.example.ru" in n for n in notes) == sum("second.example.org" in n for n in notes) == 2


def _properties(answer: dict) -> list[tuple[str, list[dict]]]:
    return [(p["predicate"]["uri"], p["values"]) for p in answer["properties"]]
