"""Settings from the environment (ZAMENA_*), with defaults for the embedded single-machine setup."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_BASE = "https://zamena.example.org/"


@dataclass(frozen=True)
class Settings:
    home: Path  # ZAMENA_HOME: where the store, the index and the model cache live
    store: str  # ZAMENA_STORE: oxigraph (on disk under home) | memory
    base_uri: str  # ZAMENA_BASE: entity URIs are minted under it

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        settings = cls(
            home=Path(os.environ.get("ZAMENA_HOME", "var")),
            store=os.environ.get("ZAMENA_STORE", "oxigraph"),
            base_uri=os.environ.get("ZAMENA_BASE", DEFAULT_BASE),
        )
        return replace(settings, **overrides) if overrides else settings

    @property
    def store_path(self) -> Path:
        return self.home / "graph"
