"""The Russian NLP pipeline: one spaCy `Language` of small named components.

blank "ru" tokens → razdel sentences → pymorphy3 lemmas → statistical NER (natasha's news model,
`doc.ents`) → quoted names → gazetteer of known firms → organisations → people → the model's names
not claimed by a rule → aliases in brackets → later mentions of names already found.
Each component adds spans to `doc.spans["entities"]` with a label (FIRM, ORG, ZONE, CENTRE, GOV, PER,
LOC, PRODUCT) and, in Span extensions, the entity's canonical name and identity key. Earlier
components win where spans overlap: rules first, the model for what they leave.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy
import razdel
import spacy
from spacy.attrs import IDX, IS_SPACE, LIKE_NUM, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ingest import gazetteer as gazetteer_module
from ingest import ner as _ner  # noqa: F401 - registers the zamena_ner component
from ingest import syntax as _syntax  # noqa: F401 - registers the zamena_syntax component
from ingest.language_data import (
    CLUSTER_NOUNS,
    FIRM_ACTS,
    FIRM_TRIGGERS,
    GOVERNMENT_HEADS,
    GOVERNMENT_SHORT_NAMES,
    NON_ORGANISATION_TRIGGERS,
    NUMERAL_WORDS,
    PRODUCT_TRIGGERS,
    PRODUCTION_PLACES,
    SITE_TRIGGERS,
    ZONE_DESCRIPTORS,
    ZONE_TRIGGERS,
)
from ingest.morph import lookup_lemma, parse
from ingest.names import ORGANISATIONAL_FORMS, clean, name_key, same_name, strip_quotes, word_forms

if TYPE_CHECKING:
    from pymorphy3.analyzer import Parse

ENTITIES = "entities"

for _attr in ("zamena_name", "zamena_key"):
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, default=None)
# False when the name was put together from a trigger and a quoted word ("технополис «Москва»").
if not Span.has_extension("zamena_written"):
    Span.set_extension("zamena_written", default=True)


# What stands between two names of one list, past the first one's closing quote: «A», «B» и «C», а также «D».
_LIST_BETWEEN = r"[»“”\"\s]*(,|и|или|,\s*а также)\s*"
_TAKEN = "zamena_taken"  # doc.user_data: token bounds of the entities found so far, not to rebuild Spans each time
_TEXT = "zamena_text"  # doc.user_data: the text, which spaCy builds anew from the tokens at each doc.text
_QUOTE_CHARS = '«»„“”"'
_LATIN_NAME = re.compile(r"[A-Z0-9][\w+.-]*")  # a model or brand name in Latin letters: "EVM", "PRO", "3Com"


def add_entity(
    doc: Doc, span: Span, label: str, name: str | None, key: str | None, written: bool = True
) -> Span | None:
    """Add an entity span unless it overlaps one already found (earlier components win)."""
    group = doc.spans[ENTITIES]
    taken = doc.user_data.get(_TAKEN)
    if taken is None or len(taken) != len(group):  # the group was set from elsewhere: read it again
        taken = doc.user_data[_TAKEN] = [(other.start, other.end) for other in group]
    for start, end in taken:
        if span.start < end and start < span.end:
            return None
    entity = Span(doc, span.start, span.end, label=label)
    entity._.zamena_name = name
    entity._.zamena_key = key
    entity._.zamena_written = written
    group.append(entity)
    taken.append((span.start, span.end))
    return entity


# «до 70 тыс. БМКП в год»: a multiplier's abbreviation is followed by what it counts, and an acronym
# after it goes on the sentence (razdel takes the capital for a new one).
_MULTIPLIER_THEN_ACRONYM = re.compile(r"(?:тыс|млн|млрд)\.[ \t]+$")
_ACRONYM = re.compile(r"[A-ZА-ЯЁ]{2,}\b")


def _counted_after_multiplier(text: str, start: int) -> bool:
    return bool(_MULTIPLIER_THEN_ACRONYM.search(text[max(0, start - 8) : start])) and bool(_ACRONYM.match(text, start))


@Language.component("zamena_sentences")
def sentences(doc: Doc) -> Doc:
    """Sentence starts from razdel, and at every line break (headlines and bylines have no full stop)."""
    text = doc.text
    doc.user_data[_TEXT] = text
    starts = {s.start for s in razdel.sentenize(text) if not _counted_after_multiplier(text, s.start)}
    if len(doc):
        # read and written as arrays: a Token object per token and attribute costs more than the rule
        offsets = [int(offset) for offset in doc.to_array(IDX)] + [len(text)]
        spaces = doc.to_array(IS_SPACE)
        flags = numpy.empty(len(doc), dtype="int32")
        after_newline = False
        for i in range(len(doc)):
            newline = "\n" in text[offsets[i] : offsets[i + 1]]  # in the token or the space after it
            if spaces[i]:
                flags[i] = 1 if i == 0 or newline else -1
            else:
                flags[i] = 1 if i == 0 or offsets[i] in starts or after_newline else -1
            after_newline = newline
        doc.from_array([SENT_START], flags.astype("uint64"))
    doc.spans.setdefault(ENTITIES, [])
    return doc


def text_of(doc: Doc) -> str:
    """The text of a Doc, read once per document."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


@Language.component("zamena_lemmas")
def lemmatize(doc: Doc) -> Doc:
    """pymorphy3's lemma of each token, as spaCy's pymorphy3 lemmatizer gives it to a token with no part of
    speech (none has one yet: the parser runs last). It depends on the text alone, so each word form is
    looked up once (`lookup_lemma` caches), through the analyser the rules share."""
    for token in doc:
        if token.lemma == 0:
            token.lemma_ = lookup_lemma(token.text)
    return doc


def window_start(doc: Doc, i: int, size: int) -> int:
    """The first of the `size` tokens before token `i`, or its sentence's first token if that comes later."""
    floor = max(0, i - size)
    while i > floor and not doc[i].is_sent_start:
        i -= 1
    return i


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


_WORD_AT_END = re.compile(r"([\w-]+)[\s«„“\"]*$")


def word_lemma(word: str) -> str:
    """pymorphy3's dictionary form of one word, lowercase, ё as е."""
    return parse(word.lower())[0].normal_form.replace("ё", "е")


def word_before(text: str, end: int) -> str:
    """The word right before `end`, past spaces and opening quotes; hyphenated words whole ("бизнес-центра")."""
    found = _WORD_AT_END.search(text, max(0, end - 40), end)
    return found.group(1) if found else ""


def lemma_before(text: str, end: int) -> str:
    """The dictionary form of the word right before `end`: "бизнес-центра «" → бизнес-центр."""
    word = word_before(text, end)
    return word_lemma(word) if word else ""


def names_an_owner(text: str, start: int, name: str) -> bool:
    """'станция «Водоканала»', 'балета Большого театра', 'жюри «Новой волны»': a name in the genitive after a noun
    names whom the noun belongs to, not the thing itself, which keeps its name in the nominative
    ('на корабле «Союз»', 'станции «Мир»')."""
    first = next(iter(re.findall(r"[А-Яа-яЁё]+", name)), None)
    if first is None or any(p.tag.case == "nomn" for p in parse(first)):
        return False
    if not any(p.tag.case == "gent" for p in parse(first)):
        return False
    before = word_before(text, start)
    return bool(before) and parse(before.lower())[0].tag.POS == "NOUN"


def names_no_organisation(text: str, start: int, name: str) -> bool:
    """Whether the word before a name at `start` says it is a craft's, a building's, a work's or an event's."""
    return lemma_before(text, start) in NON_ORGANISATION_TRIGGERS and not names_an_owner(text, start, name)


@Language.component("zamena_quoted_names")
def quoted_names(doc: Doc) -> Doc:
    """Quoted names after an organisational trigger, and the names listed after the first one.

    The word right before the opening quote decides first: "спектакль «Большой город»" names no organisation
    whatever firm word stands further left."""
    previous_firm_end: int | None = None
    previous_other_end: int | None = None  # end of the last name that is no organisation's, for its list
    text = text_of(doc)
    for start, end in outer_quotes(text):
        inner = text[start:end]
        span = doc.char_span(start, end, alignment_mode="expand")
        listed_after_other = previous_other_end is not None and bool(
            # "шаттлы «Индевор» (в конце апреля) и «Атлантис»": a remark in brackets does not end the list
            re.fullmatch(r"[»“”\"\s]*(\([^()\n]*\)\s*)?(,|и|или)\s*", text[previous_other_end : start - 1])
        )
        previous_other_end = None
        if span is None or not _looks_like_name(inner):
            previous_firm_end = None
            continue
        left = [t for t in doc[window_start(doc, span.start, 7) : span.start - 1] if not t.is_punct]
        left_lemmas = [t.lemma_.lower() for t in left]
        first_word = inner.split()[0].lower()
        between = text[previous_firm_end : start - 1] if previous_firm_end is not None else None
        name = strip_quotes(inner)
        # "«Хирана+» — производитель …": a firm word right after the name, past a dash or comma
        after = [t for t in doc[span.end : min(len(doc), span.end + 4)] if not (t.is_punct or t.is_space)]
        firm_after = (
            bool(after)
            and after[0].lemma_.lower() in FIRM_TRIGGERS
            and after[0].i <= span.end + 3
            # past a dash or comma: «Хирана+» — производитель; «Инновационного центра» компании «СовЭлМаш»
            # names the firm's building, its owner right after it
            and any(t.text in ("—", "–", "-", ",") for t in doc[span.end : after[0].i])
        )
        # the nearest trigger decides: "резидент технопарка компания «Гамма»" names a firm
        nearest_is_firm = bool(left_lemmas) and left_lemmas[-1] in FIRM_TRIGGERS
        trigger_token = next((t for t in reversed(left[-2:]) if t.lemma_.lower() in ZONE_TRIGGERS), None)
        if nearest_is_firm:
            trigger_token = None
        zone_trigger = trigger_token.lemma_.lower() if trigger_token is not None else None
        own_word = word_lemma(first_word)
        if not zone_trigger and own_word in ZONE_DESCRIPTORS and len(inner.split()) > 1:
            # «Технополиса «Москва»»: the kind's word is written inside the quotes, in any case
            rest = strip_quotes(inner.split(None, 1)[1])
            name, key = f"{own_word.capitalize()} „{rest}“", f"{own_word} {name_key(rest)}"
            add_entity(doc, span, "ZONE", name, key, False)
            previous_firm_end = None
        elif zone_trigger:
            key = name_key(name)
            written = not (zone_trigger in ZONE_DESCRIPTORS and not key.startswith(zone_trigger))
            if not written:
                # as the whole name is written inside «…»: Технополис „Москва“, one label for every document
                name, key = f"{zone_trigger.capitalize()} „{name}“", f"{zone_trigger} {key}"
            begin = trigger_token.i if zone_trigger in ZONE_DESCRIPTORS else span.start
            # the closing quote belongs to the mention only when the opening one does ("технополиса «Москва»")
            quoted = begin < span.start and span.end < len(doc) and doc[span.end].text in '»“”"'
            closing = span.end + 1 if quoted else span.end
            add_entity(doc, doc[begin:closing], "ZONE", name, key, written)
            previous_firm_end = None
        elif listed_after_other or names_no_organisation(text, start - 1, name):
            add_entity(doc, span, "MISC", name, name_key(name))
            previous_firm_end, previous_other_end = None, end
        elif _cluster_before(left, span):
            add_entity(doc, span, "CLUSTER", name, name_key(name))
            previous_firm_end = None
        elif left and left[-1].i == span.start - 2 and left_lemmas[-1] in PRODUCT_TRIGGERS:
            add_entity(doc, span, "PRODUCT", name, name_key(name))
            previous_firm_end = None
        elif left and left[-1].i == span.start - 2 and left_lemmas[-1] in SITE_TRIGGERS:
            # «на площадке «Алабушево»», «индустриального парка «Руднево»»: a site, whatever firm is near
            add_entity(doc, span, "LOC", name, name_key(name))
            previous_firm_end = None
        elif (
            (between is not None and re.fullmatch(_LIST_BETWEEN, between))
            or first_word in ORGANISATIONAL_FORMS
            or set(_since_last_verb(left, left_lemmas)[-6:]) & FIRM_TRIGGERS
            or firm_after
            or _firm_subject_first(doc, span, left)
        ):
            if add_entity(doc, span, "FIRM", name, name_key(name)) is not None:
                previous_firm_end = end
        else:
            previous_firm_end = None
    return doc


def _since_last_verb(left: list, left_lemmas: list[str]) -> list[str]:
    """The lemmas after the last finite verb: «Завод «Кварц» выпустил анализатор «Спектр-5»» — the firm's
    word is the subject's, and the name after the verb is the product's model."""
    for i in range(len(left) - 1, -1, -1):
        if left[i].is_lower and all("VERB" in p.tag for p in parse(left[i].text)[:2]):
            return left_lemmas[i + 1 :]
    return left_lemmas


def _firm_subject_first(doc: Doc, span: Span, left: list) -> bool:
    """«„Фотонные решения“ является участником кластера …», «Ижевская «Точмех» вошла в состав …»: a name
    that opens the sentence (a place's adjective at most before it) and is the subject of what only a firm
    does — makes, supplies, joins, or is a maker, member or resident."""
    # the tagger has not run yet: the dictionary says what a word may be
    if len(left) > 1 or (left and not (left[0].is_title and _has_tag(left[0].text, "ADJF"))):
        return False
    following = list(doc[span.end : min(len(doc), span.end + 10)])
    while following and following[0].text in _QUOTE_CHARS:
        following.pop(0)
    if following and following[0].text == "(":  # «„ТермоЛайн“ (Владимирская область) наладила …»
        closing = next((i for i, t in enumerate(following) if t.text == ")"), None)
        following = following[closing + 1 :] if closing is not None else []
    after = [t for t in following if not (t.is_punct or t.is_space)]
    if not after or not _has_tag(after[0].text.lower(), "VERB"):
        return False
    lemma = after[0].lemma_.lower()
    if lemma in ("являться", "стать"):
        return len(after) > 1 and after[1].lemma_.lower() in FIRM_TRIGGERS
    return lemma in FIRM_ACTS


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
            elif lem in GOVERNMENT_SHORT_NAMES and not token.is_lower:  # «согласовано Минпромторгом»
                add_entity(doc, doc[token.i : token.i + 1], "GOV", lem.capitalize(), lem)
            elif lem in GOVERNMENT_HEADS and lem != "правительство":  # "правительства премьера" is no body's name
                start = i
                while start > 0 and "ADJF" in str(parse(tokens[start - 1].text)[0].tag) and tokens[start - 1].is_lower:
                    start -= 1
                end = _genitive_tail_end(tokens, i)
                if end - i < 2:
                    continue
                phrase = tokens[start:end]
                name = _inflect_head_phrase(phrase)
                add_entity(doc, doc[phrase[0].i : phrase[-1].i + 1], "GOV", name, name_key(name))
            elif lem in CLUSTER_NOUNS and not _quoted_name_follows(tokens, i):
                # «кластер электромобилестроения»: a body of firms named by its field; written with a capital
                # in running text it is the body's own name: «вступило в Ассоциацию производителей кабельной
                # продукции», «член Союза машиностроителей Урала»
                end = _genitive_tail_end(tokens, i, joiners=("и",))
                named = token.is_title and i > 0
                if named and end < len(tokens) and tokens[end].is_title and _has_tag(tokens[end].text, "Geox"):
                    end += 1  # «… машиностроителей Урала»: the region ends the name
                if end - i >= 2 and (token.is_lower or i == 0 or named):
                    head = lem.capitalize() if named or i == 0 and token.is_title else token.lemma_
                    name = " ".join([head, *(t.text for t in tokens[i + 1 : end])])
                    add_entity(doc, doc[token.i : tokens[end - 1].i + 1], "CLUSTER", name, name_key(name))
            elif lem in ("оэз", "технополис", "технопарк") and (
                i + 1 >= len(tokens) or tokens[i + 1].text not in '«„"'
            ):
                if lem == "оэз" or token.is_title:
                    add_entity(doc, doc[token.i : token.i + 1], "ZONE", None, None)
            elif lem == "центр" and token.is_title and token.i > sent.start and not _name_goes_on(tokens, i + 1):
                add_entity(doc, doc[token.i : token.i + 1], "CENTRE", None, None)
    return doc


def _genitive_tail_end(tokens: list, i: int, joiners: tuple[str, ...] = ("и", "по", "с")) -> int:
    """The end of the lower-case genitive phrase after a head word: «департамента инвестиционной политики»,
    «кластера станкостроения и робототехники»; it ends on a noun, not on a joiner or an adjective."""
    end = i + 1
    while end < len(tokens) and tokens[end].is_lower and tokens[end].is_alpha:
        word = tokens[end].text
        if not (word in joiners or (word not in ("по", "с") and _is_genitive_phrase_word(word))):
            break
        end += 1
    while end > i + 1 and (tokens[end - 1].text in joiners or parse(tokens[end - 1].text)[0].tag.POS != "NOUN"):
        end -= 1
    return end


def _quoted_name_follows(tokens: list, i: int) -> bool:
    """«кластер фотоники «Световод»»: the quoted name after the phrase is the body's name."""
    end = _genitive_tail_end(tokens, i, joiners=("и",))
    return end < len(tokens) and tokens[end].text in _QUOTE_CHARS


DASHES = {"—", "–", "-"}


def _cluster_before(left: list, span: Span) -> bool:
    """A quoted name that a cluster's word governs: «кластеру разработчиков искусственного интеллекта «…»».
    Walking left over the lower-case words of its description, a cluster word comes before a firm's word.
    A dash between them opens an apposition to something else: «второй завод кластера — «Инэсис»»."""
    for token in reversed(left[-6:]):
        lem = token.lemma_.lower()
        if lem in CLUSTER_NOUNS:
            return not any(t.text in DASHES for t in span.doc[token.i + 1 : span.start])
        if (
            lem in ORGANISATIONAL_FORMS
            or lem in ("компания", "фирма", "предприятие", "завод", "холдинг")
            or not token.is_lower
        ):
            return False
    return False


def _name_goes_on(tokens: list, i: int) -> bool:
    """'Центра управления полётом': a noun in the genitive after the head word makes it another centre's name."""
    if i >= len(tokens) or not (tokens[i].is_lower and tokens[i].is_alpha):
        return False
    best = parse(tokens[i].text)[0].tag
    return best.POS == "NOUN" and best.case == "gent"


def _is_genitive_phrase_word(word: str) -> bool:
    if word in ("и", "по", "с"):
        return True
    return any(p.tag.case in ("gent", "datv") or p.tag.POS == "CONJ" for p in parse(word)[:2])


def _has_tag(word: str, grammeme: str) -> bool:
    return any(grammeme in p.tag for p in parse(word)[:4])


def _normal(word: str, grammeme: str) -> str:
    for p in parse(word):
        if grammeme in p.tag:
            return p.normal_form.capitalize()
    return word


def nominative_name(parts: list[tuple[str, str]]) -> list[str]:
    """A person's name in the nominative, its gender kept: the words' (text, "Name" | "Patr" | "Surn").

    The gender and case are the ones all the words' parses share («Людмиле Зайцевой»: feminine, dative →
    «Людмила Зайцева»; «Сергея Кузнецова» → «Сергей Кузнецов»), the nominative first; pymorphy3's
    normal form alone would make every surname masculine. A word with no such parse («Черных») stays."""
    options: list[set[tuple[str, str]]] = []
    written = [word for word, _ in parts]
    parts = [(word.replace("ё", "е").replace("Ё", "Е"), grammeme) for word, grammeme in parts]  # the dictionary's е
    for word, grammeme in parts:
        found = {(p.tag.gender, p.tag.case) for p in _name_parses(word, grammeme)}
        if found:
            options.append(found)
    shared = set.intersection(*options) if options else set()
    if not shared:
        return [_yo_as_written(w, _normal(word, grammeme)) for w, (word, grammeme) in zip(written, parts, strict=True)]
    # the likeliest reading of the first word when the others allow it («Дмитрия»: a man's genitive, not a
    # woman's nominative), else the nominative
    likeliest = next(((p.tag.gender, p.tag.case) for p in _name_parses(*parts[0])), None)
    nominative = next((pair for pair in shared if pair[1] == "nomn"), None)
    gender, case = likeliest if likeliest in shared else nominative or sorted(shared)[0]
    names = []
    for word, grammeme in parts:
        analysis = next(
            (p for p in _name_parses(word, grammeme) if p.tag.gender == gender and p.tag.case == case), None
        )
        inflected = analysis.inflect({"nomn", "sing"}) if analysis is not None else None
        names.append(inflected.word.capitalize() if inflected is not None else word)
    return [_yo_as_written(w, name) for w, name in zip(written, names, strict=True)]


def _name_parses(word: str, grammeme: str) -> list[Parse]:
    """The parses of a name word with a gender; a surname declined as an adjective («Бережной», «Толстого»)
    has no surname parse, so its adjective parses stand in."""
    named = [p for p in parse(word) if grammeme in p.tag and p.tag.gender]
    if named or grammeme != "Surn" or not word[:1].isupper():
        return named
    return [p for p in parse(word) if p.tag.POS == "ADJF" and p.tag.gender]


def _yo_as_written(written: str, name: str) -> str:
    """«Карасёва» → «Карасёв», not «Карасев»: the ё the text wrote is kept where the form keeps its letters."""
    return "".join(
        w if w in "ёЁ" and i < len(name) and name[i] in "еЕ" else c
        for i, (c, w) in enumerate(zip(name, written.ljust(len(name))[: len(name)], strict=True))
    )


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
        first, last = nominative_name([(given.text, "Name"), (surname.text, "Surn")])
        span = add_entity(doc, doc[i:end], "PER", f"{first} {last}", f"{first} {last}".lower().replace("ё", "е"))
        if span is not None and patronymic is not None:
            words = [(given.text, "Name"), (patronymic.text, "Patr"), (surname.text, "Surn")]
            doc.user_data.setdefault("patronymics", {})[span._.zamena_key] = nominative_name(words)[1]
        i = end
    return doc


class KnownFirms:
    """Mentions of firms already in the graph, found through the gazetteer's index of their names."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.index = gazetteer_module.NameIndex(lambda text: [t.text for t in nlp.make_doc(text)])

    def use(self, gazetteer: gazetteer_module.Gazetteer | None) -> None:
        """Look for `gazetteer`'s firms, those it gains later included (each call catches up); None: none."""
        self.index.follow(gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        gazetteer = self.index.gazetteer
        if gazetteer is None:
            return doc
        matches = self.index.find([t.text for t in doc])
        found = [Span(doc, start, end, label="FIRM", span_id=key) for start, end, key in matches]
        for span in filter_spans(found):
            firm = gazetteer.firms[span.id_]
            if _common_word_of_a_name(span, firm.names):
                continue
            if not _starts_a_model_name(doc, span):
                # the name as this text writes it (an alias, say), so that the document's graph records
                # it whether or not the firm was known already: the result must not depend on ingest order
                as_written = strip_quotes(span.text)
                exact = next((n for n in firm.names if n == as_written), None)  # «(Imbian Lab)» is not «Имбиан Лаб»
                written = exact or next((n for n in firm.names if same_name(span.text, n)), firm.name)
                add_entity(doc, span, "FIRM", written, firm.key)
        return doc


def _common_word_of_a_name(span: Span, names: list[str]) -> bool:
    """«будет выпускать импланты»: a word written small is the common noun, not the firm «Имплант» (nor
    «сенсоры» «Сенсор», «мира» «Мир»), unless the firm writes its own name small."""
    return span.text[:1].islower() and not any(name[:1].islower() for name in names)


def _starts_a_model_name(doc: Doc, span: Span) -> bool:
    """'электрогрузовик EVM PRO': a firm's name that begins a product's model name is the product's."""
    if span.start == 0 or span.end >= len(doc):
        return False
    return doc[span.start - 1].lemma_.lower() in PRODUCT_TRIGGERS and bool(_LATIN_NAME.fullmatch(doc[span.end].text))


@Language.factory(gazetteer_module.PIPE_NAME)
def make_known_firms(nlp: Language, name: str) -> KnownFirms:
    return KnownFirms(nlp, name)


def nominative(tokens: list) -> str:
    """A name as written, with its leading words put back in the nominative: Европейского союза → Европейский союз."""
    # a space where the text has a gap: whitespace, or a quote the caller left out
    spaces = [" " if b.idx > a.idx + len(a.text) else "" for a, b in zip(tokens, tokens[1:], strict=False)] + [""]
    return _nominative(tuple(t.text for t in tokens), tuple(spaces))


@lru_cache(maxsize=100_000)
def _nominative(written: tuple[str, ...], spaces: tuple[str, ...]) -> str:
    words = list(written)
    # the first word that inflects: «Научно-производственного …» is read by its «производственного»
    lead = next((i for i, w in enumerate(words) if not _compound_part(words, i, spaces)), 0) if words else 0
    first = parse(words[lead])[0] if words and words[lead].isalpha() else None
    case = first.tag.case if first is not None else None
    # a first word that may be a singular nominative is written so («Ангстрем», not «Ангстремы»)
    as_written = bool(words) and any(p.tag.case == "nomn" and p.tag.number == "sing" for p in parse(words[lead]))
    # a word the dictionary does not know, guessed as a plural, is a name as written («Геотерм-…»)
    as_written = as_written or (first is not None and not first.is_known and first.tag.number == "plur")
    if case and case != "nomn" and not as_written:
        head = _head_noun(words, case)
        for i, word in enumerate(words):
            if _compound_part(words, i, spaces):
                continue  # «инновационно-технологического»: the compound inflects in its last part
            in_case = [p for p in parse(word) if p.tag.case == case]
            analysis = in_case[0] if in_case else None
            if analysis is not None and head is not None and analysis.tag.POS != "NOUN":
                # an adjective takes its noun's gender and number: Большого театра → Большой, not Большое
                analysis = next((p for p in in_case if _agrees(p, head)), analysis)
            if analysis is None or analysis.tag.POS not in ("NOUN", "ADJF", "PRTF"):
                break
            inflected = analysis.inflect({"nomn"})
            if inflected is not None:
                form = inflected.word
                words[i] = form.upper() if word.isupper() else form.capitalize() if word[:1].isupper() else form
            if analysis.tag.POS == "NOUN":
                break
    elif as_written and len(words) >= 3 and words[-2] == "-" and not spaces[-3] and not spaces[-2]:
        words[-1] = _tail_nominative(words[-1])
    # the spaces as written: «Технополис „Москва“» keeps its quotes tight
    return clean("".join(word + space for word, space in zip(words, spaces, strict=True)))


def _tail_nominative(word: str) -> str:
    """«Полимер-Строя» → «Полимер-Строй»: the last part of a hyphenated name inflects when the first does
    not; only a form that cannot be a nominative is changed («Электроники» may be a plural's, and stays)."""
    nouns = [p for p in parse(word) if p.tag.POS == "NOUN"]
    if not word[:1].isupper() or not nouns or not nouns[0].is_known or any(p.tag.case == "nomn" for p in nouns):
        return word
    inflected = nouns[0].inflect({"nomn"})
    return inflected.word.capitalize() if inflected is not None else word


def _compound_part(words: list[str] | tuple[str, ...], i: int, spaces: tuple[str, ...] | None = None) -> bool:
    """A hyphen, or the first part of a hyphenated common word written tight («инновационно» of
    «инновационно-технологического»); in «Ангстрема-Т» the first part is the one that inflects."""
    tight = spaces is None or not spaces[i]
    joined = i + 2 < len(words) and words[i + 1] == "-" and tight and words[i + 2].islower()
    return joined or (words[i] == "-" and 0 < i < len(words) - 1 and words[i + 1].islower())


def _head_noun(words: list[str], case: str) -> Parse | None:
    """The noun that ends a name's leading adjectives, in the case of the first word, or None."""
    for i, word in enumerate(words):
        if _compound_part(words, i):
            continue
        in_case = [p for p in parse(word) if p.tag.case == case]
        if in_case and in_case[0].tag.POS in ("ADJF", "PRTF"):
            continue  # read as an adjective first, as the caller does ("Старом городе")
        return next((p for p in in_case if p.tag.POS == "NOUN"), None)
    return None


def _agrees(adjective: Parse, noun: Parse) -> bool:
    if adjective.tag.POS not in ("ADJF", "PRTF") or adjective.tag.number != noun.tag.number:
        return False
    return noun.tag.number == "plur" or adjective.tag.gender == noun.tag.gender


def _model_name_parts(doc: Doc, span: Span, full_text: str) -> list[tuple[int, int]]:
    """The names inside one model span: 'ОАО «Газпром»' → Газпром; 'Союз … советов (СКС)' → both."""
    text = full_text[span.start_char : span.end_char]
    parts = []
    for match in re.finditer(r"[^()]+", text):
        start, end = span.start_char + match.start(), span.start_char + match.end()
        piece = full_text[start:end]
        quoted = re.search(r"[«„“\"]", piece)
        if quoted:
            before = piece[: quoted.start()].split()
            # 'ОАО «Газпром»', 'РИА «Новости»': a form or an abbreviation before the quote is not the name
            if before and all(w.lower() in ORGANISATIONAL_FORMS or w.isupper() for w in before):
                start += quoted.start()
        while start < end and (full_text[start].isspace() or full_text[start] in _QUOTE_CHARS + ",;:-"):
            start += 1
        while end > start and (full_text[end - 1].isspace() or full_text[end - 1] in _QUOTE_CHARS + ",;:-"):
            end -= 1
        # a nested quote opened inside the name closes inside it too: Технополис „Москва“
        inner = full_text[start:end]
        if inner.count("„") > inner.count("“") and full_text[end : end + 1] == "“":
            end += 1
        if end > start:
            parts.append((start, end))
    return parts


def _closed_quotes(name: str) -> str:
    """A name with the quotes it opens closed: 'Русская служба «Голоса Америки' → … «Голоса Америки»."""
    for opener, closer in (("„", "“"), ("«", "»")):
        name += closer * max(0, name.count(opener) - name.count(closer))
    return name


def _person_name(tokens: list) -> tuple[str, str]:
    """Name and key of a person the model found: Имя Фамилия in the nominative where pymorphy3 knows them."""
    words = [t.text for t in tokens if t.is_alpha]
    if not words:
        return "", ""
    if len(words) == 1:
        wanted = ["Surn"]
    else:
        wanted = ["Name", *["Patr"] * (len(words) - 2), "Surn"]
    normal = zip(nominative_name(list(zip(words, wanted, strict=True))), wanted, strict=True)
    name = " ".join(word for word, grammeme in normal if grammeme != "Patr")
    return name, name.lower().replace("ё", "е")


def _names_no_organisation(ent: Span, text: str, other_names: list[str]) -> bool:
    """Whether a name the model calls an organisation names a craft, a building, a work or an event instead:
    after such a word ("телескопа Хаббл"), headed by one ("Вашингтонском аэропорту"), or named so earlier
    or later in the document ("шаттл «Дискавери»" … "после «Дискавери»": one name, one sense).

    It extends `names_no_organisation`, the quoted-name rule's test; the two stay apart so that
    `bench.ner_eval --halves` can switch off each filter on its own."""
    name = strip_quotes(ent.text)
    if names_no_organisation(text, ent.start_char, name):
        return True
    head = next((t for t in ent if t.is_alpha and parse(t.text)[0].tag.POS == "NOUN"), None)
    if head is not None and head.is_lower and word_lemma(head.text) in NON_ORGANISATION_TRIGGERS:
        return True
    if names_an_owner(text, ent.start_char, name):
        return False
    return any(same_name(name, other) for other in other_names)


def _only_forms(span: Span) -> bool:
    """'ПАО', 'ООО': an organisational form standing alone names no organisation (here, a module of a craft)."""
    words = [t.lower_ for t in span if not (t.is_punct or t.is_space)]
    return bool(words) and all(word in ORGANISATIONAL_FORMS for word in words)


# Words for a plant: a phrase of common words ending in one describes a plant, it does not name a firm.
PLANT_WORDS = PRODUCTION_PLACES | {"комплекс", "фармкомплекс", "фармзавод", "центр", "корпус", "технопарк"}
# Tags pymorphy3 gives proper names: a word with one of them may be (part of) an organisation's name.
_NAME_TAGS = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "UNKN", "LATN"}


def _common_phrase(span: Span) -> bool:
    """«Новый фармкомплекс рассчитан на …», «в мире»: words of the dictionary, none a proper name, no quotes
    and nothing capitalised but the sentence's first word — a phrase the model took for a name."""
    words = [t for t in span if not (t.is_punct or t.is_space)]
    if not words or any(t.text in _QUOTE_CHARS for t in span):
        return False
    if any(not t.is_alpha or (i and not t.is_lower) for i, t in enumerate(words)):
        return False
    # A capitalised phrase of common words may well be a name («Российские железные дороги»), unless it
    # ends in a word for a plant («Новый фармкомплекс», «Зеленоградский завод»); a lower-case one is none.
    if not words[0].is_lower and not (
        len(words) >= 2 and words[0].is_sent_start and lookup_lemma(words[-1].text) in PLANT_WORDS
    ):
        return False
    for token in words:
        found = parse(token.text)
        if not found or not found[0].is_known or set(found[0].tag.grammemes) & _NAME_TAGS:
            return False
    return True


@Language.component("zamena_model_entities")
def model_entities(doc: Doc) -> Doc:
    """The statistical model's names that no rule claimed: organisations, people, places."""
    text = text_of(doc)
    other_names = [s._.zamena_name for s in doc.spans[ENTITIES] if s.label_ == "MISC" and s._.zamena_name]
    for ent in doc.ents:
        if ent.label_ == "ORG":
            if _common_phrase(ent):
                continue
            if _names_no_organisation(ent, text, other_names):
                name = nominative([t for t in ent if t.text not in _QUOTE_CHARS] or list(ent))
                if add_entity(doc, ent, "MISC", name, name_key(name)) is not None:
                    other_names.append(name)
                continue
            left = [t.lemma_.lower() for t in doc[window_start(doc, ent.start, 3) : ent.start]]
            first = ent[0].text.lower()
            label = "FIRM" if first in ORGANISATIONAL_FORMS or set(left) & FIRM_TRIGGERS else "ORG"
            main_key = None
            for start, end in _model_name_parts(doc, ent, text):
                span = doc.char_span(start, end, alignment_mode="contract")
                if span is None or len(span) == 0 or _only_forms(span):
                    continue
                name = _closed_quotes(nominative(list(span)) if label == "ORG" else span.text)
                # 'Комитет защиты журналистов (КЗЖ)': the name in brackets is the same organisation's
                added = add_entity(doc, span, label, name, main_key or name_key(name), main_key is None)
                if added is not None and main_key is None:
                    main_key = added._.zamena_key
        elif ent.label_ == "PER":
            name, key = _person_name(list(ent))
            if name:
                add_entity(doc, ent, "PER", name, key)
        elif ent.label_ == "LOC":
            name = nominative(list(ent))
            add_entity(doc, ent, "LOC", name, name_key(name))
    return doc


def _governed_by_firm_word(doc: Doc, i: int) -> bool:
    """'производителя сетевого оборудования 3Com': a product word in the genitive of a firm's word
    (adjectives between) describes the firm, and the name after it is the firm's."""
    j = i - 1
    while j >= max(0, i - 3) and parse(doc[j].text)[0].tag.POS in ("ADJF", "PRTF"):
        j -= 1
    return j >= 0 and doc[j].lemma_.lower() in FIRM_TRIGGERS and parse(doc[i].text)[0].tag.case == "gent"


@Language.component("zamena_product_names")
def product_names(doc: Doc) -> Doc:
    """'электрогрузовик EVM PRO': a Latin model name after a word for a product."""
    i = 0
    while i < len(doc) - 1:
        if (
            doc[i].lemma_.lower() in PRODUCT_TRIGGERS
            and _LATIN_NAME.fullmatch(doc[i + 1].text)
            and not _governed_by_firm_word(doc, i)
        ):
            end = i + 2
            while end < len(doc) and end - i <= 4 and _LATIN_NAME.fullmatch(doc[end].text):
                end += 1
            name = doc[i + 1 : end].text
            add_entity(doc, doc[i + 1 : end], "PRODUCT", name, name_key(name))
            i = end
        else:
            i += 1
    return doc


@Language.component("zamena_bracketed_aliases")
def bracketed_aliases(doc: Doc) -> Doc:
    """'«Электромобили Мануфэкчуринг Рус» (EVM)': the short name in brackets is the same organisation's."""
    for entity in list(doc.spans[ENTITIES]):
        if entity.label_ not in ("FIRM", "ORG") or not entity._.zamena_key:
            continue
        i = entity.end
        while i < len(doc) and doc[i].text in _QUOTE_CHARS:
            i += 1
        if i >= len(doc) or doc[i].text != "(":
            continue
        close = next((j for j in range(i + 1, min(i + 6, len(doc))) if doc[j].text == ")"), None)
        if close is None or close == i + 1:
            continue
        inner = doc[i + 1 : close]
        if not inner.text[:1].isupper() or any(t.is_punct and t.text not in "-&+" for t in inner):
            continue
        alias = add_entity(doc, inner, entity.label_, inner.text, entity._.zamena_key)
        if alias is not None:
            alias._.zamena_written = False  # the entity keeps its full name
    return doc


_LIST_JOINER = re.compile(_LIST_BETWEEN + r"[«„\"]*")  # from a quoted name's end to the next one's start


@Language.component("zamena_listed_names")
def listed_names(doc: Doc) -> Doc:
    """«стали «A», «B» и «C»»: a quoted name no rule claimed, listed right next to a quoted firm or
    organisation, names one of the same kind (the model often finds all but the first of a list)."""
    text = text_of(doc)
    quotes = [(start, end) for start, end in outer_quotes(text) if _looks_like_name(text[start:end])]
    for _ in range(2):  # a second round reaches a name two places from the one found
        added = False
        organisations = {
            (entity.start_char, entity.end_char): entity
            for entity in doc.spans[ENTITIES]
            if entity.label_ in ("FIRM", "ORG")
        }
        for i, (start, end) in enumerate(quotes):
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue  # a name some entity already covers is refused by add_entity
            neighbours = [quotes[j] for j in (i - 1, i + 1) if 0 <= j < len(quotes)]
            for other_start, other_end in neighbours:
                between = text[end:other_start] if other_start > end else text[other_end:start]
                other = next((e for (s, t), e in organisations.items() if s < other_end and other_start < t), None)
                if other is not None and _LIST_JOINER.fullmatch(between):
                    name = strip_quotes(text[start:end])
                    added = add_entity(doc, span, other.label_, name, name_key(name)) is not None or added
                    break
        if not added:
            break
    return doc


@Language.component("zamena_document_names")
def document_names(doc: Doc) -> Doc:
    """Later mentions of an organisation already found in the document, in any case: «Профотеком»."""
    matcher = Matcher(doc.vocab)
    found: dict[str, Span] = {}
    for entity in doc.spans[ENTITIES]:
        if entity.label_ not in ("FIRM", "ORG") or not entity._.zamena_key or not entity.text[:1].isupper():
            continue
        words = [t for t in entity if t.text not in _QUOTE_CHARS]
        if not words or (len(words) == 1 and (len(words[0].text) < 2 or entity.label_ == "ORG")):
            continue  # one word the model called an organisation is too often a ship, a station or a brand
        ref = f"{len(found)}"
        found[ref] = entity
        if words[0].text.isupper():  # an abbreviation: exactly as written
            pattern = [{"ORTH": t.text} for t in words]
        else:
            pattern = [{"LOWER": {"IN": sorted(word_forms(t.text))}} for t in words]
        matcher.add(ref, [pattern])
    if not found:
        return doc
    matches = [(doc.vocab.strings[m], s, e) for m, s, e in matcher(doc)]
    for ref, start, end in sorted(matches, key=lambda m: (m[1], -(m[2] - m[1]))):
        entity, span = found[ref], doc[start:end]
        if span.text[:1].isupper():
            mention = add_entity(doc, span, entity.label_, entity._.zamena_name, entity._.zamena_key)
            if mention is not None:
                mention._.zamena_written = False
    return doc


def like_num(text: str) -> bool:
    """spaCy's Russian `like_num`, with its number words in a set: it is computed for every new word, and
    spaCy keeps those words in a list of about 900 it searches one by one."""
    if text.startswith(("+", "-", "±", "~")):
        text = text[1:]
    if text.endswith("%"):
        text = text[:-1]
    text = text.replace(",", "").replace(".", "")
    if text.isdigit():
        return True
    if text.count("/") == 1:
        num, denom = text.split("/")
        if num.isdigit() and denom.isdigit():
            return True
    return text.lower() in NUMERAL_WORDS


def words(text: str) -> list[str]:
    """A text's tokens as the pipeline splits it."""
    return [token.text for token in build_pipeline().make_doc(text)]


@cache
def build_pipeline(syntax: bool = True) -> Language:
    """The pipeline, built once per process (the NER model loads on its first document).

    `syntax=False` leaves out the dependency parser: the relation rules then read the surface only
    (the baseline of `bench.relations_eval`)."""
    nlp = spacy.blank("ru")
    nlp.vocab.lex_attr_getters[LIKE_NUM] = like_num
    nlp.add_pipe("zamena_sentences")
    nlp.add_pipe("zamena_lemmas")
    nlp.add_pipe("zamena_ner")
    nlp.add_pipe("zamena_quoted_names")
    nlp.add_pipe(gazetteer_module.PIPE_NAME)
    nlp.add_pipe("zamena_organisations")
    nlp.add_pipe("zamena_people")
    nlp.add_pipe("zamena_product_names")
    nlp.add_pipe("zamena_bracketed_aliases")
    nlp.add_pipe("zamena_model_entities")
    nlp.add_pipe("zamena_listed_names")
    nlp.add_pipe("zamena_document_names")
    if syntax:
        nlp.add_pipe("zamena_syntax")  # last: it parses only the sentences that may hold a relation
    nlp.initialize()
    return nlp
