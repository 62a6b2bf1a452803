"""HTTP helpers shared by the blueprints: content negotiation, CORS, plain-text errors, the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from flask import Response, current_app, g, request, url_for

from ontology.formats import Format, by_name
from web.i18n import DEFAULT_LANGUAGE, LANGUAGES
from web.state import KnowledgeBaseHolder

Offer = TypeVar("Offer", Format, Format | None)  # what a media type on offer stands for: None is HTML
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


def _named(asked: str, formats: Sequence[Format], here: str, html: bool = False) -> Format:
    """The format format= names, by name, media type or alias (one kind: `formats`' own)."""
    try:
        fmt = by_name(asked, formats[0].kind)
    except ValueError:
        fmt = None
    if fmt is None or fmt not in formats:
        names = ", ".join(["html"] * html + [f.name for f in formats])
        raise NotAcceptable(f"format={asked!r} is not offered {here}; use one of: {names}")
    return fmt


def _accepted(offered: dict[str, Offer], here: str) -> Offer:
    """The best of `offered` (media type → format) for the Accept header; on a tie the first offered wins."""
    best = request.accept_mimetypes.best_match(list(offered))
    if best is None:
        raise NotAcceptable(f"none of the types in Accept can be served {here}; offered: {', '.join(offered)}")
    return offered[best]


def _media_types(formats: Sequence[Format]) -> dict[str, Format]:
    """Each format's media type, then their aliases: a client naming the media type itself is preferred."""
    offered = {f.media_type: f for f in formats}
    offered.update({alias: f for f in formats for alias in f.media_types[1:]})
    return offered


def negotiate(formats: Sequence[Format], asked: str | None, here: str = "here") -> Format:
    """The format of a machine's answer: the one `asked` (format=) names, else the best for Accept, else the
    first of `formats`; NotAcceptable when none of `formats` fits."""
    if asked:
        return _named(asked, formats, here)
    if not request.accept_mimetypes:
        return formats[0]
    return _accepted(_media_types(formats), here)


def negotiate_page(formats: Sequence[Format], asked: str | None) -> Format | None:
    """The format of a page that people read too: None for HTML (also when Accept is empty), else an RDF format."""
    if asked:
        if asked.lower() in ("html", "text/html"):
            return None
        return _named(asked, formats, "here", html=True)
    if not request.accept_mimetypes:
        return None
    offered: dict[str, Format | None] = {"text/html": None, **_media_types(formats)}
    return _accepted(offered, "here")
