"""The fast paths of the Oxigraph facade give what rdflib's own engine gives: answers read straight from
Oxigraph, and many document graphs written at once."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from oxrdflib._converter import from_ox
from rdflib import XSD, BNode, Literal, URIRef, Variable
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, RDF, SKOS

from ontology.graph import KnowledgeGraph
from ontology.terms import TermConverter, to_rdflib

EX = "https://zamena.example.org/"
FIRM_A, FIRM_B, FIRM_C = (URIRef(f"{EX}id/firm/{n}") for n in "abc")
CENTRE = URIRef(f"{EX}id/centre/1")
ORG_MEMBER = URIRef("http://www.w3.org/ns/org#memberOf")


def graph(name: str) -> URIRef:
    return URIRef(f"{EX}graph/{name}")


DOCUMENTS = {
    graph("a"): [
        (FIRM_A, SKOS.prefLabel, Literal("Фирма «А»", lang="ru")),
        (FIRM_A, ORG_MEMBER, CENTRE),
        (FIRM_A, FOAF.age, Literal(12)),
        (CENTRE, RDF.type, SKOS.Concept),
    ],
    graph("b"): [
        (FIRM_B, SKOS.prefLabel, Literal("Фирма Б")),
        (FIRM_B, ORG_MEMBER, CENTRE),
        (CENTRE, RDF.type, SKOS.Concept),  # stated by two documents: one triple of the merge
    ],
    graph("c"): [(FIRM_C, SKOS.notation, Literal("27.1"))],
}


@pytest.fixture(params=["oxigraph", "memory"])
def loaded(request, tmp_path):
    kg = KnowledgeGraph.open(request.param, tmp_path / "g")
    kg.replace_document_graphs(DOCUMENTS.items())
    yield kg
    kg.close()


def answers(kg: KnowledgeGraph, sparql: str, **options) -> list[tuple]:
    return sorted(tuple(str(t) for t in row) for row in kg.query(sparql, **options))


def test_oxigraph_answers_like_rdflib_row_by_row(tmp_path):
    """Every kind of access callers use: by index, name, attribute, bindings, vars, len, ASK, CONSTRUCT."""
    stores = [KnowledgeGraph.open(backend, tmp_path / backend) for backend in ("oxigraph", "memory")]
    select = """SELECT ?firm ?label ?age WHERE { ?firm org:memberOf ?c ; skos:prefLabel ?label .
                OPTIONAL { ?firm foaf:age ?age } } ORDER BY ?firm"""  # foaf: undeclared, as rdflib allows
    seen = []
    for kg in stores:
        kg.replace_document_graphs(DOCUMENTS.items())
        result = kg.query(select)
        rows = list(result)
        assert [str(v) for v in result.vars] == ["firm", "label", "age"]
        assert len(result) == 2 and [row.firm for row in rows] == [FIRM_A, FIRM_B]
        assert [row["label"] for row in rows] == [row[1] for row in rows]
        assert rows[0].age == Literal(12) and rows[1].age is None
        assert result.bindings[1] == {
            Variable("firm"): FIRM_B,
            Variable("label"): Literal("Фирма Б", datatype=XSD.string),
        }
        table = json.loads(result.serialize(format="json"))
        seen.append(
            (
                rows,
                table["results"]["bindings"],
                kg.query("ASK { ?x skos:notation '27.1'^^xsd:string }").askAnswer,
                kg.query("ASK { ?x skos:notation '99' }").askAnswer,
                kg.query("CONSTRUCT { ?c a ?t } WHERE { ?c a ?t }").graph,
                answers(kg, "SELECT ?f ?l WHERE { ?f skos:prefLabel ?l }", bindings={"f": FIRM_B}),
            )
        )
        kg.close()
    ours, theirs = seen
    assert ours[:4] == theirs[:4]
    assert isomorphic(ours[4], theirs[4]) and len(ours[4]) == 1  # the merge: one triple, not two
    assert ours[5] == theirs[5] == [(str(FIRM_B), "Фирма Б")]


def test_a_solution_with_nothing_bound_is_still_a_row(tmp_path):
    kg = KnowledgeGraph.open("oxigraph", tmp_path / "g")
    result = kg.query("SELECT ?x WHERE { OPTIONAL { ?x skos:notation 'нет такого' } }")
    assert len(result) == 1 and [tuple(row) for row in result] == [(None,)]
    kg.close()


def test_the_protocol_dataset_and_base_still_apply(loaded):
    named = answers(
        loaded, "SELECT ?s WHERE { ?s skos:notation ?o }", default_graphs=[str(graph("c"))], named_graphs=[]
    )
    assert named == [(str(FIRM_C),)]
    relative = answers(loaded, "SELECT ?l WHERE { <a> skos:prefLabel ?l }", base=f"{EX}id/firm/")
    assert relative == [("Фирма «А»",)]


def test_many_graphs_at_once_keep_the_merge_and_skip_the_unchanged(loaded):
    assert set(loaded.document_graphs()) == set(DOCUMENTS)
    centre_types = f"SELECT ?t WHERE {{ <{CENTRE}> a ?t }}"
    assert answers(loaded, centre_types) == [(str(SKOS.Concept),)]
    changed_b = [(FIRM_B, SKOS.prefLabel, Literal("Фирма Б, новое имя"))]  # b no longer states the centre
    new_d = [(URIRef(f"{EX}id/firm/d"), SKOS.prefLabel, Literal("Фирма Д"))]
    changed = loaded.replace_document_graphs(
        [(graph("a"), DOCUMENTS[graph("a")]), (graph("b"), changed_b), (graph("d"), new_d)]
    )
    assert changed == [graph("b"), graph("d")]  # a is as it was
    assert answers(loaded, centre_types) == [(str(SKOS.Concept),)]  # a still states it
    loaded.replace_document_graphs([(graph("a"), [])])
    assert answers(loaded, centre_types) == []  # no document states it any more
    labels = answers(loaded, "SELECT ?l WHERE { ?f skos:prefLabel ?l }")
    assert labels == [("Фирма Б, новое имя",), ("Фирма Д",)]


@pytest.mark.parametrize("bulk", [False, True], ids=["one transaction", "bulk loader"])
def test_the_batch_and_one_by_one_give_the_same_store(tmp_path, bulk):
    one_by_one = KnowledgeGraph.open("oxigraph", tmp_path / "one")
    for name, triples in DOCUMENTS.items():
        one_by_one.replace_document_graph(name, triples)
    batch = KnowledgeGraph.open("oxigraph", tmp_path / "batch")
    assert batch.replace_document_graphs(DOCUMENTS.items(), bulk=bulk) == list(DOCUMENTS)
    assert batch.replace_document_graphs(DOCUMENTS.items(), bulk=bulk) == []
    batch.compact()  # merging the store's files changes nothing it holds
    every = "SELECT ?s ?p ?o ?g WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
    assert answers(batch, every) == answers(one_by_one, every)
    assert batch.state_token() == one_by_one.state_token()
    one_by_one.close()
    batch.close()


def test_a_graph_cut_short_before_its_digest_is_written_again(tmp_path):
    """What a failed bulk load leaves: part of a graph, no digest. The next load completes it."""
    kg = KnowledgeGraph.open("oxigraph", tmp_path / "g")
    s, p, o = DOCUMENTS[graph("a")][0]
    kg._native.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.Literal(o, language="ru"), ox.NamedNode(graph("a"))))
    assert kg.document_graphs() == []  # without its digest it is not a written graph
    assert kg.replace_document_graphs(DOCUMENTS.items(), bulk=True) == list(DOCUMENTS)
    one_by_one = KnowledgeGraph.open("oxigraph", tmp_path / "one")
    for name, triples in DOCUMENTS.items():
        one_by_one.replace_document_graph(name, triples)
    every = "SELECT ?s ?p ?o ?g WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
    assert answers(kg, every) == answers(one_by_one, every)  # the merged default graph too
    kg.close()
    one_by_one.close()


def test_a_blank_node_refuses_the_whole_batch(tmp_path):
    kg = KnowledgeGraph.open("oxigraph", tmp_path / "g")
    with pytest.raises(ValueError, match="blank nodes"):
        kg.replace_document_graphs(
            [(graph("a"), DOCUMENTS[graph("a")]), (graph("x"), [(BNode(), RDF.type, SKOS.Concept)])]
        )
    assert kg.document_graphs() == []
    kg.close()


@pytest.mark.parametrize("bulk", [False, True], ids=["one transaction", "bulk loader"])
def test_an_invalid_iri_refuses_the_whole_batch_naming_its_graph(tmp_path, bulk):
    kg = KnowledgeGraph.open("oxigraph", tmp_path / "g")
    broken = [(URIRef(f"{EX}id/firm/a b"), RDF.type, SKOS.Concept)]
    with pytest.raises(ValueError, match=r"graph/x.*'https://zamena.example.org/id/firm/a b' is no valid IRI"):
        kg.replace_document_graphs([(graph("a"), DOCUMENTS[graph("a")]), (graph("x"), broken)], bulk=bulk)
    assert kg.document_graphs() == []
    kg.close()


def test_the_lines_of_a_batch_are_those_of_one_graph_at_a_time():
    """The batch's fast formatting gives the lines (so the digests) that `replace_document_graph` stores."""
    from ontology.graph import _as_stored, _lines, _stored_lines

    odd = [
        Literal('две строки\n«ё» "кавычки" \\ и\tтаб'),
        Literal("x"),
        Literal("x", datatype=XSD.string),
        Literal("x", lang="ru"),
        Literal(3),
        Literal(True),
        Literal("2024-05", datatype=XSD.gYearMonth),
        FIRM_B,
    ]
    triples = [(FIRM_A, SKOS.note, o) for o in odd] + [t for ts in DOCUMENTS.values() for t in ts]
    lines, iris = _stored_lines(triples)
    assert lines == _lines({(s, p, _as_stored(o)) for s, p, o in triples})
    plain = f'<{FIRM_A}> <{SKOS.note}> "x"^^<{XSD.string}>'
    assert lines.count(plain) == 1  # "x" and "x"^^xsd:string are one stored triple
    assert {str(FIRM_A), str(FIRM_B), str(SKOS.note), str(XSD.gYearMonth)} <= iris


def test_terms_convert_as_oxrdflib_does_and_each_once():
    terms = [
        ox.NamedNode(f"{EX}id/firm/a"),
        ox.Literal("Фирма", language="ru"),
        ox.Literal("Firm", language="EN-gb"),
        ox.Literal("12", datatype=ox.NamedNode(str(XSD.integer))),
        ox.Literal("текст"),
        ox.BlankNode("b1"),
    ]
    ours, theirs = [to_rdflib(t) for t in terms], [from_ox(t) for t in terms]
    assert ours == theirs
    for mine, rdflibs in zip(ours, theirs, strict=True):  # the same inside: value, datatype, language, hash
        assert type(mine) is type(rdflibs) and mine.n3() == rdflibs.n3() and hash(mine) == hash(rdflibs)
        if isinstance(mine, Literal):
            fields = ("language", "datatype", "value", "ill_typed")
            assert [getattr(mine, f) for f in fields] == [getattr(rdflibs, f) for f in fields]
    convert = TermConverter()
    first = convert.row(terms + [None])
    again = convert.row([ox.NamedNode(f"{EX}id/firm/a")])
    assert first[-1] is None and again[0] is first[0]


def test_a_bulk_load_in_parallel_parts_stores_a_shared_triple_once(tmp_path, monkeypatch):
    """Each core's loader takes a part of the batch; the merge's triple that documents in different parts
    state is stored once, and the store holds what one-by-one writes give."""
    monkeypatch.setattr("ontology.graph.os.cpu_count", lambda: 4)
    documents = {
        graph(f"d{i}"): [(URIRef(f"{EX}id/firm/{i}"), ORG_MEMBER, CENTRE), (CENTRE, RDF.type, SKOS.Concept)]
        for i in range(8)
    }
    parallel = KnowledgeGraph.open("oxigraph", tmp_path / "parallel")
    assert parallel.replace_document_graphs(documents.items(), bulk=True) == list(documents)
    one_by_one = KnowledgeGraph.open("oxigraph", tmp_path / "one")
    for name, triples in documents.items():
        one_by_one.replace_document_graph(name, triples)
    every = "SELECT ?s ?p ?o ?g WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
    assert answers(parallel, every) == answers(one_by_one, every)
    merged = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"
    assert int(next(iter(parallel.query(merged)))[0]) == 1
    parallel.close()
    one_by_one.close()
