"""One shared pymorphy3 analyser: loading its dictionaries takes a while and a lot of memory."""

from functools import cache

import pymorphy3


@cache
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()
