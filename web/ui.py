"""The pages people read: search, entity pages, the SPARQL query page and the data page."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from ontology.formats import GRAPH_FORMATS, RESULT_FORMATS
from ontology.sparql.guard import QueryRejected
from ontology.sparql.workers import QueryError
from search.names import query_stems
from web import search_page
from web.classes import class_suppliers
from web.coverage import Coverage, newest_document_date
from web.describe import Describer, Description, graph_counts, sparql_iri
from web.documents import document_text, without_file_paths
from web.dumps import LICENCE_NAME, LICENCE_URL, dumps, prepare_dumps, size_text
from web.examples import BY_KEY, EXAMPLES
from web.http import external_url, holder, language
from web.i18n import ui_text
from web.picture import layout
from web.quantities import date_text
from web.result_table import result_table
from web.sparql import run_query
from zamena.indexing import indexing_state

bp = Blueprint("ui", __name__)


def base_uri() -> str:
    base = holder().settings.base_uri
    return base if base.endswith("/") else base + "/"


def local_href(uri: str) -> str:
    """Where this app shows `uri`: its own path for URIs minted under the base, /resource?uri= otherwise.

    A rest that starts with a slash (`{base}/evil.example/x`) would make a protocol-relative link to
    another host, so such a URI goes to /resource as well."""
    base = base_uri()
    rest = uri[len(base) :] if uri.startswith(base) else ""
    if rest and not rest.startswith(("/", "\\")) and "\\" not in rest:
        return "/" + rest
    return url_for("ui.resource", uri=uri)


@bp.app_template_filter("href")
def href_filter(uri: object) -> str:
    return local_href(str(uri))


@bp.app_template_global()
def document_href(document: str, start: object = None, end: object = None) -> str:
    """A link to a document's page with the quoted sentence marked."""
    path = local_href(document)
    if start is None or end is None:
        return path
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}{urlencode({'mark': f'{start}-{end}'})}#char-{start}"


@bp.app_template_filter("reason_kind")
def reason_kind_filter(reason: object) -> str:
    return search_page.reason_kind(reason)  # type: ignore[arg-type]


@bp.app_template_filter("shown_reasons")
def shown_reasons_filter(result: object) -> list[object]:
    return search_page.shown_reasons(result)  # type: ignore[arg-type]


@bp.app_template_filter("scheme")
def scheme_filter(result: object) -> str | None:
    """The classifier scheme a concept result or suggestion is in (okpd2, okved2, competence …), by its URI."""
    return search_page.scheme_of(str(getattr(result, "uri", "")))


@bp.app_template_filter("number")
def number_filter(value: int) -> str:
    """12 345: thousands apart by a narrow no-break space, as Russian (and SI) write them."""
    return f"{value:,}".replace(",", "\u202f")


@bp.app_template_filter("date_text")
def date_text_filter(iso: str) -> str:
    """An ISO date as the reader writes it: 12.04.2022 in Russian."""
    return date_text(iso, language())


INNER_QUOTES = str.maketrans({"«": "„", "»": "“"})


@bp.app_template_filter("inner_quotes")
def inner_quotes_filter(text: object) -> str:
    """A quote inside «…»: its own «ёлочки» become „лапки“, as Russian writes quotes within quotes."""
    return str(text).translate(INNER_QUOTES)


@bp.app_template_filter("highlight")
def highlight_filter(text: object, query: str = "") -> object:
    return search_page.highlight(str(text), query_stems(query))


# ---------------------------------------------------------------------------- search


@bp.route("/")
def search() -> str:
    lang = language()
    query = request.args.get("q", "").strip()
    kind = request.args.get("kind", "firm")
    code = request.args.get("code", "").strip() or None
    centre = request.args.get("centre") == "1"
    answer = None
    sources: dict[str, str] = {}
    shares: dict[str, float] = {}
    if query:
        answer = search_page.search(holder().kb, query, kind=kind, code=code, centre=centre, lang=lang)
        sources = search_page.evidence_sources(holder().kb, answer, lang)
        shares = search_page.relevance(answer.results)
    return render_template(
        "search.html",
        query=query,
        kind=kind if kind in search_page.KINDS else "firm",
        kinds=search_page.KINDS,
        code=code,
        centre=centre,
        answer=answer,
        sources=sources,
        shares=shares,
        stems=query_stems(query),
        examples=_search_examples(lang),
        coverage=None if query else _coverage(),
        indexing=indexing_state(holder().kb),
    )


def _coverage() -> Coverage:
    """How many firms and documents the graph holds, and the date of the newest document."""
    counts = holder().cached("counts", lambda kb: graph_counts(kb.graph))
    newest = holder().cached("newest-document", lambda kb: newest_document_date(kb.graph))
    return Coverage(counts["firms"], counts["documents"], newest)  # type: ignore[index, arg-type]


def _search_examples(lang: str) -> list[str]:
    if lang == "en":
        return ["optical current transformer", "members of the competence centre", "Profotek"]
    return ["оптический трансформатор тока", "электротехника", "Профотек", "центр компетенций"]


# ---------------------------------------------------------------------------- entities


def render_entity(uri: str, status_if_missing: int = 404) -> Response | str:
    """The HTML page of any URI the graph knows; 404 when it knows nothing about it."""
    lang = language()
    try:
        sparql_iri(uri)
    except ValueError:
        abort(400, description=ui_text("error.bad_uri", lang).format(uri=uri))
    kb = holder().kb
    describer = Describer(kb.graph, lang)
    description = describer.describe(uri)
    if not description.exists:
        body = render_template("not_found.html", uri=uri)
        return Response(body, status=status_if_missing, mimetype="text/html")
    centre, links = describer.neighbours(uri)
    picture = layout(centre, links, lang) if links else None
    suppliers = class_suppliers(describer, uri) if description.kind == "concept" else None
    marks = _marks(request.args.get("mark"))
    text_parts = _marked_text(description.text, marks, description) if description.text else None
    document = document_text(description.text, text_parts) if description.text and text_parts else None
    description.outgoing = without_file_paths(description.outgoing)
    formats = [(f.name, f.media_type) for f in GRAPH_FORMATS]
    similar = search_page.similar_firms(kb, description) if description.kind == "firm" else []
    if similar:
        search_page.relabel(kb, similar, lang)
    return render_template(
        "entity.html",
        all_links_href=url_for("ui.query_page", query=_all_links_query(uri)),
        similar=similar,
        d=description,
        picture=picture,
        suppliers=suppliers,
        text_parts=text_parts,
        document=document,
        formats=formats,
        page_path=request.path,
        uri_param=uri if request.endpoint == "ui.resource" else None,
    )


def _all_links_query(uri: str) -> str:
    """The SPARQL page's query for every link of an entity whose page shows only the first ones."""
    iri = sparql_iri(uri)
    return (
        f"# every link of {iri}, both ways\n"
        f"SELECT ?direction ?p ?x WHERE {{\n"
        f'  {{ {iri} ?p ?x BIND("→" AS ?direction) }}\n'
        f'  UNION {{ ?x ?p {iri} BIND("←" AS ?direction) }}\n'
        f"}}\nORDER BY ?direction ?p ?x"
    )


_MARK = re.compile(r"([0-9]{1,9})-([0-9]{1,9})")


def _marks(value: str | None) -> tuple[int, int] | None:
    """mark=START-END (character offsets, ASCII digits); anything else marks nothing."""
    found = _MARK.fullmatch(value or "")
    if found and int(found.group(1)) < int(found.group(2)):
        return int(found.group(1)), int(found.group(2))
    return None


def _marked_text(text: str, mark: tuple[int, int] | None, description: Description) -> list[tuple[str, str, str]]:
    """The document's text cut at each quoted sentence: (kind, anchor, text) with kind plain|quote|marked."""
    spans = sorted(
        {(q.start, q.end) for f in description.facts for q in f.quotes if q.start is not None and q.end is not None}
    )
    parts: list[tuple[str, str, str]] = []
    position = 0
    for start, end in spans:
        if start < position or end > len(text):
            continue
        if start > position:
            parts.append(("plain", "", text[position:start]))
        kind = "marked" if mark == (start, end) else "quote"
        parts.append((kind, f"char-{start}", text[start:end]))
        position = end
    parts.append(("plain", "", text[position:]))
    return parts


@bp.route("/resource")
def resource() -> Response | str:
    uri = request.args.get("uri", "").strip()
    if not uri:
        abort(400, description=ui_text("error.no_uri", language()).format(example="/resource?uri=…"))
    base = base_uri()
    if uri.startswith(base + "id/"):
        return current_app.redirect(local_href(uri), 303)  # type: ignore[return-value]
    return render_entity(uri)


@bp.route("/neighbourhood.svg")
def neighbourhood_svg() -> Response:
    uri = request.args.get("uri", "").strip()
    try:
        sparql_iri(uri)
    except ValueError:
        abort(400, description=ui_text("error.no_uri", language()).format(example="/neighbourhood.svg?uri=…"))
    describer = Describer(holder().kb.graph, language())
    centre, links = describer.neighbours(uri)
    if not links and not describer.describe(uri).exists:
        abort(404, description=ui_text("error.unknown_uri", language()).format(uri=uri))
    body = render_template("neighbourhood.svg", picture=layout(centre, links, language()), standalone=True)
    return Response(body, mimetype="image/svg+xml")


# ---------------------------------------------------------------------------- SPARQL page


@bp.route("/query")
def query_page() -> str:
    lang = language()
    example = BY_KEY.get(request.args.get("example", ""))
    text = request.args.get("query")
    if text is None:
        text = example.text(lang) if example else EXAMPLES[0].text(lang)
    run = "query" in request.args or example is not None
    outcome = error = table = None
    form = ""
    if run:
        try:
            # a graph comes as a table of its triples, written by the worker within the time limit
            outcome = run_query(text, formats=("json", "nt"), graph_as_table=True)
            form = outcome.form
            table = result_table(outcome.body, holder().kb.graph, lang, base_uri())
        except (QueryRejected, QueryError) as failure:
            error = str(failure)
    permalink = external_url("ui.query_page", query=text)
    downloads = []
    if form and not error:
        names = (
            [f.name for f in GRAPH_FORMATS] if form in ("CONSTRUCT", "DESCRIBE") else [f.name for f in RESULT_FORMATS]
        )
        downloads = [(name, url_for("sparql.endpoint", query=text, format=name, download="1")) for name in names]
    return render_template(
        "query.html",
        text=text,
        examples=[(e.key, e.title(lang), url_for("ui.query_page", example=e.key)) for e in EXAMPLES],
        outcome=outcome,
        form=form,
        table=table,
        error=error,
        permalink=permalink,
        downloads=downloads,
        row_limit=current_app.config["RESULT_ROW_LIMIT"],
        time_limit=current_app.config["QUERY_TIME_LIMIT"],
    )


# ---------------------------------------------------------------------------- data page


@bp.route("/data")
def data_page() -> str:
    kb, token = holder().current()
    counts = holder().cached("counts", lambda kb: graph_counts(kb.graph))
    prepare_dumps(kb, token)  # the sizes of those not written yet show on a later visit
    lang = language()
    listed = [
        {
            "name": f"zamena.{dump.format.extension}",
            "href": url_for("ld.dump", extension=dump.format.extension),
            "media_type": dump.format.media_type,
            "bytes": dump.size,
            "size": size_text(dump.size, lang) if dump.size is not None else None,
            "made": date_text(dump.made, lang) if dump.made else None,
        }
        for dump in dumps(kb, token)
    ]
    return render_template(
        "data.html",
        counts=counts,
        dumps=listed,
        licence=(LICENCE_NAME, LICENCE_URL),
        base=kb.settings.base_uri,
    )
