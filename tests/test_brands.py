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
from ontology.namespaces import SCHEMA, ZO
from ontology.uris import UriMinter
from search.fake_embedder import HashEmbedder
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import PROJECT

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
