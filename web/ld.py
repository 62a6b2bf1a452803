"""Linked data: entity URIs that dereference, the vocabulary at its namespace, dumps, VoID, the JSON-LD context.

Every RDF view reads the format registry (ontology/formats.py); HTML goes to people, RDF to
programs, by the Accept header or ?format=.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from ontology.formats import GRAPH_FORMATS, RDF_FORMATS, Format, Kind, by_extension
from ontology.graph import VOCABULARY_FILE
from ontology.namespaces import PREFIXES, VOID, ZO
from ontology.sparql.results import jsonld_context, serialize_graph
from web.describe import RDF_TRIPLES, Describer, graph_counts, sparql_iri
from web.dumps import LICENCE_URL, dump_file
from web.http import (
    NotAcceptable,
    external_url,
    holder,
    language,
    negotiate,
    negotiate_page,
    plain_error,
    with_cors,
)
from web.ui import base_uri, render_entity

bp = Blueprint("ld", __name__)

NAMED_GRAPH_TRIPLES = 20_000  # a classifier's graph holds ~10^5: the dumps serve it whole, from a file


def context_url() -> str:
    return external_url("ld.context")


def rdf_response(graph: Graph, fmt: Format, vary: bool = True) -> Response:
    """A graph in `fmt`; JSON-LD refers to the published @context instead of repeating it."""
    body = serialize_graph(graph, fmt)
    if fmt.name == "jsonld":
        document = json.loads(body)
        if isinstance(document, dict) and "@context" in document:
            document["@context"] = context_url()
        body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    response = Response(body, content_type=f"{fmt.media_type}; charset=utf-8")
    if vary:
        response.vary.add("Accept")
    return with_cors(response)


def _negotiated(html: bool = True) -> Format | None | Response:
    """The format asked for (None = HTML, when the view has a page), or the 406 to answer."""
    asked = request.args.get("format")
    try:
        return negotiate_page(GRAPH_FORMATS, asked) if html else negotiate(GRAPH_FORMATS, asked)
    except NotAcceptable as error:
        return plain_error(str(error), 406, {"Vary": "Accept"})


# ---------------------------------------------------------------------------- entities


@bp.route("/id/<path:rest>")
def entity(rest: str) -> Response | str:
    uri = base_uri() + "id/" + rest
    fmt = _negotiated()
    if isinstance(fmt, Response):
        return fmt
    if fmt is None:
        page = render_entity(uri)
        response = page if isinstance(page, Response) else Response(page, mimetype="text/html")
        response.vary.add("Accept")
        alternates = ", ".join(
            f'<{request.path}?format={f.name}>; rel="alternate"; type="{f.media_type}"' for f in GRAPH_FORMATS
        )
        response.headers["Link"] = alternates
        return response
    try:
        sparql_iri(uri)
    except ValueError:
        return plain_error(f"not a usable URI: {uri!r}", 400)
    graph, cut = Describer(holder().kb.graph, language()).graph_of(uri)
    if len(graph) == 0:
        return plain_error(f"the graph knows nothing about <{uri}>", 404, {"Vary": "Accept"})
    response = rdf_response(graph, fmt)
    if cut:
        mark_cut(
            response,
            f"each part of this description (own, links in, evidence) holds at most {RDF_TRIPLES} "
            "triples; the SPARQL endpoint and the dumps give the rest",
        )
    return response


@bp.route("/graph/<path:rest>")
def named_graph(rest: str) -> Response:
    """A document's named graph: its triples in RDF; people are sent to the document's page."""
    uri = base_uri() + "graph/" + rest
    fmt = _negotiated()
    if isinstance(fmt, Response):
        return fmt
    kb = holder().kb
    if uri not in {str(g) for g in kb.graph.document_graphs()}:
        return plain_error(f"there is no named graph <{uri}>", 404, {"Vary": "Accept"})
    if fmt is None:
        return redirect(url_for("ld.entity", rest=f"document/{rest}"), 303)
    graph = Graph()
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {NAMED_GRAPH_TRIPLES}"
    for s, p, o in kb.graph.query(query, {"g": URIRef(uri)}):
        graph.add((s, p, o))
    response = rdf_response(graph, fmt)
    if len(graph) >= NAMED_GRAPH_TRIPLES:
        mark_cut(response, f"a named graph is served up to {NAMED_GRAPH_TRIPLES} triples; the dumps hold all of it")
    return response


def mark_cut(response: Response, why: str) -> None:
    """Say in the headers that an RDF answer holds only the first part of what was asked."""
    response.headers["Zamena-Truncated"] = "true"
    response.headers["Zamena-Limit"] = why


# ---------------------------------------------------------------------------- vocabulary and context


def vocabulary() -> Graph:
    return Graph().parse(VOCABULARY_FILE, format="turtle")


@bp.route("/ontology")
def ontology() -> Response | str:
    fmt = _negotiated()
    if isinstance(fmt, Response):
        return fmt
    graph = vocabulary()
    if fmt is not None:
        if fmt.name == "ttl":
            response = Response(VOCABULARY_FILE.read_bytes(), content_type="text/turtle; charset=utf-8")
            response.vary.add("Accept")
            return with_cors(response)
        return rdf_response(graph, fmt)
    lang = language()
    describer_labels = {}
    terms = []
    for kind, classes in (("class", (OWL.Class,)), ("property", (OWL.ObjectProperty, OWL.DatatypeProperty))):
        for cls in classes:
            for term in sorted(set(graph.subjects(RDF.type, cls))):
                labels = {o.language: str(o) for o in graph.objects(term, RDFS.label)}
                comments = {o.language: str(o) for o in graph.objects(term, RDFS.comment)}
                terms.append(
                    {
                        "kind": kind,
                        "uri": str(term),
                        "name": str(term).split("#")[-1],
                        "label": labels.get(lang) or labels.get("ru") or "",
                        "comment": comments.get(lang) or comments.get("ru") or "",
                        "domain": [str(o) for o in graph.objects(term, RDFS.domain)],
                        "range": [str(o) for o in graph.objects(term, RDFS.range)],
                        "parents": [str(o) for o in graph.objects(term, RDFS.subClassOf)],
                    }
                )
    ontology_uri = URIRef(str(ZO).rstrip("#"))
    titles = {o.language: str(o) for o in graph.objects(ontology_uri, RDFS.label)}
    comments = {o.language: str(o) for o in graph.objects(ontology_uri, RDFS.comment)}
    page = render_template(
        "ontology.html",
        title=titles.get(lang) or titles.get("ru"),
        comment=comments.get(lang) or comments.get("ru"),
        namespace=str(ZO),
        terms=terms,
        labels=describer_labels,
        formats=[(f.name, f.media_type) for f in GRAPH_FORMATS],
    )
    response = Response(page, mimetype="text/html")
    response.vary.add("Accept")
    return response


@bp.route("/context.jsonld")
def context() -> Response:
    body = json.dumps({"@context": jsonld_context()}, ensure_ascii=False, indent=2)
    return with_cors(Response(body, content_type="application/ld+json; charset=utf-8"))


# ---------------------------------------------------------------------------- dumps


@bp.route("/dumps/zamena.<extension>")
def dump(extension: str) -> Response:
    try:
        fmt = by_extension(extension, Kind.RDF)
    except ValueError:
        known = ", ".join(f"zamena.{f.extension}" for f in RDF_FORMATS)
        return plain_error(f"no dump called zamena.{extension}; there are: {known}", 404)
    path = dump_file(*holder().current(), fmt)
    response = send_file(  # a download: a browser saves the file instead of rendering megabytes of text
        path,
        mimetype=fmt.media_type,
        as_attachment=True,
        download_name=f"zamena.{fmt.extension}",
        conditional=True,
        etag=True,
    )
    if fmt.media_type.startswith("text/") or fmt.media_type.startswith("application/"):
        response.headers["Content-Type"] = f"{fmt.media_type}; charset=utf-8"
    return with_cors(response)


# ---------------------------------------------------------------------------- VoID


def void_graph() -> Graph:
    """VoID: what the dataset holds, where its endpoint and dumps are, which vocabularies it uses."""
    kb = holder().kb
    base = base_uri()
    dataset = URIRef(base + "void#zamena")
    graph = Graph()
    graph.bind("void", VOID)
    graph.bind("foaf", FOAF)
    stats = holder().cached("counts", lambda kb: graph_counts(kb.graph))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("Замена: высокотехнологичные фирмы и их компетенции", lang="ru")))
    graph.add((dataset, DCTERMS.title, Literal("Zamena: high-tech firms and their competences", lang="en")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal("Фирмы, продукты, компетенции и источник каждого факта.", lang="ru"),
        )
    )
    graph.add(
        (dataset, DCTERMS.description, Literal("Firms, products, competences and the source of every fact.", lang="en"))
    )
    graph.add((dataset, FOAF.homepage, URIRef(external_url("ui.search"))))
    graph.add((dataset, DCTERMS.license, URIRef(LICENCE_URL)))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(external_url("sparql.endpoint"))))
    graph.add((dataset, VOID.uriSpace, Literal(base + "id/")))
    graph.add((dataset, VOID.triples, Literal(stats["triples"])))
    graph.add(
        (dataset, VOID.entities, Literal(stats.get("firms", 0) + stats.get("products", 0) + stats.get("people", 0)))
    )
    graph.add((dataset, VOID.uriLookupEndpoint, URIRef(external_url("ui.resource") + "?uri=")))
    for fmt in RDF_FORMATS:
        graph.add((dataset, VOID.dataDump, URIRef(external_url("ld.dump", extension=fmt.extension))))
        graph.add((dataset, VOID.feature, URIRef(fmt.iri)))
    for namespace in PREFIXES.values():
        if str(namespace) not in (str(RDF), str(RDFS), "http://www.w3.org/2001/XMLSchema#", str(OWL)):
            graph.add((dataset, VOID.vocabulary, URIRef(str(namespace))))
    for (example,) in list(kb.graph.query("SELECT ?f WHERE { ?f a schema:Corporation } ORDER BY ?f LIMIT 1")):
        graph.add((dataset, VOID.exampleResource, example))
    for name, cls in (("firms", "Corporation"), ("products", "Product"), ("people", "Person")):
        partition = URIRef(f"{base}void#{name}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(f"https://schema.org/{cls}")))
        graph.add((partition, VOID.entities, Literal(stats.get(name, 0))))
    concepts = URIRef(f"{base}void#concepts")
    graph.add((dataset, VOID.classPartition, concepts))
    graph.add((concepts, VOID["class"], SKOS.Concept))
    graph.add((concepts, VOID.entities, Literal(stats.get("concepts", 0))))
    return graph


@bp.route("/.well-known/void")
def void() -> Response:
    fmt = _negotiated(html=False)
    if isinstance(fmt, Response):
        return fmt
    return rdf_response(void_graph(), fmt)  # type: ignore[arg-type]
