"""A deterministic fake embedder, for fast tests and offline runs; not for real search.

`HashEmbedder` needs no model, no download and no worker processes: a text's vector is its lemmas hashed
into signed slots, so two texts are near only when they share words. It finds no paraphrase and no
translation, which is what the real model is for (`search.embedder.SentenceEmbedder`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from search.lexical import lemmas


class HashEmbedder:
    """Deterministic bag-of-lemmas vectors (signed feature hashing) with the `Embedder` methods."""

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
