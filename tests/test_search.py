"""Search on the real Oxigraph store with a deterministic fake embedder (the real model: test_search_model.py)."""

from __future__ import annotations

import numpy as np
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ingest.mapping import evidence_triples
from ontology.namespaces import ORG, SCHEMA, ZO
from search.engine import SearchEngine
from search.fake_embedder import HashEmbedder
from search.fusion import reciprocal_rank_fusion
from search.index import GraphChange, SearchIndex
from search.items import IndexItem
from search.lexical import LexicalIndex, lemmas
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import concept_triples

BASE = "https://zamena.example.org/"
FIRM = URIRef(BASE + "id/firm/privod")
OTHER = URIRef(BASE + "id/firm/medtekh")
PRODUCT = URIRef(BASE + "id/product/pch-1")
DOC = URIRef(BASE + "id/document/profile-privod")
OKPD = URIRef(BASE + "id/okpd2/27.11")
OKPD_NARROW = URIRef(BASE + "id/okpd2/27.11.10")
CENTRE = URIRef(BASE + "id/centre/c")
PROFILE_GRAPH = URIRef(BASE + "graph/profile-privod")
OTHER_GRAPH = URIRef(BASE + "graph/profile-medtekh")
CLASSIFIER_GRAPH = URIRef(BASE + "graph/okpd2")

SENTENCE = "Компания «Привод» выпускает частотные преобразователи для электродвигателей."


def profile_triples(summary: str = "Разработка и выпуск электроприводов.") -> list:
    evidence = URIRef(BASE + "id/evidence/e1")
    return [
        (FIRM, RDF.type, SCHEMA.Corporation),
        (FIRM, SKOS.prefLabel, Literal("Привод", lang="ru")),
        (FIRM, SCHEMA.description, Literal(summary, lang="ru")),
        (FIRM, ORG.memberOf, CENTRE),
        (CENTRE, RDF.type, ZO.CompetenceCentre),
        (PRODUCT, RDF.type, SCHEMA.Product),
        (PRODUCT, SKOS.prefLabel, Literal("частотный преобразователь ПЧ-1", lang="ru")),
        (PRODUCT, SCHEMA.manufacturer, FIRM),
        (PRODUCT, SCHEMA.category, OKPD_NARROW),
        *evidence_triples(evidence, (PRODUCT, SCHEMA.manufacturer, FIRM), DOC, SENTENCE, 0),
    ]


def other_triples() -> list:
    return [
        (OTHER, RDF.type, SCHEMA.Corporation),
        (OTHER, SKOS.prefLabel, Literal("Медтех", lang="ru")),
        (OTHER, SCHEMA.description, Literal("Медицинское оборудование: дыхательные контуры и фильтры.", lang="ru")),
    ]


def classifier_triples() -> list:
    return [
        *concept_triples(OKPD, "27.11", "Электродвигатели, генераторы и трансформаторы"),
        *concept_triples(OKPD_NARROW, "27.11.10", "Двигатели мощностью не более 37,5 Вт", broader=OKPD),
    ]


class CountingEmbedder(HashEmbedder):
    """The fake model, counting the passages it is asked to embed."""

    def __init__(self) -> None:
        super().__init__(64)
        self.embedded: list[str] = []

    def embed_passages(self, texts, progress=None):
        self.embedded += list(texts)
        return super().embed_passages(texts, progress)


@pytest.fixture
def search_kb(tmp_path):
    embedder = CountingEmbedder()
    settings = Settings.from_env(home=tmp_path / "home", store="oxigraph")
    with KnowledgeBase(settings, embedder=embedder) as kb:
        kb.graph.replace_document_graph(CLASSIFIER_GRAPH, classifier_triples())
        kb.graph.replace_document_graph(PROFILE_GRAPH, profile_triples())
        kb.graph.replace_document_graph(OTHER_GRAPH, other_triples())
        kb.update_index()
        yield kb, embedder


def test_lemmas_match_inflected_forms():
    assert "преобразователь" in lemmas("преобразователей частоты")
    assert lemmas("Ёлка") == ["елка"]
    assert "27.11" in lemmas("класс 27.11 ОКПД")


def test_bm25_over_lemmas_finds_inflected_phrase():
    texts = ["частотный преобразователь ПЧ-1", "дыхательные контуры", "электродвигатели и генераторы"]
    index = LexicalIndex([lemmas(t) for t in texts])
    positions, scores = index.search("преобразователей частоты", 3)
    assert positions[0] == 0 and scores[0] > 0
    assert 1 not in positions  # nothing in common: not returned at all


def test_rrf_prefers_items_high_in_both_lists():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 2, 4]])
    assert [item for item, _ in fused][:2] == [2, 3] or [item for item, _ in fused][:2] == [3, 2]
    assert {item for item, _ in fused} == {1, 2, 3, 4}


def test_faiss_top_k_agrees_with_numpy_brute_force(tmp_path):
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    embedder = HashEmbedder(32)
    embedder.embed_passages = lambda texts, progress=None: vectors[[int(t) for t in texts]]  # type: ignore[method-assign]
    index = SearchIndex(dimension=32, model="random")
    items = [IndexItem(uri=f"urn:x:{i}", kind="firm", graph="g", text=str(i), label=str(i)) for i in range(500)]
    index.apply([GraphChange("g", "d1", items)], [], embedder)
    index.save(tmp_path / "index")
    reloaded = SearchIndex.load(tmp_path / "index")
    for query in rng.normal(size=(20, 32)).astype(np.float32):
        expected = np.argsort(-(vectors @ query), kind="stable")[:10]
        ids, scores = reloaded.dense(query, 10)
        assert [reloaded.items[int(i)].text for i in ids] == [str(i) for i in expected]
        np.testing.assert_allclose(scores, (vectors @ query)[expected], rtol=1e-5)


def test_hnsw_finds_the_same_neighbours_on_a_small_index():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    embedder = HashEmbedder(16)
    embedder.embed_passages = lambda texts, progress=None: vectors[[int(t) for t in texts]]  # type: ignore[method-assign]
    index = SearchIndex(dimension=16, model="random", kind="hnsw")
    items = [IndexItem(uri=f"urn:x:{i}", kind="firm", graph="g", text=str(i), label=str(i)) for i in range(300)]
    index.apply([GraphChange("g", "d1", items)], [], embedder)
    query = vectors[42]
    ids, _ = index.dense(query, 5)
    assert index.items[int(ids[0])].text == "42"
    index.apply([GraphChange("g", "d2", items[:100])], [], embedder)  # HNSW rebuilt without removed vectors
    assert len(index) == 100


def test_firm_found_through_its_product_with_quote(search_kb):
    kb, _ = search_kb
    answer = kb.search("преобразователей частоты", k=5)
    assert not answer.stale
    top = answer.results[0]
    assert top.uri == str(FIRM) and top.kind == "firm" and top.label == "Привод"
    assert any(why.uri == str(PRODUCT) for why in top.reasons)
    quote = top.evidence[0]
    assert quote.quote == SENTENCE and quote.document == str(DOC)
    assert (quote.start, quote.end) == (0, len(SENTENCE))


def test_classifier_concept_credits_firm_through_narrower_product_category(search_kb):
    kb, _ = search_kb
    concepts = kb.search("электродвигатели генераторы", kind="concept").results
    assert concepts[0].notation == "27.11"
    firms = kb.search("электродвигатели генераторы трансформаторы", kind="firm").results
    assert firms[0].uri == str(FIRM)
    assert any(why.notation == "27.11" for why in firms[0].reasons)


def test_a_classifier_code_in_the_question_leads_to_that_class(search_kb):
    kb, _ = search_kb
    okved, okved_scheme, okpd_scheme = (URIRef(BASE + path) for path in ("id/okved2/27.11", "id/okved2", "id/okpd2"))
    kb.graph.replace_document_graph(
        URIRef(BASE + "graph/okved2"),
        [
            (okved, RDF.type, SKOS.Concept),
            (okved, SKOS.notation, Literal("27.11")),
            (okved, SKOS.prefLabel, Literal("Производство электродвигателей", lang="ru")),
            (okved, SKOS.inScheme, okved_scheme),
            (okved_scheme, SKOS.prefLabel, Literal("Классификатор видов деятельности (ОКВЭД 2)", lang="ru")),
            (OKPD, SKOS.inScheme, okpd_scheme),
            (okpd_scheme, SKOS.prefLabel, Literal("Классификатор продукции (ОКПД 2)", lang="ru")),
        ],
    )
    kb.update_index()
    both = kb.search("27.11", kind="concept").results
    assert {r.uri for r in both[:2]} == {str(OKPD), str(okved)}
    assert kb.search("ОКВЭД 27.11", kind="concept").results[0].uri == str(okved)
    assert kb.search("ОКПД 2 27.11", kind="concept").results[0].uri == str(OKPD)
    assert kb.search("27.11.10", kind="concept").results[0].uri == str(OKPD_NARROW)
    # Asked for firms, the class credits the firm whose product is under it.
    assert kb.search("27.11.10").results[0].uri == str(FIRM)


def test_every_word_matched_outweighs_partial_matches(search_kb):
    kb, _ = search_kb
    # "контуров" occurs only in Медтех's description; "оборудование" and "электроприводов" elsewhere too.
    assert kb.search("дыхательных контуров").results[0].uri == str(OTHER)
    engine = SearchEngine(kb.graph, kb.search_service.index(), kb.search_service.embedder)
    words = engine.telling_words("дыхательных контуров")
    whole = engine._containing_every_word(engine.index.lexical(words, 10)[0], words)
    assert [engine.index.items[int(i)].uri for i in whole] == [str(OTHER)]


def test_an_english_question_fuses_only_lexical_hits_holding_all_its_words(search_kb):
    kb, _ = search_kb
    kb.graph.replace_document_graph(
        OTHER_GRAPH, [*other_triples(), (OTHER, SCHEMA.description, Literal("Breathing circuits.", lang="en"))]
    )
    kb.update_index()
    engine = SearchEngine(kb.graph, kb.search_service.index(), kb.search_service.embedder)
    words = engine.telling_words("breathing valves")
    ids, _ = engine.index.lexical(words, 10)
    assert len(ids)  # "breathing" matches, partially
    assert len(engine._containing_every_word(ids, words)) == 0
    for question in ("breathing circuits", "breathing equipment"):  # "equipment" tells nothing: left out
        words = engine.telling_words(question)
        ids, _ = engine.index.lexical(words, 10)
        assert {engine.index.items[int(i)].uri for i in engine._containing_every_word(ids, words)} == {str(OTHER)}


def test_filters_code_prefix_and_centre(search_kb):
    kb, _ = search_kb
    everyone = {r.uri for r in kb.search("оборудование электроприводов контуры", k=10).results}
    assert {str(FIRM), str(OTHER)} <= everyone
    in_class = {r.uri for r in kb.search("оборудование электроприводов контуры", code="27.11").results}
    assert in_class == {str(FIRM)}
    members = {r.uri for r in kb.search("оборудование электроприводов контуры", centre=True).results}
    assert members == {str(FIRM)}
    assert kb.search("оборудование", zone=True).results == []


def test_kind_document_groups_sentences_by_document(search_kb):
    kb, _ = search_kb
    results = kb.search("частотные преобразователи для электродвигателей", kind="document").results
    assert results[0].uri == str(DOC) and results[0].evidence[0].quote == SENTENCE


def test_reingest_replaces_vectors_without_duplicates_and_reuses_known_texts(search_kb):
    kb, embedder = search_kb
    before = len(kb.search_service.index())
    embedder.embedded.clear()
    kb.graph.replace_document_graph(PROFILE_GRAPH, profile_triples("Разработка и выпуск электроприводов."))
    assert kb.update_index().embedded == 0  # nothing changed
    kb.graph.replace_document_graph(PROFILE_GRAPH, profile_triples("Электроприводы и сервоприводы."))
    report = kb.update_index()
    index = kb.search_service.index()
    assert len(index) == before and report.removed == report.reused + report.embedded
    assert embedder.embedded == ["Привод. Электроприводы и сервоприводы"]  # only the changed text
    keys = [(item.uri, item.text, item.graph) for item in index.items.values()]
    assert len(keys) == len(set(keys))
    assert not any("Разработка" in item.text for item in index.items.values())


def test_unchanged_classifier_is_not_embedded_again(search_kb):
    kb, embedder = search_kb
    embedder.embedded.clear()
    kb.graph.replace_document_graph(OTHER_GRAPH, [*other_triples(), (OTHER, SKOS.altLabel, Literal("МТ", lang="ru"))])
    kb.update_index()
    assert embedder.embedded and not any("Электродвигатели" in text for text in embedder.embedded)


def test_stale_index_is_detected_and_dropped_graph_removed(search_kb, tmp_path):
    kb, _ = search_kb
    assert kb.index_status()["stale"] is False
    kb.graph.drop_document_graph(OTHER_GRAPH)
    status = kb.index_status()
    assert status["stale"] is True and status["pending_graphs"] == 1
    assert kb.search("медицинское оборудование").stale is True
    kb.update_index()
    assert kb.index_status()["stale"] is False
    assert all(item.graph != str(OTHER_GRAPH) for item in kb.search_service.index().items.values())


def test_index_survives_reopening_and_a_second_reader_sees_updates(search_kb):
    kb, _ = search_kb
    reader = SearchIndex.load(kb.settings.index_path)
    assert reader is not None and len(reader) == len(kb.search_service.index())
    assert reader.state_token == kb.graph.state_token()


def test_missing_model_is_a_clear_error(tmp_path):
    from search.embedder import ModelMissing, load_embedder

    with pytest.raises(ModelMissing, match="zamena model build"):
        load_embedder("", tmp_path / "models" / "none")


def test_unknown_kind_is_refused(search_kb):
    kb, _ = search_kb
    with pytest.raises(ValueError, match="unknown result kind"):
        kb.search("x", kind="people")


def test_a_broad_class_keeps_its_credit_to_firms_found_otherwise_and_a_cut_tail():
    from search.engine import BROAD_HIT_NODES, _short_tails

    broad = [("class", [1], f"firm-{n:04d}", "concept") for n in range(BROAD_HIT_NODES + 300)]
    narrow = [("product", [2], "firm-0450", "product"), ("sentence", [3], "firm-0451", "sentence")]
    kept = _short_tails(broad + narrow)
    from_class = {node for hit, _ids, node, _via in kept if hit == "class"}
    assert {"firm-0450", "firm-0451"} <= from_class  # found otherwise: the class still adds to their score
    assert len(from_class) == BROAD_HIT_NODES + 2
    assert [entry for entry in kept if entry[0] != "class"] == narrow
    assert _short_tails(broad[:BROAD_HIT_NODES] + narrow) == broad[:BROAD_HIT_NODES] + narrow


def test_a_damaged_onnx_encoder_is_a_clear_error(tmp_path):
    from search.embedder import ModelMissing, SentenceEmbedder
    from search.model_rebuild import MARKER, ONNX_FILE

    (tmp_path / MARKER).write_text("{}", encoding="utf-8")
    (tmp_path / ONNX_FILE).parent.mkdir()
    (tmp_path / ONNX_FILE).write_bytes(b"not an ONNX graph")
    with pytest.raises(ModelMissing, match=r"model\.onnx .*zamena model build --force"):
        SentenceEmbedder(tmp_path)
