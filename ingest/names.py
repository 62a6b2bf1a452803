"""Names: the identity key of an organisation or person, and the slug of its URI.

Two mentions name the same thing when their keys are equal: quotes, organisational forms, case,
ё/е and inflection do not count.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ingest.morph import morph, parse

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
    if not text.isprintable():  # printable text has no control or format character to drop
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    return re.sub(r"\s+", " ", text).strip()


_PAIRS = {"«": "»", "„": "“", "“": "”", '"': '"', "'": "'"}


def strip_quotes(text: str) -> str:
    """The name inside its outer pair of quotes, if it has one: «Технополис „Москва“» → Технополис „Москва“."""
    text = clean(text)
    while len(text) >= 2 and text[0] in _PAIRS and text[-1] == _PAIRS[text[0]]:
        text = text[1:-1].strip()
    return text


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form of a common word; names pymorphy3 does not know, and short ones, stay as written."""
    word = word.lower().replace("ё", "е")
    if len(word) <= 3 or not re.fullmatch("[а-я-]+", word) or not morph().word_is_known(word):
        return word
    return parse(word)[0].normal_form.replace("ё", "е")


@lru_cache(maxsize=200_000)
def name_key(name: str) -> str:
    """Identity key of an organisation name: lemmas of its words, without quotes and forms."""
    words = [_compound_lemma(w.lower().replace("ё", "е")) for w in _WORD.findall(clean(name))]
    # the form in any case: «Сибирского кабельного завода» is «Сибирский кабельный завод»
    kept = [w for w in words if w not in ORGANISATIONAL_FORMS] or words
    return " ".join(kept)


def _compound_lemma(word: str) -> str:
    """A hyphenated name word lemma by lemma: «Кондор-Электроники» and «Кондор-Электроника» are one firm."""
    if "-" not in word.strip("-"):
        return lemma(word)
    return "-".join(lemma(part) if part else part for part in word.split("-"))


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


# Endings a Russian name takes when pymorphy3 has no dictionary entry that fits it.
_CONSONANT_ENDINGS = ("", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах")
_A_ENDINGS = ("а", "ы", "и", "е", "у", "ой", "ою")


@lru_cache(maxsize=200_000)
def word_forms(word: str) -> frozenset[str]:
    """Every inflected form of one word of a name, lowercase, ё as е: Профотек → профотека, профотеку …

    Firm names are mostly words pymorphy3 only guesses at, and its guessed lemma changes with the case
    («Профотеку» → профотека), so names are compared by their forms, not by one lemma. Only the first
    part of a compound inflects («Диагностики-М»), and a trailing sign stays («Хираны+»); after a
    letter abbreviation, the word after it does («НМ-Теха», «Р-Фарма»).
    """
    low = word.lower().replace("ё", "е")
    after_abbreviation = re.fullmatch(r"([а-я]{1,3}-)([а-я]{3,})(\W*)", low)
    if after_abbreviation is not None:
        head, stem, tail = after_abbreviation.groups()
        return frozenset(head + form + tail for form in _stem_forms(stem))
    parts = re.fullmatch(r"([а-я]{3,})((?:-[\w]+)?\W*)", low)
    if parts is None:
        return frozenset({low})
    stem, tail = parts.groups()
    return frozenset(form + tail for form in _stem_forms(stem))


def _stem_forms(stem: str) -> set[str]:
    forms = {stem}
    # a word the dictionary knows only as a pronoun or an abbreviation («тех» of «тот») inflects as a name
    readings = [a for a in parse(stem)[:4] if a.tag.POS in ("NOUN", "ADJF") and not {"Abbr", "Apro"} & a.tag.grammemes]
    for analysis in readings:
        forms |= {f.word.replace("ё", "е") for f in analysis.lexeme}
    if not readings or not morph().word_is_known(stem):
        if stem[-1] in "ая":
            forms |= {stem[:-1] + ending for ending in _A_ENDINGS}
        elif stem[-1] not in "оеиуыюэь":
            forms |= {stem + ending for ending in _CONSONANT_ENDINGS}
    return forms


def name_words(name: str) -> list[str]:
    """The words of a name that identify it: no quotes, no organisational forms."""
    return list(_name_words(name))


@lru_cache(maxsize=200_000)
def _name_words(name: str) -> tuple[str, ...]:
    words = _WORD.findall(clean(name))
    kept = [w for w in words if lemma(w) not in ORGANISATIONAL_FORMS]
    return tuple(kept or words)


_COARSE = [
    ("shch", "sh"),
    ("kh", "k"),
    ("ch", "k"),
    ("ck", "k"),
    ("ph", "f"),
    ("oo", "u"),
    ("ts", "c"),
    ("c", "k"),
    ("q", "k"),
    ("w", "v"),
    ("x", "ks"),
    ("y", "i"),
    ("j", "i"),
]


def sound_key(name: str) -> str:
    """A rough spelling of how a name sounds, equal for its Latin and Cyrillic forms: Profotech ~ Профотек."""
    text = " ".join(name_words(name)).lower().replace("ё", "е").translate(_TRANSLIT)
    text = re.sub(r"[^a-z0-9]", "", text)
    for old, new in _COARSE:
        text = text.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", text)


def _script(text: str) -> str:
    latin = sum("a" <= ch.lower() <= "z" for ch in text)
    cyrillic = sum("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in text)
    return "latin" if latin > cyrillic else "cyrillic"


def language_of(name: str) -> str:
    """The language tag of a name by its script: a Latin-script name (Profotech, EVM) is 'en', else 'ru'."""
    return "en" if _script(name) == "latin" else "ru"


def same_name(a: str, b: str) -> bool:
    """Whether two written names name the same thing: inflection, quotes, forms and script aside."""
    if name_key(a) == name_key(b):
        return True
    words_a, words_b = name_words(a), name_words(b)
    if len(words_a) == len(words_b) and all(
        x.lower().replace("ё", "е") in word_forms(y) or y.lower().replace("ё", "е") in word_forms(x)
        for x, y in zip(words_a, words_b, strict=True)
    ):
        return True
    # Latin and Cyrillic spellings of one name: Profotech ~ Профотек (long enough not to be chance)
    if _script(a) != _script(b):
        key_a, key_b = sound_key(a), sound_key(b)
        return len(key_a) >= 5 and key_a == key_b
    return False
