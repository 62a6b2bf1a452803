"""Russian names in Latin letters, for English pages where the graph has no English name.

A plain letter-by-letter romanisation, close to the one of Russian passports (ICAO Doc 9303):
«Профотек» → "Profotek", «Щёлково» → "Shchelkovo". Letters of other scripts are kept as they are.
"""

from __future__ import annotations

import re

LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y",
    "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
CYRILLIC = re.compile(r"[а-яё]+", re.IGNORECASE)


def has_cyrillic(text: str) -> bool:
    return CYRILLIC.search(text) is not None


def transliterate(text: str) -> str:
    """`text` with its Russian letters in Latin ones; a word in capitals (АО, НИИ) stays in capitals."""

    def word(match: re.Match[str]) -> str:
        cyrillic = match.group()
        latin = "".join(LETTERS[c.lower()] for c in cyrillic)
        if cyrillic.isupper() and len(cyrillic) > 1:
            return latin.upper()
        return latin[:1].upper() + latin[1:] if cyrillic[0].isupper() else latin

    return CYRILLIC.sub(word, text)
