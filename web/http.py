"""HTTP helpers shared by the blueprints: content negotiation, CORS, plain-text errors, the reader's language."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response, current_app, g, request, url_for

from ontology.formats import RDF_FORMATS, RdfFormat, rdf_format
from ontology.sparql.results import GRAPH_FORMAT_ALIASES, GRAPH_FORMATS, GRAPH_MEDIA_ALIASES
from web.i18n import DEFAULT_LANGUAGE, LANGUAGES
from web.state import KnowledgeBaseHolder

LANGUAGE_COOKIE = "zamena_lang"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Expose-Headers": (
        "Zamena-Row-Limit, Zamena-Truncated, Zamena-Limit, Zamena-Query-Seconds, Zamena-Queue-Seconds, "
        "Content-Disposition"
    ),
    "Access-Control-Max-Age": "86400",
}


class NotAcceptable(Exception):
    """None of the representations on offer matches the request's Accept header or format= parameter."""


def external_url(endpoint: str, **values: object) -> str:
    """The absolute URL of a view, on the public URL from the settings: never built from the Host header."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def holder() -> KnowledgeBaseHolder:
    return current_app.extensions["zamena"].holder


def plain_error(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    response.headers.update(CORS_HEADERS)
    return response


def with_cors(response: Response) -> Response:
    response.headers.update(CORS_HEADERS)
    return response


def language() -> str:
    """The reader's language: ?lang= (remembered in a cookie), then the cookie, then Russian."""
    if "lang" not in g:
        asked = request.args.get("lang") or request.cookies.get(LANGUAGE_COOKIE) or DEFAULT_LANGUAGE
        g.lang = asked if asked in LANGUAGES else DEFAULT_LANGUAGE
    return g.lang


def rdf_format_from_name(name: str) -> RdfFormat | None:
    """format=ttl, format=turtle, format=text/turtle … as an RDF format of the one table; None when unknown."""
    name = name.strip().lower()
    for fmt in RDF_FORMATS:
        if name == fmt.media_type:
            return fmt
    if name in GRAPH_MEDIA_ALIASES:
        return rdf_format(GRAPH_MEDIA_ALIASES[name])
    try:
        return rdf_format(GRAPH_FORMAT_ALIASES.get(name, name))
    except ValueError:
        return None


def negotiate_rdf(formats: Sequence[RdfFormat] = GRAPH_FORMATS, html: bool = True) -> RdfFormat | None:
    """The RDF format to answer with (None = HTML), from format= or Accept; NotAcceptable when nothing fits."""
    asked = request.args.get("format")
    if asked:
        if html and asked.lower() in ("html", "text/html"):
            return None
        fmt = rdf_format_from_name(asked)
        if fmt is None or fmt not in formats:
            names = ", ".join(["html"] * html + [f.name for f in formats])
            raise NotAcceptable(f"format={asked!r} is not offered here; use one of: {names}")
        return fmt
    offered = (["text/html"] if html else []) + [f.media_type for f in formats]
    aliases = {m: n for m, n in GRAPH_MEDIA_ALIASES.items() if rdf_format(n) in formats}
    offered += list(aliases)
    if not request.accept_mimetypes:
        return None if html else formats[0]
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        raise NotAcceptable(f"none of the types in Accept can be served here; offered: {', '.join(offered)}")
    if best == "text/html":
        return None
    if best in aliases:
        return rdf_format(aliases[best])
    return next(f for f in formats if f.media_type == best)
