"""The index in two passes: the documents first, searchable at once, the classifiers' classes after, while the
pages say how far the second pass has come. Real Oxigraph store, the deterministic fake embedder."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SKOS

from ontology.namespaces import SCHEMA
from search.fake_embedder import HashEmbedder
from zamena import cli
from zamena.indexing import clear_progress, indexing_state, read_progress, write_progress
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import concept_triples
from .web_support import client_of

BASE = "https://zamena.example.org/"
VALVES = URIRef(BASE + "id/okpd2/28.14.1")
FIRM = URIRef(BASE + "id/firm/klapan")


def _knowledge_base(home: Path) -> Settings:
    settings = Settings.from_env(home=home, store="oxigraph")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.graph.replace_document_graph(kb.minter.graph("okpd2"), concept_triples(VALVES, "28.14.1", "Краны, клапаны"))
        kb.graph.replace_document_graph(
            URIRef(BASE + "graph/klapan"),
            [(FIRM, RDF.type, SCHEMA.Corporation), (FIRM, SKOS.prefLabel, Literal("Клапан", lang="ru"))],
        )
        kb.update_index(documents_only=True)
    return settings


def test_the_documents_are_indexed_first_and_the_classes_wait(tmp_path: Path) -> None:
    settings = _knowledge_base(tmp_path / "home")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        uris = {item.uri for item in kb.search_service.index().items.values()}
        assert str(FIRM) in uris and str(VALVES) not in uris
        assert [r.uri for r in kb.search("Клапан", mode="lexical").results] == [str(FIRM)]  # searchable now
        state = indexing_state(kb)
        assert state is not None and state.pending_graphs == 1 and state.percent is None
        kb.update_index()  # the second pass
        assert str(VALVES) in {item.uri for item in kb.search_service.index().items.values()}
        assert indexing_state(kb) is None


def test_the_cli_says_once_what_waits_to_be_indexed(tmp_path: Path, monkeypatch) -> None:
    settings = _knowledge_base(tmp_path / "home")
    monkeypatch.setenv("ZAMENA_HOME", str(settings.home))
    result = CliRunner().invoke(cli.main, ["search", "--mode", "lexical", "Клапан"], catch_exceptions=False)
    assert result.exit_code == 0 and "Клапан" in result.stdout
    stale = [line for line in result.stderr.splitlines() if "older " in line or "not in the search index" in line]
    assert stale == [  # one line, and it says what waits (here: the classifier's graph)
        "warning: 1 graph not in the search index yet, so what it holds is not searched; `zamena index` adds it"
    ]


def test_the_start_page_says_how_far_the_indexer_has_come_then_nothing(tmp_path: Path) -> None:
    settings = _knowledge_base(tmp_path / "home")
    write_progress(settings.home, 2500, 10000)  # as a running `zamena index` writes it (this process: alive)
    assert read_progress(settings.home) == (2500, 10000)
    with client_of(settings) as client:
        page = client.get("/").get_data(as_text=True)
        assert "Поиск ещё учит классы классификаторов: 2\u202f500 из 10\u202f000 текстов (25 %)" in page
        english = client.get("/", query_string={"lang": "en"}).get_data(as_text=True)
        assert "2\u202f500 of 10\u202f000 texts (25 %)" in english
    clear_progress(settings.home)
    with client_of(settings) as client:  # no indexer running: the page says the index is behind
        assert "zamena index" in client.get("/").get_data(as_text=True)
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.update_index()
    with client_of(settings) as client:
        page = client.get("/").get_data(as_text=True)
        assert 'id="indexing"' not in page


def test_a_progress_file_left_by_an_indexer_that_died_says_nothing(tmp_path: Path) -> None:
    write_progress(tmp_path, 1, 2)
    path = tmp_path / "index-progress.json"
    path.write_text(path.read_text().replace(str(os.getpid()), "999999999"), encoding="utf-8")
    assert read_progress(tmp_path) is None
