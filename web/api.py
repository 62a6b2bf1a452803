"""The JSON API for search and entities, described by the OpenAPI document at /api/openapi.json."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from ontology.formats import GRAPH_FORMATS, RESULT_FORMATS
from search.answers import SearchAnswer, json_schemas
from web import search_page
from web.describe import Describer, Description, Value, sparql_iri
from web.http import external_url, holder, language, with_cors
from web.i18n import ui_text
from web.ui import local_href

bp = Blueprint("api", __name__, url_prefix="/api")


def _json_error(message: str, status: int) -> Response:
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return with_cors(response)


def _value(value: Value) -> dict[str, object]:
    if value.is_link:
        link = {"uri": value.uri, "label": value.label, "kind": value.kind, "href": local_href(value.uri)}
        return {**link, "note": value.note} if value.note else link
    out: dict[str, object] = {"value": value.label}
    if value.language:
        out["language"] = value.language
    datatype = getattr(value.term, "datatype", None)
    if datatype is not None:
        out["datatype"] = str(datatype)
    return out


def description_json(d: Description) -> dict[str, object]:
    return {
        "uri": d.uri,
        "label": d.label,
        "kind": d.kind,
        "href": local_href(d.uri),
        "types": [_value(t) for t in d.types],
        "aliases": d.aliases,
        "properties": [{"predicate": _value(p), "values": [_value(v) for v in vs]} for p, vs in d.outgoing],
        "links_in": [{"predicate": _value(p), "subjects": [_value(v) for v in vs]} for p, vs in d.incoming],
        "facts": [
            {
                "subject": _value(f.subject),
                "predicate": _value(f.predicate),
                "object": _value(f.object),
                "evidence": [
                    {
                        "evidence": q.evidence,
                        "quote": q.quote,
                        "document": q.document,
                        "document_label": q.document_label,
                        # the document as a reader cites it, where known
                        **({"title": q.title} if q.title else {}),
                        **({"date": q.date} if q.date else {}),
                        **({"url": q.url} if q.url else {}),
                        "start": q.start,
                        "end": q.end,
                        "confidence": float(q.confidence) if q.confidence is not None else None,
                        "rule": q.rule,
                        # a fact its source stated outright: in words, and the pages it cites
                        **({"statement": q.statement} if q.statement else {}),
                        **({"cites": [{"url": u, "site": h, "date": d} for u, h, d in q.cites]} if q.cites else {}),
                        **({"published": q.published} if q.published else {}),
                    }
                    for q in f.quotes
                ],
            }
            for f in d.facts
        ],
        "text": d.text,
        # a hub's links are read up to a limit: how many there are in all, and whether some were left out
        "links_total": {"properties": d.outgoing_total, "links_in": d.incoming_total},
        "links_cut": d.links_cut,
        "facts_cut": d.facts_cut,
    }


@bp.route("/search")
def search() -> Response:
    query = request.args.get("q", "").strip()
    if not query:
        return _json_error("give the question as q=…", 400)
    kind = request.args.get("kind", "firm")
    if kind not in search_page.KINDS:
        return _json_error(f"kind={kind!r} is not one of {', '.join(search_page.KINDS)}", 400)
    try:
        k = int(request.args.get("k", "10"))
    except ValueError:
        return _json_error("k must be a whole number of results", 400)
    if not 1 <= k <= search_page.MAX_K:
        return _json_error(f"k must be between 1 and {search_page.MAX_K}", 400)
    answer = search_page.search(
        holder().kb,
        query,
        kind=kind,
        code=request.args.get("code") or None,
        centre=request.args.get("centre") in ("1", "true"),
        k=k,
        lang=language(),
    )
    return with_cors(jsonify(answer.to_json()))


@bp.route("/entity")
def entity() -> Response:
    uri = request.args.get("uri", "").strip()
    try:
        sparql_iri(uri)
    except ValueError:
        return _json_error("give the entity's URI as uri=…", 400)
    description = Describer(holder().kb.graph, language()).describe(uri)
    if not description.exists:
        return _json_error(f"the graph knows nothing about <{uri}>", 404)
    return with_cors(jsonify(description_json(description)))


@bp.route("/openapi.json")
def openapi() -> Response:
    return with_cors(jsonify(openapi_document()))


@bp.route("/")
def docs() -> str:
    return render_template("api.html", spec=openapi_document())


def _en(key: str) -> str:
    """The OpenAPI document's text: the English of the words the API page shows in the reader's language."""
    return ui_text(key, "en")


def openapi_document() -> dict[str, object]:
    """The OpenAPI 3.1 description of the JSON API and the SPARQL endpoint."""
    error = {"$ref": "#/components/schemas/Error"}
    text_error = {"text/plain": {"schema": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Zamena API",
            "version": "1",
            "description": _en("api.intro"),
        },
        "servers": [{"url": external_url("ui.search").rstrip("/")}],
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": _en("api.op.search"),
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "description": _en("api.param.q"),
                            "required": True,
                            "schema": {"type": "string", "minLength": 1},
                        },
                        {
                            "name": "kind",
                            "in": "query",
                            "description": _en("api.param.kind"),
                            "schema": {"type": "string", "enum": list(search_page.KINDS), "default": "firm"},
                        },
                        {
                            "name": "k",
                            "in": "query",
                            "description": _en("api.param.k"),
                            "schema": {"type": "integer", "minimum": 1, "maximum": search_page.MAX_K, "default": 10},
                        },
                        {
                            "name": "code",
                            "in": "query",
                            "description": _en("api.param.code"),
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "centre",
                            "in": "query",
                            "description": _en("api.param.centre"),
                            "schema": {"type": "string", "enum": ["0", "1", "true", "false"]},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": _en("api.response.search.200"),
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchAnswer"}}},
                        },
                        "400": {
                            "description": _en("api.response.search.400"),
                            "content": {"application/json": {"schema": error}},
                        },
                    },
                }
            },
            "/api/entity": {
                "get": {
                    "operationId": "entity",
                    "summary": _en("api.op.entity"),
                    "parameters": [
                        {
                            "name": "uri",
                            "in": "query",
                            "description": _en("api.param.uri"),
                            "required": True,
                            "schema": {"type": "string", "format": "uri"},
                        },
                        {
                            "name": "lang",
                            "in": "query",
                            "description": _en("api.param.lang"),
                            "schema": {"type": "string", "enum": ["ru", "en"]},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": _en("api.response.entity.200"),
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Entity"}}},
                        },
                        "400": {
                            "description": _en("api.response.entity.400"),
                            "content": {"application/json": {"schema": error}},
                        },
                        "404": {
                            "description": _en("api.response.entity.404"),
                            "content": {"application/json": {"schema": error}},
                        },
                    },
                }
            },
            "/sparql": {
                "get": {
                    "operationId": "sparqlQuery",
                    "summary": _en("api.op.sparqlQuery"),
                    "parameters": [
                        {
                            "name": "query",
                            "in": "query",
                            "description": _en("api.param.query"),
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "default-graph-uri",
                            "in": "query",
                            "description": _en("api.param.default-graph-uri"),
                            "schema": {"type": "array", "items": {"type": "string"}},
                        },
                        {
                            "name": "named-graph-uri",
                            "in": "query",
                            "description": _en("api.param.named-graph-uri"),
                            "schema": {"type": "array", "items": {"type": "string"}},
                        },
                        {
                            "name": "format",
                            "in": "query",
                            "description": _en("api.param.format"),
                            "schema": {
                                "type": "string",
                                "enum": list(dict.fromkeys(f.name for f in (*RESULT_FORMATS, *GRAPH_FORMATS))),
                            },
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": _en("api.response.sparqlQuery.200"),
                            "content": {f.media_type: {} for f in (*RESULT_FORMATS, *GRAPH_FORMATS)},
                        },
                        "400": {"description": _en("api.response.sparqlQuery.400"), "content": text_error},
                        "403": {"description": _en("api.response.sparqlQuery.403"), "content": text_error},
                        "406": {"description": _en("api.response.sparqlQuery.406"), "content": text_error},
                        "503": {"description": _en("api.response.sparqlQuery.503"), "content": text_error},
                    },
                }
            },
        },
        "components": {
            "schemas": {
                **json_schemas(SearchAnswer),  # the search answer's schema, from the types the API sends
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
                },
                "Entity": {
                    "type": "object",
                    "required": ["uri", "label", "kind", "facts"],
                    "properties": {
                        "uri": {"type": "string"},
                        "label": {"type": "string"},
                        "kind": {"type": "string"},
                        "href": {"type": "string"},
                        "types": {"type": "array", "items": {"type": "object"}},
                        "aliases": {"type": "array", "items": {"type": "string"}},
                        "properties": {"type": "array", "items": {"type": "object"}},
                        "links_in": {"type": "array", "items": {"type": "object"}},
                        "facts": {"type": "array", "items": {"type": "object"}},
                        "links_total": {
                            "type": "object",
                            "description": "links out (properties) and in, in all; the lists hold the first few",
                            "properties": {"properties": {"type": "integer"}, "links_in": {"type": "integer"}},
                        },
                        "links_cut": {"type": "boolean", "description": "the lists hold only the first links"},
                        "facts_cut": {"type": "boolean", "description": "facts holds only the first facts"},
                        "text": {"type": ["string", "null"]},
                    },
                },
            }
        },
    }
