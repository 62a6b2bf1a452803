"""The app reads a snapshot of the store and notices when an ingest has changed it; workers follow."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ontology.graph import KnowledgeGraph
from ontology.namespaces import SCHEMA
from ontology.sparql.workers import FairSlots, QueryBusy, QueryJob, QueryService
from tests.web_support import NEWS, make_app
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

NEW_FIRM = URIRef("https://zamena.example.org/id/firm/novaya-firma")
COUNT = "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a schema:Corporation }"


def _count(client) -> int:
    response = client.get("/sparql", query_string={"query": COUNT})
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


def test_a_change_by_a_writer_is_seen_by_pages_and_by_the_endpoint(tmp_path) -> None:
    from search.fake_embedder import HashEmbedder

    settings = Settings.from_env(home=tmp_path, store="oxigraph")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.ingest([NEWS])
    app = make_app(settings, STATE_CHECK_INTERVAL=0.0)
    try:
        client = app.test_client()
        before = _count(client)
        token = app.extensions["zamena"].holder.token
        assert client.get("/id/firm/novaya-firma").status_code == 404
        # a writer beside the server (as `zamena ingest` would be), while the app holds its read-only snapshot
        with KnowledgeGraph.open("oxigraph", settings.store_path) as writer:
            triples = [
                (NEW_FIRM, RDF.type, SCHEMA.Corporation),
                (NEW_FIRM, SKOS.prefLabel, Literal("Новая фирма", lang="ru")),
            ]
            writer.replace_document_graph(URIRef("https://zamena.example.org/graph/new"), triples)
            deadline = time.monotonic() + 15  # the fresh snapshot opens in the background
            while (page := client.get("/id/firm/novaya-firma")).status_code == 404 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert page.status_code == 200 and "Новая фирма" in page.get_data(as_text=True)
            assert _count(client) == before + 1
            assert app.extensions["zamena"].holder.token != token
    finally:
        app.extensions["zamena"].close()


def test_a_snapshot_s_change_token_moves_on_when_a_writer_changes_the_store(tmp_path: Path) -> None:
    path = tmp_path / "graph"
    with KnowledgeGraph.open("oxigraph", path) as writer:
        writer.replace_document_graph(URIRef("urn:g:1"), [(URIRef("urn:a"), URIRef("urn:p"), Literal("1"))])
    snapshot = KnowledgeGraph.snapshot(path)
    try:
        assert snapshot.change_token() == snapshot.opened_token  # nothing changed since it opened
        with KnowledgeGraph.open("oxigraph", path) as writer:
            writer.replace_document_graph(URIRef("urn:g:2"), [(URIRef("urn:b"), URIRef("urn:p"), Literal("2"))])
        assert snapshot.change_token() != snapshot.opened_token
        assert len(snapshot.document_graphs()) == 1  # a snapshot still shows the state it opened
    finally:
        snapshot.close()


def test_a_query_waits_for_a_busy_worker_and_the_wait_is_reported(tmp_path) -> None:
    with KnowledgeGraph.open("oxigraph", tmp_path / "graph"):
        pass
    service = QueryService(tmp_path / "graph", time_limit=1.5, max_workers=1)
    try:
        service.warm_up()
        assert service._slots.acquire(1)  # the only worker, held as a running query would hold it
        threading.Timer(0.5, service._slots.release).start()
        outcome = service.run(QueryJob("ASK {}", "json"), "t")
        assert json.loads(outcome.body)["boolean"] is True
        assert 0.4 <= outcome.queue_seconds < 1.5  # it waited for the worker instead of being refused
        assert service._slots.acquire(1)
        started = time.monotonic()
        try:
            service.run(QueryJob("ASK {}", "json"), "t")
            raise AssertionError("a query must not wait longer than its time limit for a worker")
        except QueryBusy as busy:
            assert busy.status == 503 and "ZAMENA_QUERY_WORKERS" in str(busy)
            assert 1.4 <= time.monotonic() - started < 3
        finally:
            service._slots.release()
    finally:
        service.close()


def test_waiting_queries_are_served_first_come_first_served() -> None:
    slots = FairSlots(1)
    assert slots.acquire(1)
    order: list[int] = []

    def wait_then_note(number: int) -> None:
        assert slots.acquire(5)
        order.append(number)
        slots.release()

    threads = []
    for number in range(5):
        threads.append(threading.Thread(target=wait_then_note, args=(number,)))
        threads[-1].start()
        time.sleep(0.05)  # each arrives after the one before
    slots.release()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4]
