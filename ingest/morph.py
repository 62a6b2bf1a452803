"""One shared pymorphy3 analyser: loading its dictionaries takes a while and a lot of memory.

Parses are cached: running text repeats its words, and pymorphy3's dictionary walk is the slowest
part of the pipeline.
"""

from functools import cache, lru_cache

import pymorphy3


@cache
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=500_000)
def parse(word: str) -> tuple:
    """pymorphy3's parses of a word, best first (cached)."""
    return tuple(morph().parse(word))


@lru_cache(maxsize=500_000)
def lookup_lemma(word: str) -> str:
    """The lemma spaCy's pymorphy3 lemmatizer gives a token with no part of speech: the one dictionary
    form all of the word's parses share, or the word as written when they disagree (cached)."""
    normal_forms = {analysis.normal_form for analysis in parse(word)}
    return next(iter(normal_forms)) if len(normal_forms) == 1 else word
