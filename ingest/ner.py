"""Statistical Russian NER: natasha's news model (slovnet + navec embeddings) as a spaCy component.

The model and the embeddings ship inside the natasha package (no download). They are loaded with
slovnet and navec directly: natasha's own `__init__` pulls in its morphology module, which needs
pymorphy2, and pymorphy2 does not work on Python 3.11. Only the package's folder is looked up,
natasha's code is never imported.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from contextlib import AbstractContextManager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

if TYPE_CHECKING:
    from slovnet import NER
    from threadpoolctl import ThreadpoolController

# Files inside the natasha package (natasha 1.6.0).
EMBEDDING_FILE = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
NER_FILE = "data/model/slovnet_ner_news_v1.tar"
LABELS = ("PER", "LOC", "ORG")


class ModelMissing(RuntimeError):
    """The NER model files are not where the natasha package keeps them."""


def natasha_folder() -> Path:
    """The natasha package's folder, found without running its `__init__`."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("the natasha package is not installed: pip install natasha==1.6.0")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def news_ner() -> NER:
    """slovnet's news NER with navec embeddings, loaded once per process."""
    from navec import Navec
    from slovnet import NER

    folder = natasha_folder()
    paths = [folder / EMBEDDING_FILE, folder / NER_FILE]
    for path in paths:
        if not path.is_file():
            raise ModelMissing(f"{path} is missing: reinstall natasha==1.6.0, which ships the model")
    model = NER.load(str(paths[1]))
    model.navec(Navec.load(str(paths[0])))
    return model


@cache
def _blas_threads() -> ThreadpoolController:
    """The thread pools of the BLAS library numpy loaded, looked up once (after the model loads numpy)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[object]:
    """The model multiplies small matrices, where BLAS threads cost more than they give; on a busy machine
    they also wait for each other (2-4 times slower on the devset). The same numbers come out either way."""
    return _blas_threads().limit(limits=1, user_api="blas")


def recognise(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of each name the model finds in `text`; labels PER, LOC, ORG."""
    if not text.strip():
        return []  # slovnet's decoder fails on a text with no word at all
    model = news_ner()
    with one_blas_thread():
        return [(span.start, span.stop, span.type) for span in model(text).spans]


def to_spans(doc: Doc, found: Iterable[tuple[int, int, str]]) -> list[Span]:
    """Character spans from the model as token spans of `doc` (its tokens are spaCy's, not razdel's)."""
    spans = []
    for start, end, label in found:
        span = doc.char_span(start, end, label=label, alignment_mode="contract")
        if span is None or len(span) == 0:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None and len(span) > 0:
            spans.append(span)
    return filter_spans(spans)


@Language.component("zamena_ner")
def statistical_ner(doc: Doc) -> Doc:
    """Sets `doc.ents` to what the news model finds: PER, LOC, ORG."""
    doc.ents = to_spans(doc, recognise(doc.text))
    return doc
