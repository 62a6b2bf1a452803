"""Morphology and Universal Dependencies syntax from slovnet, as a spaCy component.

natasha's package ships slovnet's news models for morphology and syntax beside the NER model (and the
navec embeddings they share); they are loaded from its files, nothing is downloaded. Parsing costs
about 2,000 tokens per CPU-second, so only the sentences that can hold a relation are parsed: those
with a trigger lemma (a word of making, supplying, replacing, joining or residing). Their tokens get
`pos_`, `morph`, `head` and `dep_`; every other sentence stays a flat tree (each token under the
sentence's first, `dep_` "dep"), which keeps the sentence boundaries as razdel drew them, and
`sentence_is_parsed` says which is which.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import DEP, HEAD
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ingest.language_data import QUANTITY_TRIGGER_LEMMAS, SYNTAX_TRIGGER_LEMMAS
from ingest.morph import parse
from ingest.ner import EMBEDDING_FILE, ModelMissing, natasha_folder, one_blas_thread

if TYPE_CHECKING:
    from slovnet import Morph, Syntax
    from slovnet.markup import MorphMarkup, SyntaxMarkup

MORPH_FILE = "data/model/slovnet_morph_news_v1.tar"
SYNTAX_FILE = "data/model/slovnet_syntax_news_v1.tar"
PARSED = "zamena_parsed"  # doc.user_data: the start tokens of the parsed sentences
FLAT = "dep"  # the relation of a token in a sentence that was not parsed
MAX_WORDS = 120  # a longer "sentence" is a list or a table: not parsed
_PUNCTUATION = set('«»„“”"()[],.;:!?—…')


@cache
def _models() -> tuple[Morph, Syntax]:
    """slovnet's morphology and syntax models with navec embeddings, loaded once per process."""
    from navec import Navec
    from slovnet import Morph, Syntax

    folder = natasha_folder()
    paths = {name: folder / name for name in (EMBEDDING_FILE, MORPH_FILE, SYNTAX_FILE)}
    for path in paths.values():
        if not path.is_file():
            raise ModelMissing(f"{path} is missing: reinstall natasha==1.6.0, which ships the model")
    navec = Navec.load(str(paths[EMBEDDING_FILE]))
    morph = Morph.load(str(paths[MORPH_FILE]), batch_size=16)
    morph.navec(navec)
    syntax = Syntax.load(str(paths[SYNTAX_FILE]), batch_size=16)
    syntax.navec(navec)
    return morph, syntax


def _may_be(word: Token, lemmas: frozenset[str]) -> bool:
    """Whether a word may be a form of one of `lemmas` (its lemma, or any of its first parses)."""
    return word.lemma_.lower() in lemmas or any(p.normal_form in lemmas for p in parse(word.lower_)[:3])


def is_candidate(sent: Span) -> bool:
    """A sentence worth parsing: it is not too long to be a sentence, and has a trigger word, or a number
    with a word of what numbers count here (companies, staff, output)."""
    words = [t for t in sent if not t.is_space]
    if not words or len(words) > MAX_WORDS:
        return False
    if any(_may_be(t, SYNTAX_TRIGGER_LEMMAS) for t in words if t.is_alpha):
        return True
    return any(t.like_num for t in words) and any(_may_be(t, QUANTITY_TRIGGER_LEMMAS) for t in words if t.is_alpha)


def sentence_is_parsed(sent: Span) -> bool:
    return sent.start in sent.doc.user_data.get(PARSED, ())


@Language.component("zamena_syntax")
def dependency_syntax(doc: Doc) -> Doc:
    """UD heads, relations, parts of speech and morphology for the sentences that may hold a relation."""
    sentences = list(doc.sents)
    chosen = [sent for sent in sentences if is_candidate(sent)]
    heads = numpy.zeros(len(doc), dtype="int64")  # relative offsets, as Doc.from_array reads HEAD
    deps = numpy.full(len(doc), doc.vocab.strings.add(FLAT), dtype="uint64")
    for sent in sentences:  # flat trees first; the parsed sentences are written over them
        first = sent.start
        heads[first + 1 : sent.end] = first - numpy.arange(first + 1, sent.end)
        deps[first] = doc.vocab.strings.add("ROOT")
    if chosen:
        words = [_words(sent) for sent in chosen]
        morph, syntax = _models()
        texts = [["".join(t.text for t in word) for word in sentence_words] for sentence_words in words]
        with one_blas_thread():
            tagged = list(morph.map(texts))
            parsed = list(syntax.map(texts))
        for sent, sentence_words, tags, tree in zip(chosen, words, tagged, parsed, strict=True):
            _write_sentence(doc, sent, sentence_words, tags, tree, heads, deps)
    doc.from_array([HEAD, DEP], numpy.stack([heads.astype("uint64"), deps], axis=1))
    doc.user_data[PARSED] = frozenset(sent.start for sent in chosen)
    return doc


def _words(sent: Span) -> list[list[Token]]:
    """The sentence's words as the parser was trained on them: spaCy splits «Фотон-Про» and «IGBT-модули»
    at the hyphen, slovnet's news corpus keeps them whole. Each word is the list of its tokens."""
    words: list[list[Token]] = []
    glued = False
    for token in sent:
        if token.is_space:
            glued = False
            continue
        joins = bool(words) and glued and (token.text == "-" or words[-1][-1].text == "-")
        if joins:
            words[-1].append(token)
        else:
            words.append([token])
        glued = not token.whitespace_ and token.text not in _PUNCTUATION
    return words


def _write_sentence(
    doc: Doc,
    sent: Span,
    words: list[list[Token]],
    tags: MorphMarkup,
    tree: SyntaxMarkup,
    heads: numpy.ndarray,
    deps: numpy.ndarray,
) -> None:
    """One parsed sentence into the arrays (heads, relations) and the tokens (part of speech, morphology).

    A word of several tokens is parsed as one: its first token takes the word's place in the tree, and
    the others hang under it ("goeswith")."""
    for word in words:
        for token in word[1:]:
            heads[token.i] = word[0].i - token.i
            deps[token.i] = doc.vocab.strings.add("goeswith")
    tokens = [word[0] for word in words]
    position = {i + 1: token.i for i, token in enumerate(tokens)}  # slovnet's ids count from 1
    root = None
    for token, tag, node in zip(tokens, tags.tokens, tree.tokens, strict=True):
        token.pos_ = tag.pos
        if tag.feats:
            token.set_morph("|".join(f"{k}={v}" for k, v in sorted(tag.feats.items())))
        head = position.get(int(node.head_id))
        if head is None or head == token.i:
            root = root if root is not None else token.i
            head = token.i
            deps[token.i] = doc.vocab.strings.add("ROOT")
        else:
            deps[token.i] = doc.vocab.strings.add(node.rel)
        heads[token.i] = head - token.i
    if root is None:  # no word without a head: the parser closed a cycle instead; its first verb is the root
        root = next((t.i for t in tokens if t.pos_ in ("VERB", "AUX")), tokens[0].i)
        heads[root] = 0
        deps[root] = doc.vocab.strings.add("ROOT")
    for token in tokens:  # a second root, if the parser gave one, hangs under the first
        if heads[token.i] == 0 and token.i != root:
            heads[token.i] = root - token.i
            deps[token.i] = doc.vocab.strings.add(FLAT)
    for token in sent:  # spaces hang under the sentence's root
        if token.is_space:
            heads[token.i] = root - token.i
            deps[token.i] = doc.vocab.strings.add(FLAT)
    _break_cycles(tokens, root, heads, deps, doc)


_MODIFIERS = {"amod", "case", "det", "punct", "goeswith"}


def _break_cycles(tokens: list[Token], root: int, heads: numpy.ndarray, deps: numpy.ndarray, doc: Doc) -> None:
    """slovnet's parser at times has two words head each other («биоразлагаемой упаковки»), and spaCy
    needs a tree. The member of a cycle that is not a modifier is hung under the nearest noun or verb on
    its left whose own chain reaches the root (where such a word attaches), or under the root; cycles are
    looked for again until none is left, since a sentence may hold several."""
    indexes = [t.i for t in tokens]
    for _ in range(len(indexes)):
        cycle = _first_cycle(indexes, root, heads)
        if cycle is None:
            return
        labels = {i: doc.vocab.strings[int(deps[i])] for i in cycle}
        detached = next((i for i in sorted(cycle) if labels[i] not in _MODIFIERS), min(cycle))
        below = _descendants(cycle, indexes, heads)
        target = next(
            (i for i in range(detached - 1, tokens[0].i - 1, -1)
             if i in indexes and i not in below and doc[i].pos_ in ("NOUN", "PROPN", "VERB")
             and _reaches(i, root, heads, len(indexes))),
            root,
        )  # fmt: skip
        heads[detached] = target - detached


def _reaches(start: int, root: int, heads: numpy.ndarray, steps: int) -> bool:
    current = start
    for _ in range(steps + 1):
        if current == root:
            return True
        current = current + int(heads[current])
    return False


def _first_cycle(indexes: list[int], root: int, heads: numpy.ndarray) -> list[int] | None:
    """The tokens of a cycle of heads that never reaches the root, or None when every chain does."""
    for start in indexes:
        path: list[int] = []
        current = start
        while current != root and current not in path and len(path) <= len(indexes):
            path.append(current)
            current = current + int(heads[current])
        if current != root and current in path:
            return path[path.index(current) :]
    return None


def _descendants(cycle: list[int], indexes: list[int], heads: numpy.ndarray) -> set[int]:
    """The tokens whose chain of heads runs into the cycle (the cycle included)."""
    inside = set(cycle)
    for i in indexes:
        chain, current = [], i
        while current not in inside and current not in chain and len(chain) <= len(indexes):
            chain.append(current)
            current = current + int(heads[current])
        if current in inside:
            inside.update(chain)
    return inside
