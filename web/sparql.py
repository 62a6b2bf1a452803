"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, offline, time-limited.

GET ?query=, POST form (query=…) and POST application/sparql-query; default-graph-uri and
named-graph-uri; results by Accept or format=; a service description on a bare GET. Updates, SERVICE,
LOAD and FROM of graphs this store does not hold are refused before anything is evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, redirect, request, url_for
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from werkzeug.datastructures import MultiDict

from ontology.formats import GRAPH_FORMATS, RESULT_FORMATS, Format, by_media_type
from ontology.namespaces import VOID
from ontology.sparql.guard import QueryRejected
from ontology.sparql.results import serialize_graph
from ontology.sparql.workers import QueryError, QueryJob, QueryOutcome, QueryTooMany
from web.describe import graph_counts, sparql_iri
from web.http import (
    CORS_HEADERS,
    NotAcceptable,
    external_url,
    holder,
    negotiate,
    plain_error,
    with_cors,
)

bp = Blueprint("sparql", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
UPDATE_REFUSED = "SPARQL Update is not accepted: this endpoint is read-only"


@dataclass(frozen=True)
class SparqlRequest:
    """What a protocol request asks for, whichever of the three ways it came."""

    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    format: str | None  # format= as given


def _parameters() -> MultiDict:
    params = MultiDict(request.args)
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        for key, values in request.form.lists():
            params.setlist(key, params.getlist(key) + values)
    return params


def read_request() -> SparqlRequest | None:
    """The query of this request, or None for a bare GET; QueryRejected for what the protocol forbids."""
    params = _parameters()
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise QueryRejected(UPDATE_REFUSED, 403)
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/sparql-update":
            raise QueryRejected(UPDATE_REFUSED, 403)
        if mimetype == "application/sparql-query":
            charset = request.mimetype_params.get("charset", "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise QueryRejected(f"a query must be sent in UTF-8, not {charset}", 415)
            try:
                queries = [request.get_data().decode("utf-8")]
            except UnicodeDecodeError as error:
                raise QueryRejected(f"the query body is not valid UTF-8: {error}") from error
            if "query" in params:
                raise QueryRejected("send the query either in the body or as query=, not both")
        elif mimetype == "application/x-www-form-urlencoded":
            queries = params.getlist("query")
            if not queries:
                raise QueryRejected("the form has no query= field")
        else:
            raise QueryRejected(
                "POST the query as application/x-www-form-urlencoded (query=…) "
                f"or as application/sparql-query, not as {mimetype or 'a body without Content-Type'}",
                415,
            )
    else:
        queries = params.getlist("query")
        if not queries:
            return None
    if len(queries) > 1:
        raise QueryRejected(f"give exactly one query, not {len(queries)}")
    check_length(queries[0])
    default = params.getlist("default-graph-uri")
    named = params.getlist("named-graph-uri")
    for iri in default + named:
        try:
            sparql_iri(iri)
        except ValueError as error:
            raise QueryRejected(f"default-graph-uri / named-graph-uri: {error}") from error
    protocol_dataset = bool(default or named)
    return SparqlRequest(
        queries[0],
        tuple(default) if protocol_dataset else None,
        tuple(named) if protocol_dataset else None,
        params.get("format"),
    )


def check_length(text: str) -> None:
    """Refuse a query over the length limit before anything parses it."""
    limit = current_app.config["MAX_QUERY_BYTES"]
    length = len(text.encode("utf-8"))
    if length > limit:
        raise QueryRejected(
            f"the query is {length} bytes long, over the limit of {limit} bytes "
            "(ZAMENA_MAX_QUERY_BYTES sets the limit)",
            413,
        )


def _table_format(asked: str | None) -> Format:
    return negotiate(RESULT_FORMATS, asked, "for a SELECT or ASK result")


def _graph_format(asked: str | None) -> Format:
    return negotiate(GRAPH_FORMATS, asked, "for a graph")


def _format_or_problem(pick: Callable[[str | None], Format], asked: str | None) -> tuple[str, str]:
    """(format name, "") or ("", why none fits): which one applies is known once the worker has parsed the query."""
    try:
        return pick(asked).name, ""
    except NotAcceptable as error:
        return "", str(error)


def local_graphs() -> frozenset[str]:
    return holder().cached("graphs", lambda kb: frozenset(str(g) for g in kb.graph.document_graphs()))  # type: ignore[return-value]


def run_query(
    text: str,
    result_format: str | None = None,
    default_graphs: tuple[str, ...] | None = None,
    named_graphs: tuple[str, ...] | None = None,
    *,
    formats: tuple[str, str] | None = None,
    graph_as_table: bool = False,
) -> QueryOutcome:
    """Check and evaluate a query in a worker; QueryRejected / QueryError (with its status) say why not.

    The answer's format comes from `result_format` (format=) or Accept, unless `formats` names the
    (table, graph) formats outright; `graph_as_table` has a CONSTRUCT/DESCRIBE answer written as a
    SPARQL JSON table of its triples."""
    check_length(text)
    held = local_graphs()
    # A protocol dataset naming a graph not held here gets it as an empty graph (as the protocol's own tests
    # expect): the name is dropped, so no store or server is ever handed an IRI it might try to fetch.
    if default_graphs is not None:
        default_graphs = tuple(g for g in default_graphs if g in held)
    if named_graphs is not None:
        named_graphs = tuple(g for g in named_graphs if g in held)
    if formats is not None:
        (table_format, graph_format), table_problem, graph_problem = formats, "", ""
    else:
        table_format, table_problem = _format_or_problem(_table_format, result_format)
        graph_format, graph_problem = _format_or_problem(_graph_format, result_format)
    config = current_app.config
    job = QueryJob(
        text=text,
        table_format=table_format,
        graph_format=graph_format,
        table_format_problem=table_problem,
        graph_format_problem=graph_problem,
        local_graphs=held,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        row_limit=config["RESULT_ROW_LIMIT"],
        byte_limit=config["RESULT_BYTE_LIMIT"],
        base_iri=external_url("sparql.endpoint"),
        graph_as_table=graph_as_table,
    )
    service = current_app.extensions["zamena"].queries
    return service.run(job, holder().token, client=request.remote_addr or "")


# Tables a spreadsheet opens: Excel reads a CSV or TSV file as UTF-8 only when it starts with a byte order mark.
SPREADSHEET_TYPES = ("text/csv", "text/tab-separated-values")
UTF8_BOM = b"\xef\xbb\xbf"


def outcome_response(outcome: QueryOutcome, download: bool = False) -> Response:
    media_type = outcome.media_type
    text_like = media_type.startswith("text/") or media_type.endswith(("json", "xml", "triples"))
    body = outcome.body
    # Only a download (the query page's links, download=1) starts with the BOM: a protocol client asking
    # for text/csv gets the bytes SPARQL 1.1 CSV describes, since rdflib's reader, Python's csv module and
    # others would read the BOM as part of the first variable's name.
    if download and media_type in SPREADSHEET_TYPES and not body.startswith(UTF8_BOM):
        body = UTF8_BOM + body
    response = Response(body, status=200, content_type=media_type + ("; charset=utf-8" if text_like else ""))
    limit = current_app.config["RESULT_ROW_LIMIT"]
    response.headers["Zamena-Row-Limit"] = str(limit)
    response.headers["Zamena-Query-Seconds"] = f"{outcome.seconds:.3f}"
    response.headers["Zamena-Queue-Seconds"] = f"{outcome.queue_seconds:.3f}"
    if outcome.truncated:
        response.headers["Zamena-Truncated"] = "true"
        response.headers["Zamena-Limit"] = (
            f"the answer was cut at {outcome.rows} rows; the limit is {limit} rows "
            f"(ZAMENA_RESULT_ROWS sets it) or {current_app.config['RESULT_BYTE_LIMIT']:,} bytes of values"
        )
    if download:
        try:
            extension = by_media_type(media_type).extension
        except ValueError:
            extension = "txt"
        response.headers["Content-Disposition"] = f'attachment; filename="zamena-result.{extension}"'
    response.vary.add("Accept")
    return with_cors(response)


def service_description(endpoint: str) -> Graph:
    """The SPARQL 1.1 service description of this endpoint."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service = URIRef(endpoint + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt in RESULT_FORMATS + GRAPH_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(fmt.iri)))
    dataset = BNode()
    default_graph = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    counts = holder().cached("counts", lambda kb: graph_counts(kb.graph))
    graph.add((default_graph, VOID.triples, Literal(counts["triples"])))
    for name in sorted(local_graphs()):
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    return graph


@bp.route("/sparql", methods=["OPTIONS"])
def preflight() -> Response:
    response = Response(status=204)
    response.headers.update(CORS_HEADERS)
    response.headers["Allow"] = "GET, POST, OPTIONS"
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    try:
        asked = read_request()
    except QueryRejected as error:
        return plain_error(str(error), error.status)
    if asked is None:
        if request.accept_mimetypes["text/html"] > request.accept_mimetypes["text/turtle"]:  # a browser
            return redirect(url_for("ui.query_page"))
        try:
            fmt = _graph_format(request.args.get("format"))
        except NotAcceptable as error:
            return plain_error(str(error), 406)
        body = serialize_graph(service_description(external_url("sparql.endpoint")), fmt)
        response = Response(body, content_type=fmt.media_type + "; charset=utf-8")
        response.vary.add("Accept")
        return with_cors(response)
    try:
        outcome = run_query(asked.query, asked.format, asked.default_graphs, asked.named_graphs)
    except QueryRejected as error:
        return plain_error(str(error), error.status)
    except QueryError as error:
        headers = {"Zamena-Queue-Seconds": f"{error.queue_seconds:.3f}"}
        if error.status == 503:
            headers["Retry-After"] = "5"
        elif isinstance(error, QueryTooMany):  # by then this client's queries have ended, one way or the other
            headers["Retry-After"] = str(math.ceil(current_app.extensions["zamena"].queries.shares.retry_after))
        return plain_error(str(error), error.status, headers)
    return outcome_response(outcome, download=request.args.get("download") == "1")


@bp.route("/sparql", methods=["PUT", "DELETE", "PATCH"])
def wrong_method() -> Response:
    return plain_error(
        f"{request.method} is not a SPARQL query operation: use GET or POST", 405, {"Allow": "GET, POST, OPTIONS"}
    )
