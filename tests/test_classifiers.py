"""ОКВЭД 2 and ОКПД 2 as published (cp1251 CSV, windows-1251 XML) → SKOS schemes: encodings, every row
once, one existing parent per concept, no cycles, and the schemes in the real Oxigraph store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from ingest.classifiers import (
    Classifier,
    broader_transitive,
    candidate_parents,
    classifier_kind,
    classifier_report,
    classifier_triples,
    read_classifier,
)
from ingest.document import ReadError
from ontology.uris import UriMinter

from .helpers import PROJECT

CLASSIFIERS = PROJECT / "corpora" / "classifiers"
OKVED2 = CLASSIFIERS / "okved2-rosstat-20231201.csv"
OKPD2 = CLASSIFIERS / "okpd2-datamos-9757-20220525.xml"
BASE = "https://zamena.example.org/"


@pytest.fixture(scope="module")
def okved2() -> Classifier:
    return read_classifier(OKVED2)


@pytest.fixture(scope="module")
def okpd2() -> Classifier:
    return read_classifier(OKPD2)


def test_the_files_are_kept_in_their_published_legacy_encodings() -> None:
    for path in (OKVED2, OKPD2):
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    assert b'encoding="windows-1251"' in OKPD2.read_bytes()[:100]


def test_cp1251_is_detected_and_read_back_as_russian(okved2: Classifier, okpd2: Classifier) -> None:
    assert okved2.encoding == "cp1251" and okpd2.encoding == "cp1251"
    assert okved2.entries["A"].label == "СЕЛЬСКОЕ, ЛЕСНОЕ ХОЗЯЙСТВО, ОХОТА, РЫБОЛОВСТВО И РЫБОВОДСТВО"
    assert okved2.entries["27.11"].label == "Производство электродвигателей, электрогенераторов и трансформаторов"
    assert okpd2.entries["27.11"].label == "Электродвигатели, генераторы и трансформаторы"
    assert okpd2.entries["26.51"].label == "Оборудование для измерения, испытаний и навигации"


def test_files_are_recognised_by_content_not_name(tmp_path: Path) -> None:
    assert classifier_kind(OKVED2) == "okved2" and classifier_kind(OKPD2) == "okpd2"
    renamed = tmp_path / "anything.csv"
    renamed.write_bytes(OKVED2.read_bytes()[:2000])
    assert classifier_kind(renamed) == "okved2"
    ordinary = tmp_path / "prices.csv"
    ordinary.write_text("name;price\nбумага;10\n", encoding="cp1251")
    assert classifier_kind(ordinary) is None


def test_every_source_row_is_a_concept_exactly_once(okved2: Classifier, okpd2: Classifier) -> None:
    csv_rows = [line for line in OKVED2.read_bytes().splitlines() if line.strip()]
    xml_records = OKPD2.read_bytes().count(b"<array>")
    assert (okved2.rows, len(okved2.entries)) == (len(csv_rows), 2899)
    assert (okpd2.rows, len(okpd2.entries)) == (xml_records, 19503)
    # Neither edition repeats a code; a repeat would be kept once and counted here.
    assert classifier_report(okved2)["duplicates"] == 0
    assert classifier_report(okpd2)["duplicates"] == 0


def test_codes_that_lost_their_leading_zero_are_read_from_idx(okpd2: Classifier) -> None:
    assert sorted(okpd2.repaired) == [(str(n), f"0{n}") for n in range(1, 10) if n != 4]
    assert okpd2.entries["05"].label == "Уголь" and okpd2.parent("05") == "B"


def test_every_concept_but_the_sections_has_one_existing_parent_and_no_cycle(
    okved2: Classifier, okpd2: Classifier
) -> None:
    for classifier in (okved2, okpd2):
        report = classifier_report(classifier)
        assert report["sections"] == 21 and report["orphans"] == 0
        hierarchy = classifier.hierarchy()
        for code in hierarchy:
            seen = [code]
            while hierarchy[seen[-1]] is not None:
                seen.append(hierarchy[seen[-1]])
                assert len(seen) <= 8, f"{code}: a cycle or a chain too long: {seen}"
            assert re.fullmatch("[A-U]", seen[-1]), f"{code} does not lead up to a section"


def test_subcategories_without_a_category_sit_under_their_type(okpd2: Classifier) -> None:
    assert okpd2.parent("27.11.10.110") == "27.11.10"
    assert okpd2.parent("29.10.41.111") == "29.10.41.110"
    skipped = [
        code
        for code in okpd2.entries
        if code.count(".") == 3 and not code.endswith("0") and okpd2.parent(code) == code.rsplit(".", 1)[0]
    ]
    assert len(skipped) == 510  # their category …0 is missing from this edition (see SOURCES.md)


def test_candidate_parents_follow_the_code() -> None:
    assert candidate_parents("27.11.10.111", "C") == ["27.11.10.110", "27.11.10"]
    assert candidate_parents("27.11.10", "C") == ["27.11.1"]
    assert candidate_parents("27.11.1", "C") == ["27.11"]
    assert candidate_parents("27.11", "C") == ["27.1"]
    assert candidate_parents("27.1", "C") == ["27"]
    assert candidate_parents("27", "C") == ["C"]
    assert candidate_parents("C", "C") == []


def test_skos_triples_have_one_broader_each_and_sections_as_top_concepts(okved2: Classifier) -> None:
    minter = UriMinter(BASE)
    graph_uri, triples = classifier_triples(okved2, minter, "okved2.csv")
    assert graph_uri == URIRef(BASE + "graph/okved2")
    graph = Graph()
    for t in triples:
        graph.add(t)
    scheme = URIRef(BASE + "id/okved2")
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 2899
    tops = set(graph.objects(scheme, SKOS.hasTopConcept))
    assert tops == set(graph.subjects(SKOS.topConceptOf, scheme)) and len(tops) == 21
    for concept in concepts:
        parents = list(graph.objects(concept, SKOS.broader))
        assert (concept in tops) == (parents == []), concept
        assert len(parents) <= 1 and all(p in concepts for p in parents)
        assert (concept, SKOS.inScheme, scheme) in graph
        assert len(list(graph.objects(concept, SKOS.notation))) == 1
        assert [label.language for label in graph.objects(concept, SKOS.prefLabel)] == ["ru"]
    assert {label.language for label in graph.objects(scheme, SKOS.prefLabel)} == {"ru", "en"}


def test_each_concept_is_broader_transitive_to_every_concept_above_it(okpd2: Classifier) -> None:
    """What a roll-up query joins: the stored closure equals the walk up skos:broader, without the concept."""
    _graph, triples = classifier_triples(okpd2, UriMinter(BASE), "okpd2.xml")
    parent = {s: o for s, p, o in triples if p == SKOS.broader}
    closure: dict[URIRef, set] = {}
    for s, p, o in triples:
        if p == SKOS.broaderTransitive:
            closure.setdefault(s, set()).add(o)
    assert closure.keys() == parent.keys()
    for concept, above in closure.items():
        walked, node = set(), concept
        while node in parent:
            node = parent[node]
            walked.add(node)
        assert above == walked, concept
    leaf = URIRef(BASE + "id/okpd2/27.11.10.110")
    assert URIRef(BASE + "id/okpd2/C") in closure[leaf] and URIRef(BASE + "id/okpd2/27") in closure[leaf]


def test_a_cycle_in_a_source_ends_the_closure() -> None:
    a, b = URIRef(BASE + "id/x/a"), URIRef(BASE + "id/x/b")
    assert sorted(broader_transitive([(a, SKOS.broader, b), (b, SKOS.broader, a)])) == [
        (a, SKOS.broaderTransitive, b),
        (b, SKOS.broaderTransitive, a),
    ]


def test_okpd2_explanatory_notes_become_scope_notes(okpd2: Classifier) -> None:
    text = OKPD2.read_bytes().decode("cp1251")
    with_notes = len(re.findall(r"<Nomdescr>\s*\S", text))
    _graph, triples = classifier_triples(okpd2, UriMinter(BASE), "okpd2.xml")
    notes = [o for _s, p, o in triples if p == SKOS.scopeNote]
    assert len(notes) == with_notes > 1000
    assert all(note.language == "ru" for note in notes)


def test_a_broken_csv_row_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "okved.csv"
    path.write_bytes('"A";" ";"СЕЛЬСКОЕ ХОЗЯЙСТВО"\n"A";"01";"Растениеводство";"лишнее"\n'.encode("cp1251"))
    with pytest.raises(ReadError, match=r"okved\.csv: row 2: expected 3 fields"):
        read_classifier(path)


def test_entity_expansion_in_the_xml_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE catalog [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        "<catalog><array><Kod>01</Kod><Nomdescr/><global_id>1</global_id><Idx>A.01</Idx>"
        "<Razdel>A</Razdel><Name>&b;</Name></array></catalog>"
    )
    path = tmp_path / "okpd.xml"
    path.write_text(bomb, encoding="utf-8")
    with pytest.raises(ReadError, match="okpd.xml: not well-formed or unsafe XML"):
        read_classifier(path)
