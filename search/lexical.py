"""Lexical search: BM25 (bm25s) over pymorphy3 lemmas, so inflected forms of a word match each other.

«преобразователей частоты» and «частотный преобразователь» share the lemma «преобразователь»; ё is
folded into е; classifier codes such as 27.11 stay whole tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np

from ingest.morph import morph

_TOKEN = re.compile(r"\d+(?:\.\d+)+|[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")
STOP_WORDS = frozenset(
    """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
    вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть был него до вас нибудь опять
    уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтобы
    без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом
    один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть
    после над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой
    перед иногда лучше чуть том нельзя такой им более всегда конечно всю между который которые
    a an the of and or in on at to for by with from as is are be was were that this these those it its
    who what which how can could do does make makes made we our your their any some""".split()
)


@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    if _CYRILLIC.search(word):
        return morph().parse(word)[0].normal_form.replace("ё", "е")
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]  # English plurals: motors → motor
    return word


_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1\1")


def is_word(lemma: str) -> bool:
    """Whether `lemma` can be a word rather than a keyboard run: a Russian word pymorphy3's dictionary
    knows; a Latin one with a vowel and no letter three times over (English has no dictionary here, so a
    name such as «Evita» passes); a number or code."""
    if _CYRILLIC.search(lemma):
        return morph().word_is_known(lemma)
    if not lemma.isalpha():
        return any(ch.isdigit() for ch in lemma)
    return bool(_VOWELS.search(lemma)) and not _REPEATS.search(lemma)


def lemmas(text: str) -> list[str]:
    """The lemmas of the content words of `text`, in order (stop words and punctuation dropped)."""
    out = []
    for match in _TOKEN.finditer(text.lower().replace("ё", "е")):
        word = match.group()
        if word in STOP_WORDS:
            continue
        lemma = _lemma(word)
        if lemma not in STOP_WORDS:
            out.append(lemma)
    return out


class LexicalIndex:
    """BM25 over lemma lists; positions are those of the lists it was built from."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        self.size = len(documents)
        self._bm25 = bm25s.BM25()
        if self.size:
            # An empty document would make bm25s drop it and shift positions: give it a token no query has.
            self._bm25.index([list(tokens) or ["\x00"] for tokens in documents], show_progress=False)

    def scores(self, query: str | Sequence[str]) -> np.ndarray:
        """BM25 score of every document (0 where no query lemma occurs)."""
        tokens = lemmas(query) if isinstance(query, str) else list(query)
        if not self.size or not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def search(self, query: str | Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the best `k` documents with a positive score, best first."""
        scores = self.scores(query)
        positive = np.flatnonzero(scores > 0)
        if positive.size > k:
            positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        order = positive[np.argsort(-scores[positive], kind="stable")]
        return order, scores[order]
