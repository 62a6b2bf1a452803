"""The KnowledgeGraph facade: named graphs per document, atomic replacement, both backends, exports."""

from __future__ import annotations

import io
import multiprocessing
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ontology.formats import RDF_FORMATS
from ontology.graph import KnowledgeGraph, StoreLocked
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import SEED

G = URIRef("https://zamena.example.org/graph/test")
S, P = URIRef("https://zamena.example.org/id/firm/a"), URIRef("https://schema.org/name")


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_replace_document_graph_replaces_only_that_graph(backend, tmp_path):
    kg = KnowledgeGraph.open(backend, tmp_path / "g")
    other = URIRef("https://zamena.example.org/graph/other")
    kg.replace_document_graph(other, [(S, P, Literal("другой"))])
    assert kg.replace_document_graph(G, [(S, P, Literal("первый"))]) is True
    assert kg.replace_document_graph(G, [(S, P, Literal("второй «в кавычках»\n"))]) is True
    names = sorted(str(o) for _, _, o in kg.triples((S, P, None)))
    assert names == ["второй «в кавычках»\n", "другой"]
    assert kg.replace_document_graph(G, [(S, P, Literal("второй «в кавычках»\n"))]) is False
    kg.close()


def test_a_reopened_store_sees_everything(tmp_path):
    with KnowledgeGraph.open("oxigraph", tmp_path / "g") as kg:
        kg.replace_document_graph(G, [(S, P, Literal("Хирана+"))])
        before = len(kg)
    with KnowledgeGraph.open("oxigraph", tmp_path / "g") as kg:
        assert len(kg) == before and kg.document_graphs() == [G]


def test_the_state_token_follows_the_writer_and_names_a_read_only_snapshot(tmp_path):
    with KnowledgeGraph.open("oxigraph", tmp_path / "g") as writer:
        writer.replace_document_graph(G, [(S, P, Literal("Хирана+"))])
        first = writer.state_token()
    with KnowledgeGraph.open("oxigraph", tmp_path / "g", read_only=True) as snapshot:
        assert snapshot.state_token() == first
        with KnowledgeGraph.open("oxigraph", tmp_path / "g") as writer:
            writer.replace_document_graph(G, [(S, P, Literal("Хирана плюс"))])
            last = writer.state_token()
        assert last != first  # the writer's token is never kept
        assert snapshot.state_token() == first  # nor does a snapshot's content change
    with KnowledgeGraph.open("oxigraph", tmp_path / "g", read_only=True) as fresh:
        assert fresh.state_token() == last


def _open_for_writing(path: str, queue) -> None:  # runs in another process
    try:
        KnowledgeGraph.open("oxigraph", Path(path))
        queue.put("opened")
    except StoreLocked as error:
        queue.put(str(error))


def test_a_second_writer_process_is_refused_with_a_clear_message_and_readers_still_read(tmp_path):
    with KnowledgeGraph.open("oxigraph", tmp_path / "g") as kg:
        kg.replace_document_graph(G, [(S, P, Literal("Хирана+"))])
        queue = multiprocessing.get_context("spawn").Queue()
        process = multiprocessing.get_context("spawn").Process(
            target=_open_for_writing, args=(str(tmp_path / "g"), queue)
        )
        process.start()
        process.join(60)
        message = queue.get(timeout=5)
        assert "open for writing in another process" in message
        with KnowledgeGraph.open("oxigraph", tmp_path / "g", read_only=True) as reader:
            assert [str(o) for _, _, o in reader.triples((S, P, None))] == ["Хирана+"]


def test_read_only_open_of_a_missing_store_says_to_ingest_first(tmp_path):
    with pytest.raises(FileNotFoundError, match="zamena ingest"):
        KnowledgeGraph.open("oxigraph", tmp_path / "nothing", read_only=True)


def test_unknown_backend_is_named_in_the_error():
    with pytest.raises(ValueError, match="'postgres'"):
        KnowledgeGraph.open("postgres")


def _quads(kb: KnowledgeBase) -> Dataset:
    dataset = Dataset()
    for s, p, o, g in kb.graph.quads():
        dataset.graph(g).add((s, p, o))
    return dataset


def test_ingesting_twice_changes_nothing(settings):
    with KnowledgeBase(settings) as kb:
        first = kb.ingest([SEED])
        before = kb.graph.union_graph()
        count, state = len(kb.graph), kb.state_token()
        second = kb.ingest([SEED])
        assert (first.changed, second.changed, second.unchanged) == (1, 0, 1)
        assert len(kb.graph) == count and kb.state_token() == state
        assert isomorphic(before, kb.graph.union_graph())


def test_oxigraph_and_memory_backends_hold_the_same_graph(settings):
    graphs = []
    for backend in ("oxigraph", "memory"):
        with KnowledgeBase(Settings.from_env(home=settings.home / backend, store=backend)) as kb:
            kb.ingest([SEED])
            graphs.append(kb.graph.union_graph())
    assert len(graphs[0]) > 500
    assert isomorphic(*graphs)


@pytest.mark.parametrize("spec", RDF_FORMATS, ids=[f.name for f in RDF_FORMATS])
def test_every_export_format_parses_back_to_the_same_graph(seed_kb, spec):
    out = io.BytesIO()
    seed_kb.graph.export(spec.name, out)
    if spec.quads:
        parsed = Dataset()
        parsed.parse(data=out.getvalue(), format=spec.rdflib_format)
        union = Graph()
        for s, p, o, _g in parsed.quads((None, None, None, None)):
            union.add((s, p, o))
        assert len(set(parsed.graphs())) >= 3  # the default graph, the vocabulary and the document graph
    else:
        union = Graph().parse(data=out.getvalue(), format=spec.rdflib_format)
    assert isomorphic(union, seed_kb.graph.union_graph())
