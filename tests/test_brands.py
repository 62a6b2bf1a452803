"""The imported brands' catalogue: every line sourced, read as a SKOS scheme, and a question about a brand
answered with the firms that make its class or have its competence."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Literal, URIRef

from ingest.brands import COLUMNS, GENERAL_KNOWLEDGE, brand_triples, is_brand_catalogue
from ingest.document import ReadError
from ingest.mapping import evidence_triples
from ontology.namespaces import SCHEMA, ZO
from ontology.uris import UriMinter
from search.fake_embedder import HashEmbedder
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import PROJECT, concept_triples
from .web_support import client_of

CATALOGUE = PROJECT / "corpora" / "brands" / "brands.csv"
BASE = "https://zamena.example.org/"


def test_every_line_of_the_catalogue_has_its_source_and_a_cyrillic_spelling() -> None:
    with CATALOGUE.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) >= 150
    for row in rows:
        where = f"{row['brand']} {row['line']}"
        assert tuple(row) == COLUMNS, where
        assert row["source"] == GENERAL_KNOWLEDGE or row["source"].startswith(("https://", "http://")), where
        assert re.search(r"[а-яё]", row["aliases"], re.IGNORECASE), where


def test_a_line_is_a_concept_with_its_class_and_competence() -> None:
    assert is_brand_catalogue(CATALOGUE) and not is_brand_catalogue(PROJECT / "corpora" / "classifiers")
    _graph, triples = brand_triples(CATALOGUE, UriMinter(BASE))
    sinamics = URIRef(BASE + "id/brand/siemens-sinamics")
    about = {(p, o) for s, p, o in triples if s == sinamics}
    assert (RDF.type, SKOS.Concept) in about and (SKOS.altLabel, Literal("Синамикс")) in about
    assert (SKOS.related, URIRef(BASE + "id/competence/electric-drives")) in about
    assert any(p == SKOS.broadMatch and str(o).startswith(BASE + "id/okpd2/27.11") for p, o in about)


def test_a_row_without_a_source_is_refused_with_its_number(tmp_path: Path) -> None:
    broken = tmp_path / "brands.csv"
    broken.write_text(",".join(COLUMNS) + "\nSiemens,SINAMICS,Синамикс,приводы,drives,,electric-drives,\n")
    with pytest.raises(ReadError, match="row 2"):
        brand_triples(broken, UriMinter(BASE))


def test_a_question_about_an_imported_line_finds_the_firm_with_its_competence(tmp_path: Path) -> None:
    firm = URIRef(BASE + "id/firm/privod-m")
    with KnowledgeBase(Settings.from_env(home=tmp_path, store="oxigraph"), embedder=HashEmbedder()) as kb:
        kb.ingest([CATALOGUE])  # the competences' scheme comes with every ingest
        kb.graph.replace_document_graph(
            URIRef(BASE + "graph/privod-m"),
            [
                (firm, RDF.type, SCHEMA.Corporation),
                (firm, SKOS.prefLabel, Literal("Привод-М", lang="ru")),
                (firm, ZO.hasCompetence, URIRef(BASE + "id/competence/electric-drives")),
            ],
        )
        kb.update_index()
        for question in ("аналог Siemens SINAMICS", "чем заменить Синамикс"):
            (answer,) = kb.search(question, mode="lexical").results
            assert answer.uri == str(firm)
            assert any(r.via == "substitute" and "SINAMICS" in (r.label or "") for r in answer.reasons)
        # a question about the kind of thing, naming no brand, is not answered through the brands
        assert kb.search("преобразователи частоты", mode="lexical").results == []
        # nor through a brand whose name holds a word of what the catalogue's lines are: "Schneider Electric"
        # is not named by "electric drives", «BYD Blade Battery» not by "battery"
        for question in ("electric drives", "battery packs"):
            assert kb.search(question, mode="lexical").results == [], question
        (answer,) = kb.search("Schneider Electric Altivar", mode="lexical").results  # its own words name it
        assert any("Altivar" in (r.label or "") for r in answer.reasons)


def _substitution_graph(kb: KnowledgeBase) -> dict[str, URIRef]:
    """Three firms that answer for Siemens SINAMICS in three ways, each fact with its quote: «Вектор» says its
    converter replaces SINAMICS, «Ток» makes a converter of the class, «Привод-М» has the drives competence."""
    firm = {name: URIRef(BASE + f"id/firm/{slug}") for name, slug in
            (("Вектор", "vektor"), ("Ток", "tok"), ("Привод-М", "privod-m"))}  # fmt: skip
    converter, inverter = URIRef(BASE + "id/product/vektor-pch"), URIRef(BASE + "id/product/tok-pch")
    imported = URIRef(BASE + "id/product/siemens-sinamics")
    okpd2 = URIRef(BASE + "id/okpd2/27.11.50.120")
    drives = URIRef(BASE + "id/competence/electric-drives")
    document = URIRef(BASE + "id/document/drives")
    facts = [
        (converter, SCHEMA.manufacturer, firm["Вектор"], "«Вектор» выпускает преобразователи частоты ВПЧ."),
        (converter, ZO.substitutes, imported, "Преобразователи ВПЧ заменяют Siemens SINAMICS на насосных станциях."),
        (inverter, SCHEMA.manufacturer, firm["Ток"], "«Ток» освоил выпуск частотных инверторов."),
        (inverter, SCHEMA.category, okpd2, "Инверторы «Тока» — статические преобразователи."),
        (firm["Привод-М"], ZO.hasCompetence, drives, "«Привод-М» занимается электроприводом."),
    ]
    triples = [(document, RDF.type, SCHEMA.NewsArticle)]
    triples += concept_triples(okpd2, "27.11.50.120", "Преобразователи электрические статические")
    triples += concept_triples(URIRef(BASE + "id/okpd2/32.50.21.122"), "32.50.21.122", "Аппараты ИВЛ")
    triples += concept_triples(URIRef(BASE + "id/okpd2/26.20.40.150"), "26.20.40.150", "Устройства ЧПУ")
    for name, uri in firm.items():
        triples += [(uri, RDF.type, SCHEMA.Corporation), (uri, SKOS.prefLabel, Literal(name, lang="ru"))]
    for product, label in ((converter, "преобразователи частоты ВПЧ"), (inverter, "частотные инверторы"),
                           (imported, "Siemens SINAMICS")):  # fmt: skip
        triples += [(product, RDF.type, SCHEMA.Product), (product, SKOS.prefLabel, Literal(label, lang="ru"))]
    start = 0
    for i, (s, p, o, quote) in enumerate(facts):
        triples.append((s, p, o))
        triples += evidence_triples(URIRef(BASE + f"id/evidence/e{i}"), (s, p, o), document, quote, start)
        start += len(quote) + 1
    kb.graph.replace_document_graph(URIRef(BASE + "graph/drives"), triples)
    return firm


def test_a_substitution_answer_says_what_the_imported_line_is_and_ranks_by_the_kind_of_evidence(tmp_path):
    with KnowledgeBase(Settings.from_env(home=tmp_path, store="oxigraph"), embedder=HashEmbedder()) as kb:
        kb.ingest([CATALOGUE])
        firm = _substitution_graph(kb)
        kb.update_index()
        answer = kb.search("аналог Siemens SINAMICS", mode="lexical")
        (thing,) = answer.imported  # SINAMICS, not also SINAMICS G120 and S120, nor Siemens as a whole
        assert thing.label == "Siemens SINAMICS" and thing.notation == "27.11.50.120"
        assert thing.definition["ru"] == "преобразователи частоты и приводные системы"
        assert thing.competence_label["ru"] == "Электропривод и силовая электроника"
        assert [r.uri for r in answer.results] == [str(firm[name]) for name in ("Вектор", "Ток", "Привод-М")]
        assert [r.substitution for r in answer.results] == [0, 1, 2]
        quotes = [[e.quote for e in r.evidence] for r in answer.results]
        assert "Преобразователи ВПЧ заменяют Siemens SINAMICS на насосных станциях." in quotes[0]
        assert quotes[1][0] == "«Ток» освоил выпуск частотных инверторов."  # its product's quote, first
        assert quotes[2][0] == "«Привод-М» занимается электроприводом."
        bridge = {(w.kind, w.label) for w in answer.results[1].reasons}
        assert ("product", "частотные инверторы") in bridge and ("concept", "Siemens SINAMICS") in bridge
        # a question about the kind of thing, naming no brand, says nothing about brands
        assert kb.search("преобразователи частоты", mode="lexical").imported == []


def test_the_page_shows_the_imported_line_the_groups_and_the_kind_of_each_reason(tmp_path):
    settings = Settings.from_env(home=tmp_path, store="oxigraph")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.ingest([CATALOGUE])
        _substitution_graph(kb)
        kb.update_index()
    with client_of(settings) as client:
        page = client.get("/", query_string={"q": "аналог Siemens SINAMICS"}).get_data(as_text=True)
        nobody = client.get("/", query_string={"q": "аналог Dräger Evita"}).get_data(as_text=True)
        english = client.get("/", query_string={"q": "Siemens SINAMICS", "lang": "en"}).get_data(as_text=True)
    assert "преобразователи частоты и приводные системы" in page and "27.11.50.120" in page
    groups = [page.index(t) for t in ("Заявлены как замена", "Выпускают продукцию того же класса",
                                      "Работают в той же области компетенций")]  # fmt: skip
    assert groups == sorted(groups)
    assert "импортная марка:" in page and "продукт:" in page and "компетенция:" in page
    assert "В графе нет фирм, выпускающих продукцию класса ОКПД 2 32.50.21.122" in nobody
    assert "frequency converters and drive systems" in english and "imported brand:" in english
    assert "В графе нет фирм, о которых известно, что они выпускают" not in page  # «Ток» makes the class


def test_when_only_the_competence_answers_the_page_says_nobody_makes_the_class(tmp_path):
    settings = Settings.from_env(home=tmp_path, store="oxigraph")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.ingest([CATALOGUE])
        firm = _substitution_graph(kb)
        kb.update_index()
        (answer,) = kb.search("чем заменить Sinumerik", mode="lexical").results  # CNC: nobody here makes it
        assert answer.uri == str(firm["Привод-М"]) and answer.substitution == 2
    with client_of(settings) as client:
        page = client.get("/", query_string={"q": "чем заменить Sinumerik"}).get_data(as_text=True)
    notice = page.index("выпускают продукцию класса ОКПД 2 26.20.40.150; ниже — фирмы с той же компетенцией")
    assert notice < page.index("Работают в той же области компетенций") < page.index("Привод-М")
