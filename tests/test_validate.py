"""SHACL: the ingested seed conforms; a fact without its evidence is reported, readably."""

from __future__ import annotations

from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ontology.namespaces import ORG, SCHEMA, ZO
from ontology.validate import validate_graph
from zamena import cli


def test_the_seed_graph_has_no_violations(seed_kb):
    findings = seed_kb.validate()
    assert [f for f in findings if f.severity == "Violation"] == []


def test_a_membership_without_evidence_is_a_violation_naming_the_firm(seed_kb):
    graph = seed_kb.graph.union_graph()
    firm = URIRef("https://zamena.example.org/id/firm/bez-istochnika")
    centre = next(graph.subjects(RDF.type, ZO.CompetenceCentre))
    graph.add((firm, RDF.type, SCHEMA.Corporation))
    graph.add((firm, SKOS.prefLabel, Literal("Без источника", lang="ru")))
    graph.add((firm, ORG.memberOf, centre))
    violations = [f for f in validate_graph(graph) if f.severity == "Violation"]
    assert len(violations) == 1
    assert "Без источника" in str(violations[0]) and "without the sentence" in str(violations[0])


def test_a_firm_without_a_label_is_a_violation(seed_kb):
    graph = seed_kb.graph.union_graph()
    graph.add((URIRef("https://zamena.example.org/id/firm/x"), RDF.type, SCHEMA.Corporation))
    messages = [f.message for f in validate_graph(graph) if f.severity == "Violation"]
    assert messages == ["has no skos:prefLabel with a language tag"]


def test_zamena_validate_exits_0_on_the_seed(seed_settings, monkeypatch):
    monkeypatch.setenv("ZAMENA_HOME", str(seed_settings.home))
    result = CliRunner().invoke(cli.main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output
