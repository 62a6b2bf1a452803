"""A fact a profile states is shown as a sentence in our words with the pages it cites, not as the line of
front matter it stands on — on the entity page, in the JSON API and in search.

The profile is written for this test (an invented firm)."""

from __future__ import annotations

import pytest
from rdflib import DCTERMS, Literal, URIRef

from ontology.namespaces import ZO
from search.fake_embedder import HashEmbedder
from tests.web_support import client_of, knowledge_base_of
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

PROFILE = """---
kind: profile
name: Сигналтех
products:
  - name: оптические датчики тока
    okpd2: "27.11.4"
    source: maker
competences:
  - {id: fibre-optics-photonics, source: maker}
sources:
  maker:
    url: https://www.signaltech.example.ru/products
    date: 2024-03-05
    supports: выпускает оптические датчики тока
---
# Сигналтех

Компания «Сигналтех» выпускает оптические датчики тока.
"""
FIRM = "https://zamena.example.org/id/firm/signaltekh"
SAID = "Профиль компании: выпускает оптические датчики тока"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return knowledge_base_of(tmp_path_factory.mktemp("readable"), {"signaltekh.md": PROFILE})


def test_a_stated_fact_keeps_its_line_and_carries_its_words_and_pages(settings: Settings) -> None:
    with KnowledgeBase(settings, read_only=True, embedder=HashEmbedder()) as kb:
        evidence = {e for e, _p, o in kb.graph.triples((None, ZO.statement, Literal(SAID, lang="ru")))}
        assert len(evidence) == 1
        (node,) = evidence
        page = URIRef("https://www.signaltech.example.ru/products")
        assert (node, DCTERMS.source, page) in set(kb.graph.triples((node, DCTERMS.source, None)))
        assert str(next(kb.graph.triples((page, DCTERMS.date, None)))[2]) == "2024-03-05"


def test_the_entity_page_shows_the_statement_and_its_source_not_the_yaml(settings: Settings) -> None:
    with client_of(settings) as client:
        html = client.get("/id/firm/signaltekh").get_data(as_text=True)
    assert "выпускает" in html and "Профиль компании:" in html
    assert "По данным" in html and 'href="https://www.signaltech.example.ru/products"' in html
    assert "signaltech.example.ru</a>, 05.03.2024" in html
    assert "- name:" not in html and "{id: fibre" not in html
    assert "компетенция «Волоконная оптика и фотоника»" in html.replace("<mark>", "").replace("</mark>", "")


def test_the_api_gives_the_statement_and_the_pages(settings: Settings) -> None:
    with client_of(settings) as client:
        answer = client.get("/api/entity", query_string={"uri": FIRM}).get_json()
    quotes = [q for fact in answer["facts"] for q in fact["evidence"] if q.get("statement") == SAID]
    assert quotes and quotes[0]["cites"] == [
        {"url": "https://www.signaltech.example.ru/products", "site": "signaltech.example.ru", "date": "05.03.2024"}
    ]
    assert quotes[0]["quote"].lstrip().startswith("- name:")  # the line it stands on stays, with its offsets


def test_search_quotes_the_statement(settings: Settings) -> None:
    with KnowledgeBase(settings, read_only=True, embedder=HashEmbedder()) as kb:
        (result,) = kb.search("оптические датчики тока", mode="lexical").results
        assert result.uri == FIRM
        assert all(not e.quote.lstrip().startswith(("- name:", "{id:")) for e in result.evidence)
        assert any(e.quote == SAID for e in result.evidence)
