"""Search answers as types: their JSON, the OpenAPI schema made from them, and the same answer from the
service, the JSON API and `zamena search --json`; names matched when there is no index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import XSD, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS

from ontology.namespaces import OA, ORG, SCHEMA, ZO
from search.answers import (
    Evidence,
    FacetValue,
    Filters,
    ImportedThing,
    Reason,
    SearchAnswer,
    SearchResult,
    json_schemas,
    to_json,
)
from search.fake_embedder import HashEmbedder
from zamena import cli
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

pytest_plugins = ["tests.web_fixtures"]  # the shared knowledge base and app of the web tests

BASE = "https://zamena.example.org/"
FIRM = BASE + "id/firm/romashka"
CENTRE = BASE + "id/centre/c"
DOC = BASE + "id/document/d"
SENTENCE = "«Ромашка» входит в центр компетенций."


def full_answer() -> SearchAnswer:
    """An answer with every field of every part set."""
    evidence = Evidence(
        SENTENCE, DOC, 0, len(SENTENCE), "Насосы «Ромашки»", "2024-03-01", "https://example.org/n", "ТАСС"
    )
    reasons = [
        Reason("product", uri=BASE + "id/product/p", label="Насос", via="product", notation="28.13"),
        Reason("profile", uri=FIRM, label="Ромашка", text="Насосы и клапаны"),
    ]
    result = SearchResult(FIRM, "Ромашка", "firm", 0.5, "28", reasons, [evidence])
    facets = {"section": [FacetValue("28", "28 Машины и оборудование", 1)], "centre": [FacetValue("1", "member", 1)]}
    answer = SearchAnswer("насосы", "firm", [result], facets, True, True, Filters("28", True, False), "ModelMissing: x")
    answer.imported = [
        ImportedThing(
            BASE + "id/brand/grundfos", "Grundfos", {"ru": "насосы", "en": "pumps"}, BASE + "id/okpd2/28.13",
            "28.13", "Насосы", BASE + "id/competence/pumps", {"ru": "Насосы"}, "general knowledge",
        )
    ]  # fmt: skip
    return answer


IMPORTED_JSON = {
    "uri": BASE + "id/brand/grundfos",
    "label": "Grundfos",
    "definition": {"ru": "насосы", "en": "pumps"},
    "class_uri": BASE + "id/okpd2/28.13",
    "notation": "28.13",
    "class_label": "Насосы",
    "competence": BASE + "id/competence/pumps",
    "competence_label": {"ru": "Насосы"},
    "source": "general knowledge",
}


def test_the_json_keeps_the_api_keys_and_leaves_out_what_is_not_sent() -> None:
    answer = full_answer()
    answer.results[0].reasons.append(Reason("text", text="Ромашка"))
    assert answer.to_json() == {
        "query": "насосы",
        "kind": "firm",
        "results": [
            {
                "uri": FIRM,
                "label": "Ромашка",
                "kind": "firm",
                "score": 0.5,
                "notation": "28",
                "why": [
                    {
                        "kind": "product",
                        "uri": BASE + "id/product/p",
                        "label": "Насос",
                        "via": "product",
                        "notation": "28.13",
                    },
                    {"kind": "profile", "uri": FIRM, "label": "Ромашка", "text": "Насосы и клапаны"},
                    {"kind": "text", "text": "Ромашка"},  # a reason's unset fields are left out
                ],
                "evidence": [
                    {
                        "quote": SENTENCE,
                        "document": DOC,
                        "start": 0,
                        "end": len(SENTENCE),
                        "title": "Насосы «Ромашки»",
                        "date": "2024-03-01",
                        "url": "https://example.org/n",
                        "publisher": "ТАСС",
                    }
                ],
            }
        ],
        "facets": {"section": [{"value": "28", "count": 1}], "centre": [{"value": "1", "count": 1}]},
        "fallback": True,
        "stale": True,
        "imported": [IMPORTED_JSON],
        "suggestions": [],
    }
    assert to_json(SearchResult(FIRM, "", "firm", 0.0))["notation"] is None  # a result's notation is always sent


def test_the_schema_documents_every_field_sent_and_nothing_else() -> None:
    schemas = json_schemas(SearchAnswer)
    assert set(schemas) == {"SearchAnswer", "SearchResult", "Reason", "Evidence", "FacetValue", "ImportedThing"}
    answer = full_answer()
    sent = {
        "SearchAnswer": answer.to_json(),
        "SearchResult": to_json(answer.results[0]),
        "Reason": to_json(answer.results[0].reasons[0]) | to_json(answer.results[0].reasons[1]),
        "Evidence": to_json(answer.results[0].evidence[0]),
        "FacetValue": to_json(answer.facets["section"][0]),
        "ImportedThing": to_json(answer.imported[0]),
    }
    for name, schema in schemas.items():
        assert set(schema["properties"]) == set(sent[name]), name
        assert all(schema["properties"][key].get("description") for key in schema["properties"]), name
    assert schemas["Reason"]["required"] == ["kind"]
    assert schemas["SearchResult"]["properties"]["why"]["items"] == {"$ref": "#/components/schemas/Reason"}
    kinds = ["firm", "product", "concept", "document", "person", "organisation"]
    assert schemas["SearchResult"]["properties"]["kind"]["enum"] == kinds
    assert schemas["Evidence"]["properties"]["start"]["type"] == ["integer", "null"]


def conformance(value: object, schema: dict, schemas: dict, path: str = "$") -> list[str]:
    """Where `value` breaks `schema` (the subset of JSON Schema the generated schemas use); objects with
    properties are closed, so an undocumented key is a problem too."""
    if "$ref" in schema:
        return conformance(value, schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, path)
    if "anyOf" in schema:
        options = [conformance(value, option, schemas, path) for option in schema["anyOf"]]
        return [] if any(not found for found in options) else [f"{path}: none of anyOf"]
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
    }
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types or []
    if types and not any(checks[t](value) for t in types):
        return [f"{path}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} not in {schema['enum']}"]
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties")
        if properties is not None:
            found += [f"{path}.{key}: missing" for key in schema.get("required", []) if key not in value]
            found += [f"{path}.{key}: not documented" for key in value if key not in properties]
            for key, item in value.items():
                if key in properties:
                    found += conformance(item, properties[key], schemas, f"{path}.{key}")
        if isinstance(schema.get("additionalProperties"), dict):
            for key, item in value.items():
                found += conformance(item, schema["additionalProperties"], schemas, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += conformance(item, schema["items"], schemas, f"{path}[{i}]")
    return found


def test_the_api_sends_what_its_openapi_document_says(client: FlaskClient) -> None:
    spec = json.loads(client.get("/api/openapi.json").data)
    schemas = spec["components"]["schemas"]
    assert {name: schemas[name] for name in json_schemas(SearchAnswer)} == json_schemas(SearchAnswer)
    answer_schema = {"$ref": "#/components/schemas/SearchAnswer"}
    for params in (
        {"q": "оптический трансформатор"},
        {"q": "трансформатор", "kind": "product"},
        {"q": "трансформатор", "kind": "concept"},
        {"q": "трансформатор", "kind": "document"},
        {"q": "трансформатор", "code": "26", "centre": "1"},
    ):
        answer = json.loads(client.get("/api/search", query_string=params).data)
        assert answer["results"], params
        assert conformance(answer, answer_schema, schemas) == [], params


# ---------------------------------------------------------------------------- without an index


@pytest.fixture
def home_without_index(tmp_path: Path) -> Iterator[Settings]:
    settings = Settings.from_env(home=tmp_path / "home", store="oxigraph")
    firm, evidence = URIRef(FIRM), URIRef(BASE + "id/evidence/e1")
    selector = URIRef(f"{evidence}#quote")
    with KnowledgeBase(settings, embedder=HashEmbedder()) as kb:
        kb.graph.replace_document_graph(
            URIRef(BASE + "graph/d"),
            [
                (firm, RDF.type, SCHEMA.Corporation),
                (firm, SKOS.prefLabel, Literal("Ромашка", lang="ru")),
                (firm, ORG.memberOf, URIRef(CENTRE)),
                (URIRef(CENTRE), RDF.type, ZO.CompetenceCentre),
                (evidence, RDF.type, ZO.Evidence),
                (evidence, RDF.subject, firm),
                (evidence, RDF.predicate, ORG.memberOf),
                (evidence, RDF.object, URIRef(CENTRE)),
                (evidence, PROV.wasDerivedFrom, URIRef(DOC)),
                (evidence, OA.hasSelector, selector),
                (selector, OA.exact, Literal(SENTENCE)),
                (selector, OA.start, Literal(0, datatype=XSD.integer)),
                (selector, OA.end, Literal(len(SENTENCE), datatype=XSD.integer)),
            ],
        )
    yield settings


def test_without_an_index_names_are_matched_with_facets_filters_and_quotes(home_without_index: Settings) -> None:
    with KnowledgeBase(home_without_index, read_only=True, embedder=HashEmbedder()) as kb:
        answer = kb.search("ромашки", kind="firm")
        assert answer.fallback and answer.stale and answer.error is None
        assert [r.uri for r in answer.results] == [FIRM]
        assert answer.results[0].evidence == [Evidence(SENTENCE, DOC, 0, len(SENTENCE))]
        assert answer.facets == {"section": [], "centre": [FacetValue("1", "member", 1)]}
        assert [r.uri for r in kb.search("ромашки", centre=True).results] == [FIRM]
        assert kb.search("ромашки", zone=True).results == []
        assert kb.search("ромашки", code="26").results == []


def test_the_cli_prints_the_answer_the_api_would_send(
    home_without_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZAMENA_HOME", str(home_without_index.home))
    result = CliRunner().invoke(cli.main, ["search", "--json", "ромашки"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    with KnowledgeBase(home_without_index, read_only=True, embedder=HashEmbedder()) as kb:
        assert printed == kb.search("ромашки").to_json()
    assert printed["fallback"] is True and printed["results"][0]["uri"] == FIRM
    assert "names were matched" in result.stderr
