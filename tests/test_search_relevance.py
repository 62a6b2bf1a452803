"""Answer only what can be shown: no credit through broad classes, membership lists or words that say nothing;
an honest "nobody" with the nearest concepts; people and organisations by name; a reason for every firm.

The graph is written for these tests (invented firms) on the real Oxigraph store, the index built with the
deterministic fake embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ingest.mapping import evidence_triples
from ontology.namespaces import ORG, SCHEMA, ZO
from search.fake_embedder import HashEmbedder
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import concept_triples

BASE = "https://zamena.example.org/"
# the graph's nodes: who and what each one is
NODES = {
    "pumps": "id/firm/nasosmash",  # makes pumps, filed under the two-digit class 28 only
    "list_only": "id/firm/spisok",  # named only in the centre's list of members
    "valves": "id/firm/klapan",  # makes valves: its product is in a specific class
    "filed": "id/firm/ventil",  # filed under the valves' class, no product named
    "section": "id/okpd2/C",
    "division": "id/okpd2/28",
    "valve_class": "id/okpd2/28.14.1",
    "centre": "id/centre/c",
    "person": "id/person/efimov-vladimir",
    "ministry": "id/organisation/minpromtorg",
}
PUMPS, LIST_ONLY, VALVES, FILED, SECTION, DIVISION, VALVE_CLASS, CENTRE, PERSON, MINISTRY = (
    URIRef(BASE + path) for path in NODES.values()
)
LIST = "В центр компетенций вошли «Насосмаш», «Список» и «Клапан»: все они хотят импортозамещения."


def evidence(name: str, subject: URIRef, predicate: URIRef, obj: URIRef, text: str, start: int = 0) -> list:
    node, document = URIRef(BASE + f"id/evidence/{name}"), URIRef(BASE + "id/document/news")
    return evidence_triples(node, (subject, predicate, obj), document, text, start)


def triples() -> list:
    valve = URIRef(BASE + "id/product/klapan-dz")
    out = [
        *concept_triples(SECTION, "C", "Продукция обрабатывающих производств"),
        *concept_triples(DIVISION, "28", "Машины и оборудование, не включенные в другие группировки", SECTION),
        *concept_triples(VALVE_CLASS, "28.14.1", "Краны, клапаны и аналогичная арматура", DIVISION),
        (CENTRE, RDF.type, ZO.CompetenceCentre),
        (CENTRE, SKOS.prefLabel, Literal("Центр компетенций", lang="ru")),
        (valve, RDF.type, SCHEMA.Product),
        (valve, SKOS.prefLabel, Literal("запорный клапан", lang="ru")),
        (valve, SCHEMA.manufacturer, VALVES),
        (valve, SCHEMA.category, VALVE_CLASS),
        (PERSON, RDF.type, SCHEMA.Person),
        (PERSON, SKOS.prefLabel, Literal("Владимир Ефимов", lang="ru")),
        (MINISTRY, RDF.type, SCHEMA.GovernmentOrganization),
        (MINISTRY, SKOS.prefLabel, Literal("Минпромторг", lang="ru")),
        *evidence("e1", valve, SCHEMA.manufacturer, VALVES, "«Клапан» выпускает запорные клапаны."),
    ]
    for firm, name in ((PUMPS, "Насосмаш"), (LIST_ONLY, "Список"), (VALVES, "Клапан")):
        out += [
            (firm, RDF.type, SCHEMA.Corporation),
            (firm, SKOS.prefLabel, Literal(name, lang="ru")),
            (firm, ORG.memberOf, CENTRE),
        ]
        out += evidence(f"m-{name}", firm, ORG.memberOf, CENTRE, LIST, start=100)
    out.append((PUMPS, ORG.classification, DIVISION))
    out += [
        (FILED, RDF.type, SCHEMA.Corporation),
        (FILED, SKOS.prefLabel, Literal("Вентиль", lang="ru")),
        (FILED, ORG.classification, VALVE_CLASS),
    ]
    return out


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    home = Path(tmp_path_factory.mktemp("relevance"))
    with KnowledgeBase(Settings.from_env(home=home, store="oxigraph"), embedder=HashEmbedder()) as knowledge_base:
        knowledge_base.graph.replace_document_graph(URIRef(BASE + "graph/relevance"), triples())
        knowledge_base.update_index()
        yield knowledge_base


def firms(kb: KnowledgeBase, question: str, **options: object) -> list[str]:
    return [r.uri for r in kb.search(question, mode="lexical", **options).results]


def test_a_two_digit_class_or_a_section_credits_no_firm(kb: KnowledgeBase) -> None:
    # «машины» is in the label of class 28 only, which Насосмаш is filed under
    assert str(PUMPS) not in firms(kb, "машины")
    assert str(PUMPS) in firms(kb, "машины", nearest=True)  # without the rules it was padded in


def test_a_class_at_a_specific_level_credits_the_firm_whose_product_is_in_it(kb: KnowledgeBase) -> None:
    assert set(firms(kb, "арматура")) == {str(VALVES), str(FILED)}


def test_a_class_that_lacks_a_word_of_the_question_credits_nobody(kb: KnowledgeBase) -> None:
    # «Краны, клапаны и аналогичная арматура» does not say «запорная»: the firm filed there is not known to
    # make what is asked; the firm whose product says it is
    assert firms(kb, "запорная арматура") == [str(VALVES)]
    assert str(FILED) in firms(kb, "запорная арматура", nearest=True)


def test_a_firms_bare_name_found_by_the_model_alone_is_no_reason(kb: KnowledgeBase) -> None:
    def bare_names(**options: object) -> list[str]:
        results = kb.search("bicycles", **options).results  # hybrid: the fake model finds every name
        return [r.text for result in results for r in result.reasons if r.kind == "profile"]

    assert bare_names() == []
    assert "Насосмаш" in bare_names(nearest=True)
    assert firms(kb, "Насосмаш") == [str(PUMPS)]  # named, it is found


def test_a_list_of_members_is_no_reason(kb: KnowledgeBase) -> None:
    assert firms(kb, "хотят") == []  # a word of the members' list only
    assert set(firms(kb, "хотят", nearest=True)) >= {str(PUMPS), str(LIST_ONLY)}


def test_a_question_of_no_word_gets_the_empty_answer_not_the_models_guess(kb: KnowledgeBase) -> None:
    for nonsense in ("zzzqqq", "кккккк фывапр"):
        assert kb.search(nonsense).results == [], nonsense  # hybrid: the model alone would place it somewhere
        assert kb.search(nonsense, nearest=True).results  # without the rules the guess was answered
    assert firms(kb, "клапаны qwerty") == [str(VALVES)]  # one real word is enough


def test_words_that_say_nothing_match_nothing(kb: KnowledgeBase) -> None:
    assert firms(kb, "производство оборудования") == []


def test_nobody_is_said_with_the_nearest_concepts(kb: KnowledgeBase) -> None:
    nobody = kb.search("машины", mode="lexical")  # a class matches, but no firm is known to make them
    assert nobody.results == [] and [s.uri for s in nobody.suggestions] == [str(DIVISION)]
    assert kb.search("подводные лодки", mode="lexical").suggestions == []  # nothing near: nothing offered


def test_people_and_organisations_are_found_by_name(kb: KnowledgeBase) -> None:
    assert [r.uri for r in kb.search("Ефимов", kind="person").results] == [str(PERSON)]
    assert [r.uri for r in kb.search("Минпромторг", kind="organisation").results] == [str(MINISTRY)]
    assert kb.search("Клапан", kind="organisation").results == []  # a firm has its own kind


def test_every_answered_firm_has_a_reason(kb: KnowledgeBase) -> None:
    for question in ("запорный клапан", "клапаны", "арматура", "Клапан"):
        for result in kb.search(question).results:
            assert result.reasons, (question, result.uri)
