"""The Russian NLP pipeline: one spaCy `Language` of small named components.

blank "ru" tokens → razdel sentences → pymorphy3 lemmas → quoted names → organisations → people.
Each component adds spans to `doc.spans["entities"]` with a label (FIRM, ZONE, CENTRE, GOV, PER)
and, in Span extensions, the entity's canonical name and identity key.
"""

from __future__ import annotations

import re
from functools import cache

import razdel
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.morph import morph
from ingest.names import ORGANISATIONAL_FORMS, name_key, strip_quotes

ENTITIES = "entities"

# Words after which a quoted name is a firm's ("компания «Профотек»", "АО «Профотек»").
FIRM_TRIGGERS = {
    "компания",
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "нао",
    "нпо",
    "нпп",
    "гк",
    "концерн",
    "завод",
    "холдинг",
    "предприятие",
    "резидент",
    "фирма",
    "производитель",
    "корпорация",
    "разработчик",
    "стартап",
    "группа",
    "поставщик",
    "изготовитель",
    "объединение",
    "участник",
}
# Words after which a quoted name is a special economic zone's or a technopark's.
ZONE_TRIGGERS = {"оэз", "технополис", "технопарк"}
# Zone words that are part of the zone's own name: технополис «Москва» is Технополис „Москва“.
ZONE_DESCRIPTORS = {"технополис", "технопарк"}
# Heads of government bodies' names.
GOVERNMENT_HEADS = {"департамент", "министерство", "комитет", "правительство", "мэрия", "префектура", "управа"}

for _attr in ("zamena_name", "zamena_key"):
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, default=None)
# False when the name was put together from a trigger and a quoted word ("технополис «Москва»").
if not Span.has_extension("zamena_written"):
    Span.set_extension("zamena_written", default=True)


def add_entity(
    doc: Doc, span: Span, label: str, name: str | None, key: str | None, written: bool = True
) -> Span | None:
    """Add an entity span unless it overlaps one already found (earlier components win)."""
    for other in doc.spans[ENTITIES]:
        if span.start < other.end and other.start < span.end:
            return None
    entity = Span(doc, span.start, span.end, label=label)
    entity._.zamena_name = name
    entity._.zamena_key = key
    entity._.zamena_written = written
    doc.spans[ENTITIES] = [*doc.spans[ENTITIES], entity]
    return entity


@Language.component("zamena_sentences")
def sentences(doc: Doc) -> Doc:
    """Sentence starts from razdel, and at every line break (headlines and bylines have no full stop)."""
    starts = {s.start for s in razdel.sentenize(doc.text)}
    after_newline = False
    for token in doc:
        token.is_sent_start = token.i == 0 or token.idx in starts or after_newline
        after_newline = "\n" in token.text or "\n" in token.whitespace_
        if token.is_space:
            token.is_sent_start = token.i == 0 or after_newline
    doc.spans.setdefault(ENTITIES, [])
    return doc


_OPENERS = {"«": "»", "„": "“", "“": "”", '"': '"'}


def outer_quotes(text: str) -> list[tuple[int, int]]:
    """Character spans of what stands inside each outermost pair of quotes; nesting is followed."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch == _OPENERS[stack[-1][0]]:
            opener, start = stack.pop()
            if not stack:
                spans.append((start + 1, i))
        elif ch in _OPENERS:
            stack.append((ch, i))
        elif ch == "\n":
            stack.clear()  # quotes never span lines here; an unmatched one must not swallow the rest
    return spans


def _looks_like_name(inner: str) -> bool:
    words = inner.split()
    return (
        0 < len(words) <= 6
        and len(inner) <= 80
        and (inner[0].isupper() or inner[0].isdigit())
        and not re.search(r"[.!?]\s|[.!?]$|,", inner)
    )


@Language.component("zamena_quoted_names")
def quoted_names(doc: Doc) -> Doc:
    """Quoted names after an organisational trigger, and the names listed after the first one."""
    previous_firm_end: int | None = None
    for start, end in outer_quotes(doc.text):
        inner = doc.text[start:end]
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not _looks_like_name(inner):
            previous_firm_end = None
            continue
        sentence_start = span.sent.start
        left = [t for t in doc[max(sentence_start, span.start - 7) : span.start - 1] if not t.is_punct]
        left_lemmas = [t.lemma_.lower() for t in left]
        first_word = inner.split()[0].lower()
        between = doc.text[previous_firm_end : start - 1] if previous_firm_end is not None else None
        name = strip_quotes(inner)
        trigger_token = next((t for t in reversed(left[-2:]) if t.lemma_.lower() in ZONE_TRIGGERS), None)
        zone_trigger = trigger_token.lemma_.lower() if trigger_token is not None else None
        if zone_trigger:
            key = name_key(name)
            written = not (zone_trigger in ZONE_DESCRIPTORS and not key.startswith(zone_trigger))
            if not written:
                name, key = f"{zone_trigger.capitalize()} «{name}»", f"{zone_trigger} {key}"
            begin = trigger_token.i if zone_trigger in ZONE_DESCRIPTORS else span.start
            closing = span.end + 1 if span.end < len(doc) and doc[span.end].text in '»“”"' else span.end
            add_entity(doc, doc[begin:closing], "ZONE", name, key, written)
            previous_firm_end = None
        elif (
            (between is not None and re.fullmatch(r"[»“”\"\s]*(,|и|или|,\s*а также)\s*", between))
            or first_word in ORGANISATIONAL_FORMS
            or set(left_lemmas[-6:]) & FIRM_TRIGGERS
        ):
            if add_entity(doc, span, "FIRM", name, name_key(name)) is not None:
                previous_firm_end = end
        else:
            previous_firm_end = None
    return doc


def _inflect_head_phrase(tokens: list) -> str:
    """'столичного департамента инвестиционной политики' → 'Департамент инвестиционной политики'."""
    words = []
    head_seen = False
    for token in tokens:
        if not head_seen and token.lemma_ in GOVERNMENT_HEADS:
            words.append(token.lemma_)
            head_seen = True
        elif head_seen:
            words.append(token.text)
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@Language.component("zamena_organisations")
def organisations(doc: Doc) -> Doc:
    """Unquoted organisations: competence centres, government bodies, zones named by a bare 'ОЭЗ'."""
    for sent in doc.sents:
        tokens = list(sent)
        for i, token in enumerate(tokens):
            lem = token.lemma_.lower()
            nxt = tokens[i + 1].lemma_.lower() if i + 1 < len(tokens) else ""
            if lem == "центр" and nxt == "компетенция":
                end = i + 2
                # "в сфере импортозамещения" names the centre's field; without it the centre is named elsewhere
                if (
                    end + 2 < len(tokens)
                    and tokens[end].lower_ == "в"
                    and tokens[end + 1].lemma_ in ("сфера", "область")
                ):
                    end += 3
                span = doc[token.i : tokens[end - 1].i + 1]
                field = [t.text for t in span][2:]
                if field:
                    name = " ".join(["Центр", "компетенций", *field])
                    add_entity(doc, span, "CENTRE", name, name_key(name))
                else:
                    add_entity(doc, span, "CENTRE", None, None)
            elif lem in GOVERNMENT_HEADS:
                start = i
                while (
                    start > 0
                    and "ADJF" in str(morph().parse(tokens[start - 1].text)[0].tag)
                    and tokens[start - 1].is_lower
                ):
                    start -= 1
                end = i + 1
                while (
                    end < len(tokens)
                    and (tokens[end].is_lower and tokens[end].is_alpha)
                    and _is_genitive_phrase_word(tokens[end].text)
                ):
                    end += 1
                if end - i < 2:
                    continue
                phrase = tokens[start:end]
                name = _inflect_head_phrase(phrase)
                add_entity(doc, doc[phrase[0].i : phrase[-1].i + 1], "GOV", name, name_key(name))
            elif lem in ("оэз", "технополис", "технопарк") and (
                i + 1 >= len(tokens) or tokens[i + 1].text not in '«„"'
            ):
                if lem == "оэз" or token.is_title:
                    add_entity(doc, doc[token.i : token.i + 1], "ZONE", None, None)
            elif lem == "центр" and token.is_title and token.i > sent.start:
                add_entity(doc, doc[token.i : token.i + 1], "CENTRE", None, None)
    return doc


def _is_genitive_phrase_word(word: str) -> bool:
    if word in ("и", "по", "с"):
        return True
    return any(p.tag.case in ("gent", "datv") or p.tag.POS == "CONJ" for p in morph().parse(word)[:2])


def _parses(word: str) -> list:
    return morph().parse(word)


def _has_tag(word: str, grammeme: str) -> bool:
    return any(grammeme in p.tag for p in _parses(word)[:4])


def _normal(word: str, grammeme: str) -> str:
    for p in _parses(word):
        if grammeme in p.tag:
            return p.normal_form.capitalize()
    return word


@Language.component("zamena_people")
def people(doc: Doc) -> Doc:
    """Personal names by pymorphy3's name tags: Имя Фамилия, Фамилия Имя Отчество, Имя Отчество Фамилия."""
    tokens = list(doc)
    i = 0
    while i < len(tokens) - 1:
        a, b = tokens[i], tokens[i + 1]
        c = tokens[i + 2] if i + 2 < len(tokens) else None
        if not (a.is_title and b.is_title and a.is_alpha and b.is_alpha):
            i += 1
            continue
        given = surname = patronymic = None
        if _has_tag(a.text, "Name") and _has_tag(b.text, "Surn"):
            given, surname, end = a, b, i + 2
        elif _has_tag(a.text, "Name") and _has_tag(b.text, "Patr") and c is not None and _has_tag(c.text, "Surn"):
            given, patronymic, surname, end = a, b, c, i + 3
        elif _has_tag(a.text, "Surn") and _has_tag(b.text, "Name"):
            surname, given, end = a, b, i + 2
            if c is not None and c.is_title and _has_tag(c.text, "Patr"):
                patronymic, end = c, i + 3
        else:
            i += 1
            continue
        first, last = _normal(given.text, "Name"), _normal(surname.text, "Surn")
        span = add_entity(doc, doc[i:end], "PER", f"{first} {last}", f"{first} {last}".lower().replace("ё", "е"))
        if span is not None and patronymic is not None:
            doc.user_data.setdefault("patronymics", {})[span._.zamena_key] = _normal(patronymic.text, "Patr")
        i = end
    return doc


@cache
def build_pipeline() -> Language:
    """The pipeline, built once per process."""
    nlp = spacy.blank("ru")
    nlp.add_pipe("zamena_sentences")
    nlp.add_pipe("lemmatizer", config={"mode": "pymorphy3"})
    nlp.add_pipe("zamena_quoted_names")
    nlp.add_pipe("zamena_organisations")
    nlp.add_pipe("zamena_people")
    nlp.initialize()
    return nlp
