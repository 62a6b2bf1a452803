"""The Flask app factory: one blueprint per concern (ui, sparql, ld, api), the knowledge base opened
read-only once per app, and the pool of killable query workers beside it."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask, Response, abort, g, jsonify, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from ontology.sparql.workers import GraphQueryService, QueryService, query_service
from web.http import LANGUAGE_COOKIE, external_url, language, plain_error
from web.i18n import LANGUAGES, UI, ui_text
from web.state import KnowledgeBaseHolder
from zamena.settings import Settings


@dataclass
class WebState:
    """What the app holds open: the knowledge base and the query workers."""

    holder: KnowledgeBaseHolder
    queries: QueryService | GraphQueryService

    def close(self) -> None:
        self.queries.close()
        self.holder.close()


def _defaults(settings: Settings) -> dict[str, object]:
    return {
        "ZAMENA_SETTINGS": settings,
        "QUERY_TIME_LIMIT": settings.query_time_limit,
        "RESULT_ROW_LIMIT": settings.result_rows,
        "RESULT_BYTE_LIMIT": 64 * 1024 * 1024,
        "MAX_CONTENT_LENGTH": settings.max_request_bytes,
        "MAX_FORM_MEMORY_SIZE": settings.max_request_bytes,  # one limit for bodies, form or not
        "MAX_QUERY_BYTES": settings.max_query_bytes,
        "QUERY_WORKERS": settings.query_workers,
        "QUERY_MEMORY_MB": settings.query_memory_mb,
        "QUERY_WORKERS_PER_CLIENT": settings.query_workers_per_client,
        # links that leave the page (VoID, OpenAPI, permalinks) are made on this, never on the Host header
        "PUBLIC_URL": settings.public_url or "http://127.0.0.1:8000/",
        "WARM_UP_WORKERS": 0,  # workers started when the app starts (`zamena serve` starts all of them)
        "STATE_CHECK_INTERVAL": 2.0,  # seconds between looks at the store's files
        "KB_OPENER": None,  # settings -> KnowledgeBase; tests pass one with a fake embedder
        "JSON_AS_ASCII": False,
    }


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """The Zamena web app. `config` overrides the defaults (ZAMENA_SETTINGS, QUERY_TIME_LIMIT …)."""
    app = Flask(__name__)
    settings = (config or {}).get("ZAMENA_SETTINGS") or Settings.from_env()
    app.config.from_mapping(_defaults(settings))  # type: ignore[arg-type]
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    holder = KnowledgeBaseHolder(
        settings, check_interval=app.config["STATE_CHECK_INTERVAL"], opener=app.config["KB_OPENER"]
    )
    queries = query_service(
        settings.store,
        settings.store_path,
        lambda: holder.kb.graph,
        time_limit=app.config["QUERY_TIME_LIMIT"],
        max_workers=app.config["QUERY_WORKERS"],
        memory_limit_mb=app.config["QUERY_MEMORY_MB"],
        per_client=app.config["QUERY_WORKERS_PER_CLIENT"],
    )
    if settings.proxy_hops:  # the client is who the proxies say, for the per-client share of the workers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)  # type: ignore[method-assign]
    state = WebState(holder, queries)
    app.extensions["zamena"] = state
    # closed with the app, or at exit for an app still alive then; unlike atexit.register, this does not
    # keep every app ever made (each test makes one) alive until the interpreter ends
    weakref.finalize(app, state.close)
    if app.config["WARM_UP_WORKERS"]:
        threading.Thread(target=queries.warm_up, args=(app.config["WARM_UP_WORKERS"],), daemon=True).start()

    from web import api, ld, sparql, ui

    app.register_blueprint(ui.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(ld.bp)
    app.register_blueprint(api.bp)

    @app.context_processor
    def interface() -> dict[str, object]:
        lang = language()

        def lang_url(code: str) -> str:
            args = request.args.to_dict(flat=False)
            args["lang"] = [code]
            return request.path + "?" + urlencode(args, doseq=True)

        return {
            "lang": lang,
            "languages": LANGUAGES,
            "t": lambda key, **values: Markup.escape(ui_text(key, lang).format(**values)),
            "lang_url": lang_url,
            "external_url": external_url,
        }

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        message = error.description or error.name
        if error.code == 413:  # the body was refused before a view saw it
            message = (
                f"the request body is over the limit of {app.config['MAX_CONTENT_LENGTH']} bytes "
                "(ZAMENA_MAX_REQUEST_BYTES sets the limit)"
            )
        if request.path.startswith("/sparql"):  # protocol clients read errors as text
            return plain_error(message, error.code or 500)
        if request.path.startswith("/api/"):
            response = jsonify({"error": message, "status": error.code})
            response.status_code = error.code or 500
            return response
        if request.accept_mimetypes["text/html"] < request.accept_mimetypes["text/plain"]:
            return plain_error(message, error.code or 500)
        if error.description == type(error).description:  # werkzeug's own English sentence: say it in ours
            known = f"error.{error.code}" if f"error.{error.code}" in UI else "error.other"
            message = ui_text(known, language())
        body = render_template("error.html", code=error.code, message=message)
        return Response(body, status=error.code, mimetype="text/html")

    @app.before_request
    def refuse_large_bodies() -> None:
        """Any body over the limit is refused at once, whatever its type, before it is read."""
        limit = app.config["MAX_CONTENT_LENGTH"]
        if limit is not None and (request.content_length or 0) > limit:
            abort(413)

    @app.after_request
    def remember_language(response: Response) -> Response:
        asked = request.args.get("lang")
        if asked in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != asked:
            response.set_cookie(LANGUAGE_COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Language", g.get("lang", "ru"))
            response.headers.setdefault(
                "Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:"
            )
        # every answer, text and RDF included: a browser must not read a plain-text error as HTML
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app
