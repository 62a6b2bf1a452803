"""What a search answers, as types: the answer, its results, why each matched and the quotes behind them.

SearchService.search() returns a SearchAnswer; the search page, `zamena search --json` and the JSON API
render it, the last two through `to_json`. The API's OpenAPI schema is generated from these classes
(`json_schemas`), so that the documented shape is the one sent.

Field metadata (`_field`) says how a field appears in JSON: its description, its key when the field's name
differs, whether a None leaves the key out, and whether it is sent at all.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Literal, get_args, get_origin, get_type_hints

ResultKind = Literal["firm", "product", "concept", "document", "person", "organisation"]
RESULT_KINDS: tuple[str, ...] = get_args(ResultKind)
# A reason is a text of the result's own (its profile, or the text that matched), or a node that credited it.
ReasonKind = Literal["text", "profile", "product", "concept", "sentence"]


def _field(
    description: str, *, key: str | None = None, omit_none: bool = False, sent: bool = True, **options: object
) -> typing.Any:
    metadata = {"description": description, "key": key, "omit_none": omit_none, "sent": sent}
    return dataclasses.field(metadata=metadata, **options)  # type: ignore[call-overload]


@dataclass(frozen=True)
class Evidence:
    """A quote an answer rests on, and where it stands in its document."""

    quote: str = _field("the sentence as the document writes it")
    document: str = _field("the document's URI")
    start: int | None = _field("character offset of the quote's start in the document's text")
    end: int | None = _field("character offset just past the quote's end")
    # the quote's document as a reader cites it; filled where the graph knows it
    title: str | None = _field("the document's title", omit_none=True, default=None)
    date: str | None = _field("the document's date (ISO 8601)", omit_none=True, default=None)
    url: str | None = _field("where the document was published on the web", omit_none=True, default=None)
    publisher: str | None = _field("who published it", omit_none=True, default=None)


@dataclass(frozen=True)
class Reason:
    """Why a result matched: a text of its own, or a product or classifier concept that credited it."""

    kind: ReasonKind = _field(
        "text or profile: a text of the result's own; product or concept: a node it is linked to; sentence: a "
        "sentence that states what the firm makes, supplies or knows (uri: its document)"
    )
    uri: str | None = _field("the node that matched", omit_none=True, default=None)
    label: str | None = _field("the node's name", omit_none=True, default=None)
    text: str | None = _field("the text that matched", omit_none=True, default=None)
    via: str | None = _field(
        "how the node credits a firm: product (the firm makes it), concept (the firm, its product or its "
        "competence is under that class), substitute (the node is an imported brand or line, and the firm "
        "makes things of its class or has its competence — that product or competence is a reason too), "
        "substitutes (the node is an imported product that the firm's product is said to replace)",
        omit_none=True,
        default=None,
    )
    notation: str | None = _field("the node's classifier code", omit_none=True, default=None)


NO_SUBSTITUTION = 3  # SearchResult.substitution of a result that answers for no imported thing


@dataclass
class ImportedThing:
    """An imported brand or product line the question names (corpora/brands), and what it is."""

    uri: str = _field("its concept in the imported brands' scheme")
    label: str = _field("the brand and line («Siemens SINAMICS»)")
    definition: dict[str, str] = _field("what it is, by language (ru, en)", default_factory=dict)
    class_uri: str | None = _field("the ОКПД 2 class it falls in", omit_none=True, default=None)
    notation: str | None = _field("that class's code", omit_none=True, default=None)
    class_label: str | None = _field("that class's name", omit_none=True, default=None)
    competence: str | None = _field("the competence centre's competence it belongs to", omit_none=True, default=None)
    competence_label: dict[str, str] = _field("that competence's name, by language", default_factory=dict)
    source: str | None = _field("where the catalogue line comes from (a URL, or general knowledge)", default=None)


@dataclass
class SearchResult:
    """One answer: a firm, product, concept or document, with its score, reasons and evidence."""

    uri: str = _field("the entity's URI")
    label: str = _field("its name, in the reader's language where the graph has one")
    kind: ResultKind = _field("what it is")
    score: float = _field("fused relevance; 0 when names were matched")
    notation: str | None = _field("its classifier code, for a concept", default=None)
    reasons: list[Reason] = _field("what matched, best first", key="why", default_factory=list)
    evidence: list[Evidence] = _field("quotes of the facts that made it match", default_factory=list)
    # how it answers for an imported thing the question names: 0 a product said to replace it, 1 a product
    # of its class, 2 its competence; NO_SUBSTITUTION otherwise (the order of a substitution answer)
    substitution: int = _field("", sent=False, default=NO_SUBSTITUTION)


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and how many of the first answers have it."""

    value: str = _field("the request's parameter value that keeps these answers (code=26, centre=1)")
    label: str = _field("what the page shows for it", sent=False)
    count: int = _field("how many answers have it")


@dataclass(frozen=True)
class Filters:
    """What the answers were narrowed to."""

    code: str | None = None  # a classifier code prefix
    centre: bool = False  # members of a competence centre
    zone: bool = False  # residents of a special economic zone

    def __bool__(self) -> bool:
        return bool(self.code) or self.centre or self.zone


@dataclass
class SearchAnswer:
    """The answer to a question: results best first, facets over the first answers, and what to know about it."""

    query: str = _field("the question")
    kind: ResultKind = _field("what the results are")
    results: list[SearchResult] = _field("best first", default_factory=list)
    facets: dict[str, list[FacetValue]] = _field(
        "counts of the first answers, before filters: by classifier class (section, two-digit codes) and by "
        "membership of a competence centre (centre)",
        default_factory=dict,
    )
    fallback: bool = _field("names were matched: no search index yet", default=False)
    stale: bool = _field("the index was built from an older graph", default=False)
    filters: Filters = _field("the filters applied", sent=False, default_factory=Filters)
    # An exception's text is for the page's reader and the log, not a contract with API clients.
    error: str | None = _field("why the ranked search could not run", sent=False, default=None)
    imported: list[ImportedThing] = _field(
        "the imported brands or lines the question names, what each is; the firms that answer for them come "
        "first: a product said to replace it, then a product of its class, then its competence",
        default_factory=list,
    )
    suggestions: list[SearchResult] = _field(
        "when no firm or product answers: the classifier classes and competences nearest the question",
        default_factory=list,
    )

    def to_json(self) -> dict[str, object]:
        return to_json(self)  # type: ignore[return-value]


def to_json(value: object) -> object:
    """The JSON form of an answer or any part of it: fields under their keys; lists, dicts and scalars as they are."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.metadata.get("sent", True) and not (item is None and f.metadata.get("omit_none")):
                out[f.metadata.get("key") or f.name] = to_json(item)
        return out
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    return value


# ---------------------------------------------------------------------------- JSON Schema

SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean"}


def json_schemas(*roots: type, ref_prefix: str = "#/components/schemas/") -> dict[str, dict[str, object]]:
    """JSON Schema (OpenAPI 3.1) of each dataclass reachable from `roots`, by class name, linked by $ref."""
    schemas: dict[str, dict[str, object]] = {}
    pending = list(roots)
    while pending:
        cls = pending.pop(0)
        if cls.__name__ in schemas:
            continue
        hints = get_type_hints(cls)
        properties: dict[str, object] = {}
        required: list[str] = []
        for f in dataclasses.fields(cls):
            if not f.metadata.get("sent", True):
                continue
            key = f.metadata.get("key") or f.name
            schema = _schema(hints[f.name], pending, ref_prefix)
            if f.metadata.get("description"):
                schema["description"] = f.metadata["description"]
            properties[key] = schema
            if not f.metadata.get("omit_none"):
                required.append(key)
        schemas[cls.__name__] = {
            "type": "object",
            "description": (cls.__doc__ or "").strip(),
            "required": required,
            "properties": properties,
        }
    return schemas


def _schema(hint: object, pending: list[type], ref_prefix: str) -> dict[str, object]:
    origin = get_origin(hint)
    args = get_args(hint)
    if origin is Literal:
        return {"type": "string", "enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1 or len(args) != 2:
            raise TypeError(f"only X | None unions have a JSON Schema here, not {hint!r}")
        schema = _schema(inner[0], pending, ref_prefix)
        if isinstance(schema.get("type"), str):
            schema["type"] = [schema["type"], "null"]
            if "enum" in schema:
                schema["enum"] = [*schema["enum"], None]
            return schema
        return {"anyOf": [schema, {"type": "null"}]}
    if origin is list:
        return {"type": "array", "items": _schema(args[0], pending, ref_prefix)}
    if origin is dict and args[0] is str:
        return {"type": "object", "additionalProperties": _schema(args[1], pending, ref_prefix)}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        pending.append(hint)
        return {"$ref": ref_prefix + hint.__name__}
    if hint in SCALARS:
        return {"type": SCALARS[hint]}
    raise TypeError(f"no JSON Schema for {hint!r}")
