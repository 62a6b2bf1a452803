"""The gazetteer's name index, and the second look a batch takes at documents read before a firm was known."""

from __future__ import annotations

from ingest.gazetteer import Gazetteer, KnownFirm, NameIndex
from ingest.pipeline import words
from zamena.kb import KnowledgeBase


def _found(index: NameIndex, text: str) -> list[tuple[str, str]]:
    tokens = words(text)
    return [(" ".join(tokens[start:end]), key) for start, end, key in index.find(tokens)]


def test_the_index_finds_inflected_multiword_names_among_many_firms():
    firms = [KnownFirm(f"firm-{n}", f"Фирма Плюс{n}") for n in range(3000)]
    gazetteer = Gazetteer([*firms, KnownFirm("npp-itelma", "НПП Итэлма", {"Itelma"}), KnownFirm("ozon", "Озон")])
    index = NameIndex(words)
    index.follow(gazetteer)
    text = "Инженеры НПП Итэлмы и Itelma работают с «Фирмой Плюс2999», а не с «Фирмой Плюс»."
    assert _found(index, text) == [
        ("НПП Итэлмы", "npp-itelma"),
        ("Itelma", "npp-itelma"),
        ("Фирмой Плюс2999", "firm-2999"),
    ]
    assert _found(index, "Склад «Озона» и озёрный край") == [("Озона", "ozon")]


def test_the_index_catches_up_with_firms_and_names_added_later():
    gazetteer = Gazetteer([KnownFirm("a", "Альфатех")])
    index = NameIndex(words)
    index.follow(gazetteer)
    assert _found(index, "Бетатрон и Альфатеху") == [("Альфатеху", "a")]
    gazetteer.add(KnownFirm("b", "Бетатрон"))
    gazetteer.add(KnownFirm("a", "Альфатех", {"АТХ Групп"}))
    index.follow(gazetteer)
    assert _found(index, "Бетатрон и АТХ Групп") == [("Бетатрон", "b"), ("АТХ Групп", "a")]


def test_a_firm_named_again_with_nothing_new_is_no_change():
    gazetteer = Gazetteer([KnownFirm("a", "Альфатех", {"АТХ"})])
    gazetteer.add(KnownFirm("a", "АТХ"))
    assert gazetteer.changes == ["a"]


def test_a_document_read_before_the_firm_it_names_was_known_is_linked_to_it(settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # read in this order: the news item first, when «Профотек» is not yet known to the gazetteer
    (corpus / "a-news.txt").write_text("Инженеры Профотеку поставили заводу трансформаторы.\n", encoding="utf-8")
    (corpus / "b-profile.txt").write_text(
        "Компания «Профотек» разрабатывает оптические трансформаторы тока.\n", encoding="utf-8"
    )
    with KnowledgeBase(settings) as kb:
        report = kb.ingest([corpus])
        assert report.failed == []
        rows = kb.graph.query("""
            SELECT ?source WHERE {
                ?doc schema:mentions ?firm ; dcterms:source ?source . ?firm skos:prefLabel "Профотек"@ru
            }""")
        assert sorted(str(source).rsplit("/", 1)[-1] for (source,) in rows) == ["a-news.txt", "b-profile.txt"]
