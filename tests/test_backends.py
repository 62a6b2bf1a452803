"""One ingest + SPARQL + search test on every graph backend: Oxigraph on disk, in memory, and a real Virtuoso."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ontology.namespaces import sparql_prologue
from search.fake_embedder import HashEmbedder
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import SEED, SEED_MEMBERS
from .virtuoso import Virtuoso, start_virtuoso


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


def backend_settings(backend: str, home, request) -> Settings:
    if backend != "virtuoso":
        return Settings.from_env(home=home, store=backend)
    server: Virtuoso = request.getfixturevalue("virtuoso")
    return Settings.from_env(home=home, store=f"sparql+{server.sparql}", graph_store=server.graph_store)


@pytest.mark.parametrize("backend", ["oxigraph", "memory", pytest.param("virtuoso", marks=pytest.mark.slow)])
def test_ingest_and_query_on_every_backend(backend, tmp_path, request):
    settings = backend_settings(backend, tmp_path / "home", request)
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        first = kb.ingest([SEED])
        assert (first.read, first.changed, first.failed) == (1, 1, [])
        again = kb.ingest([SEED])
        assert again.unchanged == 1 and again.changed == 0

        rows = kb.graph.query(
            sparql_prologue()
            + """
            SELECT ?name ?quote WHERE {
                ?f org:memberOf ?c ; skos:prefLabel ?name . ?c a zo:CompetenceCentre .
                ?e rdf:subject ?f ; rdf:predicate org:memberOf ; rdf:object ?c ; oa:hasSelector/oa:exact ?quote }"""
        )
        members = {str(name): str(quote) for name, quote in rows}
        assert set(members) == SEED_MEMBERS
        assert all(name in quote for name, quote in members.items())
        assert kb.stats()["firms"] == 12
        assert [f for f in kb.validate() if f.severity == "Violation"] == []

        kb.update_index()
        answer = kb.search("Диагностика-М", k=3)
        assert answer.results[0].label == "Диагностика-М"
        assert answer.results[0].uri.endswith("/id/firm/diagnostika-m")


@pytest.mark.parametrize("backend", ["oxigraph", "memory", pytest.param("virtuoso", marks=pytest.mark.slow)])
def test_a_plain_literal_in_a_query_matches_on_every_backend(backend, tmp_path, request):
    """An expert writes a word as a plain literal; it is stored as an xsd:string (RDF 1.1), and every
    backend must find it, in a triple pattern and in a VALUES block alike."""
    settings = backend_settings(backend, tmp_path / "home", request)
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.ingest([SEED])
        prologue = sparql_prologue()
        pattern = prologue + 'SELECT ?name { ?f zo:labelWord "диагностика" ; skos:prefLabel ?name }'
        values = prologue + 'SELECT ?name { VALUES ?w { "диагностика" } ?f zo:labelWord ?w ; skos:prefLabel ?name }'
        for query in (pattern, values):
            assert {str(name) for (name,) in kb.graph.query(query)} == {"Диагностика-М"}, query
