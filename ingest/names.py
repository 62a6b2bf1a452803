"""Names: the identity key of an organisation or person, and the slug of its URI.

Two mentions name the same thing when their keys are equal: quotes, organisational forms, case,
ё/е and inflection do not count.
"""

from __future__ import annotations

import re
import unicodedata

from ingest.morph import morph

QUOTES = "«»„“”\"'‘’‹›"
# Organisational forms: part of how a firm is written, not of who it is.
ORGANISATIONAL_FORMS = {
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "нао",
    "ип",
    "нпо",
    "нпп",
    "нпф",
    "гк",
    "концерн",
    "холдинг",
    "группа",
    "компания",
    "фирма",
    "завод",
    "llc",
    "ltd",
    "inc",
    "jsc",
    "gmbh",
    "corp",
    "co",
}
_WORD = re.compile(r"[\w+&-]+", re.UNICODE)


def clean(text: str) -> str:
    """Text without control or bidi characters, with quotes straightened out and spaces collapsed."""
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    return re.sub(r"\s+", " ", text).strip()


_PAIRS = {"«": "»", "„": "“", "“": "”", '"': '"', "'": "'"}


def strip_quotes(text: str) -> str:
    """The name inside its outer pair of quotes, if it has one: «Технополис „Москва“» → Технополис „Москва“."""
    text = clean(text)
    while len(text) >= 2 and text[0] in _PAIRS and text[-1] == _PAIRS[text[0]]:
        text = text[1:-1].strip()
    return text


def lemma(word: str) -> str:
    """The dictionary form of a common word; names pymorphy3 does not know, and short ones, stay as written."""
    word = word.lower().replace("ё", "е")
    if len(word) <= 3 or not re.fullmatch("[а-я-]+", word) or not morph().word_is_known(word):
        return word
    return morph().parse(word)[0].normal_form.replace("ё", "е")


def name_key(name: str) -> str:
    """Identity key of an organisation name: lemmas of its words, without quotes and forms."""
    words = [w.lower().replace("ё", "е") for w in _WORD.findall(clean(name))]
    kept = [w for w in words if w not in ORGANISATIONAL_FORMS] or words
    return " ".join(lemma(w) for w in kept)


_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        "+": "-plus",
    }
)


def slug(key: str) -> str:
    """A readable, stable URI segment for a key: transliterated, lowercase, hyphenated."""
    text = key.lower().translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"
