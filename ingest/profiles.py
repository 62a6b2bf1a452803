"""Markdown documents with YAML front matter: company profiles, and news written the same way.

A profile's front matter states who a firm is (name, aliases), where it is a resident, which centre it
belongs to, what it makes (ОКПД 2), what it does (ОКВЭД 2), what it knows (competences), and which
source supports each statement. Every statement becomes a fact whose evidence is the front-matter
line it stands on; a statement without a known source is refused. The body is left to the NLP.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ingest.competences import competence_label
from ingest.document import Document, ReadError
from ingest.model import Entity, Fact, Mention
from ingest.names import name_key
from ontology.terms import iri_problem

KINDS = ("profile", "news", "zone")
KEYS = {
    "sites",
    "clusters",
    "centres",
    "organisations",
    "kind",
    "name",
    "aliases",
    "zone",
    "centre",
    "products",
    "competences",
    "okved2",
    "sources",
    "title",
    "date",
    "url",
    "synthetic",
}
CONFIDENCE = 1.0  # stated by the profile's author, with a source
# How a stated fact opens when a reader sees it, in place of the front-matter line it stands on.
STATEMENT_OPENING = "Профиль компании:"
ZONE_OPENING = "Описание зоны:"
# What a zone profile may say an organisation around the zone is: the kind of entity it becomes, and how
# a reader is told. None of them is a firm of the zone.
ORGANISATION_KINDS = {
    "media": ("ORG", "средство массовой информации"),
    "bank": ("ORG", "банк"),
    "government": ("GOV", "государственный орган"),
    "state corporation": ("ORG", "государственная корпорация"),
    "customer": ("ORG", "заказчик"),
    "partner": ("ORG", "партнёр вне зоны"),
    "university": ("ORG", "университет"),
    "product": ("PRODUCT", "продукт или марка"),
}
RULE = "profile-front-matter"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)---[ \t]*(\r?\n|\Z)", re.DOTALL)
_OKPD2 = re.compile(r"\d{2}(\.\d{1,3}){0,3}")
_OKVED2 = re.compile(r"\d{2}(\.\d{1,2}){0,3}")
_COMPETENCE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# A profile's body describes its firm; a heading such as "## English summary" starts the English part.
_ENGLISH_HEADING = re.compile(r"^#{1,6}[ \t]*(english summary|summary in english|in english)[ \t]*$", re.I | re.M)
_HEADING_LINE = re.compile(r"^#{1,6}[ \t].*$", re.M)


class _FrontMatter:
    """The front matter's YAML nodes, with the document offsets of what they say."""

    def __init__(self, path: Path, text: str, offset: int) -> None:
        self.path, self.text, self.offset = path, text, offset

    def fail(self, node: Node | None, reason: str) -> ReadError:
        line = f"line {node.start_mark.line + 2}: " if node is not None else ""  # +1 for the opening ---
        return ReadError(self.path, f"front matter {line}{reason}")

    def mapping(self, node: Node | None, what: str) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys to values")
        return {str(key.value): value for key, value in node.value}

    def items(self, node: Node | None) -> list[Node]:
        if node is None:
            return []
        return list(node.value) if isinstance(node, SequenceNode) else [node]

    def scalar(self, node: Node | None, what: str) -> str:
        if not isinstance(node, ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"{what} must be a non-empty text")
        return str(node.value).strip()

    def span(self, node: Node) -> tuple[int, int]:
        """The value's own characters in the document."""
        return self.offset + node.start_mark.index, self.offset + node.end_mark.index

    def line(self, node: Node) -> tuple[int, int]:
        """The front-matter line the node stands on, without its indentation: a fact's evidence quote."""
        start = self.offset + node.start_mark.index
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", start)
        line_end = len(self.text) if line_end < 0 else line_end
        line = self.text[line_start:line_end]
        return line_start + len(line) - len(line.lstrip()), line_start + len(line.rstrip())


def read_markdown(path: Path, text: str, encoding: str) -> Document:
    """A Markdown file with front matter (kind: profile | news); one without it is plain text."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return Document(
            text=text, source=str(path), encoding=encoding, headline=_heading(text, 0), metadata={"markup": "markdown"}
        )
    offset = match.start(1)
    try:
        root = yaml.compose(match.group(1), Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise ReadError(path, f"front matter is not valid YAML: {error}") from error
    front = _FrontMatter(path, text, offset)
    fields = front.mapping(root, "the front matter")
    unknown = set(fields) - KEYS
    if unknown:
        raise front.fail(
            fields[min(unknown)], f"unknown key {min(unknown)!r}: known keys are {', '.join(sorted(KEYS))}"
        )
    kind = front.scalar(fields.get("kind"), "kind") if "kind" in fields else "profile"
    if kind not in KINDS:
        raise front.fail(fields["kind"], f"kind {kind!r} is unknown: use one of {', '.join(KINDS)}")
    body_start = match.end()
    sources = _sources(front, fields)
    document = Document(
        text=text,
        source=str(path),
        kind=kind,
        encoding=encoding,
        body=(body_start, len(text)),
        metadata={"sources": sources, "markup": "markdown"},
    )
    if "date" in fields:
        document.date = _date(front, fields["date"])
    if "url" in fields:
        document.url = front.scalar(fields["url"], "url")
    document.headline = front.scalar(fields["title"], "title") if "title" in fields else _heading(text, body_start)
    if kind == "profile":
        _profile_statements(front, fields, sources, document)
    elif kind == "zone":
        _zone_statements(front, fields, sources, document)
    return document


def _descriptions(document: Document) -> dict[str, str]:
    """The profile's body as its firm's description: `description` (Russian), `description_en` (English).

    Headings are dropped and lines joined: what is left is the prose an expert reads about the firm.
    """
    start, end = document.body or (0, len(document.text))
    body = document.text[start:end]
    english = _ENGLISH_HEADING.search(body)
    parts = {"description": body[: english.start()] if english else body}
    if english:
        parts["description_en"] = body[english.end() :]
    prose = {key: " ".join(_HEADING_LINE.sub(" ", text).split()) for key, text in parts.items()}
    return {key: text for key, text in prose.items() if text}


def _heading(text: str, start: int) -> str | None:
    match = re.search(r"^#\s+(.+)$", text[start:], re.MULTILINE)
    return match.group(1).strip() if match else None


def _date(front: _FrontMatter, node: Node) -> str:
    value = front.scalar(node, "date")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise front.fail(node, f"date {value!r} must be written YYYY-MM-DD")
    return value


def _sources(front: _FrontMatter, fields: dict[str, Node]) -> dict[str, dict[str, str]]:
    """The `sources` mapping: key → url or document, and what it supports."""
    if "sources" not in fields:
        raise front.fail(None, "has no `sources`: every statement must name where it comes from")
    sources: dict[str, dict[str, str]] = {}
    for key, node in front.mapping(fields["sources"], "sources").items():
        entry = {k: front.scalar(v, f"sources.{key}.{k}") for k, v in front.mapping(node, f"source {key}").items()}
        if not ("url" in entry or "document" in entry):
            raise front.fail(node, f"source {key!r} needs a `url` or a `document`")
        problem = iri_problem(entry["url"]) if "url" in entry else None
        if problem:
            raise front.fail(node, f"source {key!r}: {entry['url']!r} is not an absolute URL ({problem})")
        if "supports" not in entry:
            raise front.fail(node, f"source {key!r} needs `supports`: what it is evidence for")
        sources[key] = entry
    return sources


def _cited(
    front: _FrontMatter, statement: dict[str, Node], node: Node, sources: dict[str, dict[str, str]]
) -> list[dict[str, str]]:
    """The pages a statement cites ({"url", "date"} where known); a statement that names no source, or one
    the `sources` do not list, is refused."""
    if "source" not in statement:
        raise front.fail(node, "statement has no `source`")
    cited_pages = []
    for cited in front.items(statement["source"]):
        key = front.scalar(cited, "source")
        if key not in sources:
            raise front.fail(cited, f"source {key!r} is not among the `sources` ({', '.join(sources)})")
        entry = sources[key]
        page = {"url": entry["url"]} if "url" in entry else {}
        if page and "date" in entry:
            page["date"] = entry["date"]
        if page:
            cited_pages.append(page)
    return cited_pages


def _quoted(name: str) -> str:
    return name if name.startswith("«") else f"«{name}»"


def _statement(front: _FrontMatter, node: Node, what: str, value_key: str) -> tuple[dict[str, Node], Node]:
    """A statement's fields and the node of its value; a bare value is refused for want of a source."""
    fields = front.mapping(node, what)
    if value_key not in fields:
        raise front.fail(node, f"{what} needs `{value_key}`")
    return fields, fields[value_key]


def _profile_statements(
    front: _FrontMatter, fields: dict[str, Node], sources: dict[str, dict[str, str]], document: Document
) -> None:
    name_node = fields.get("name")
    name = front.scalar(name_node, "name")
    # The firm is keyed by its name like any mention of it: the extractor merges it with the body's
    # mentions and links it to a firm the graph knows, and the statements follow it there.
    firm = Entity("FIRM", name_key(name), name)
    if "synthetic" in fields and front.scalar(fields["synthetic"], "synthetic") == "true":
        firm.attributes["synthetic"] = "true"  # generated for scale tests, not taken from a source
    firm.aliases = {front.scalar(a, "alias") for a in front.items(fields.get("aliases"))}
    firm.attributes.update(_descriptions(document))
    firm.mentions.append(Mention(*front.span(name_node), name))
    entities: dict[tuple[str, str], Entity] = {firm.ref: firm}
    facts: list[Fact] = [
        Fact(firm.ref, "type", {}, *front.line(name_node), CONFIDENCE, RULE, f"{STATEMENT_OPENING} {_quoted(name)}")
    ]

    def fact(
        subject: tuple[str, str],
        predicate: str,
        obj: tuple[str, str] | str,
        node: Node,
        said: str,
        cites: list[dict[str, str]],
    ) -> None:
        statement = f"{STATEMENT_OPENING} {said}"
        facts.append(Fact(subject, predicate, obj, *front.line(node), CONFIDENCE, RULE, statement, cites))

    def organisation(key: str, kind: str, predicate: str) -> None:
        if key not in fields:
            return
        statement, value = _statement(front, fields[key], key, "name")
        cites = _cited(front, statement, fields[key], sources)
        org_name = front.scalar(value, f"{key}.name")
        entity = entities.setdefault((kind, name_key(org_name)), Entity(kind, name_key(org_name), org_name))
        entity.mentions.append(Mention(*front.span(value), org_name))
        said = f"резидент {_quoted(org_name)}" if predicate == "residentOf" else f"входит в {org_name}"
        fact(firm.ref, predicate, entity.ref, value, said, cites)

    organisation("zone", "ZONE", "residentOf")
    organisation("centre", "CENTRE", "memberOf")

    for node in front.items(fields.get("products")):
        statement, value = _statement(front, node, "a product", "name")
        cites = _cited(front, statement, node, sources)
        product_name = front.scalar(value, "product name")
        product = Entity("PRODUCT", name_key(product_name), product_name)
        if "name_en" in statement:
            product.aliases.add(front.scalar(statement["name_en"], "name_en"))
        product.mentions.append(Mention(*front.span(value), product_name))
        entities[product.ref] = product
        said = f"{STATEMENT_OPENING} продукт «{product_name}»"
        facts.append(Fact(product.ref, "type", {}, *front.line(value), CONFIDENCE, RULE, said, cites))
        role = front.scalar(statement["role"], "role") if "role" in statement else "manufacturer"
        if role not in ("manufacturer", "supplier"):
            raise front.fail(statement["role"], f"role {role!r}: use manufacturer or supplier")
        does = "выпускает" if role == "manufacturer" else "поставляет"
        fact(product.ref, role, firm.ref, value, f"{does} {product_name}", cites)
        if "okpd2" in statement:
            code = front.scalar(statement["okpd2"], "okpd2")
            if not _OKPD2.fullmatch(code):
                raise front.fail(statement["okpd2"], f"{code!r} is not an ОКПД 2 code like 27.11.4")
            said = f"{product_name} — продукция класса ОКПД 2 {code}"
            fact(product.ref, "category", f"id/okpd2/{code}", statement["okpd2"], said, cites)
        for replaced_node in front.items(statement.get("substitutes")):
            replaced_name = front.scalar(replaced_node, "substitutes")
            replaced = Entity("PRODUCT", name_key(replaced_name), replaced_name, attributes={"imported": "yes"})
            replaced.mentions.append(Mention(*front.span(replaced_node), replaced_name))
            entities.setdefault(replaced.ref, replaced)
            said = f"{product_name} заменяет {replaced_name}"
            fact(product.ref, "substitutes", replaced.ref, replaced_node, said, cites)

    # Codes the firm is filed under: (key, what it is, its field and label, its form, the error, predicate,
    # path, how a reader is told).
    coded = (
        ("competences", "a competence", "id", "competence id", _COMPETENCE,
         "competence {!r} is not an id of ontology/competences.ttl", "hasCompetence", "id/competence/",
         "компетенция «{}»"),
        ("okved2", "an ОКВЭД 2 code", "code", "okved2 code", _OKVED2,
         "{!r} is not an ОКВЭД 2 code like 27.11", "classification", "id/okved2/",
         "вид деятельности ОКВЭД 2 {}"),
    )  # fmt: skip
    for key, what, field_name, label, form, problem, predicate, path, told in coded:
        for node in front.items(fields.get(key)):
            statement, value = _statement(front, node, what, field_name)
            cites = _cited(front, statement, node, sources)
            code = front.scalar(value, label)
            if not form.fullmatch(code):
                raise front.fail(value, problem.format(code))
            shown = competence_label(code) if predicate == "hasCompetence" else code
            fact(firm.ref, predicate, f"{path}{code}", value, told.format(shown), cites)

    document.entities = list(entities.values())
    document.facts = facts


def _zone_statements(
    front: _FrontMatter, fields: dict[str, Node], sources: dict[str, dict[str, str]], document: Document
) -> None:
    """A zone profile: the zone, its sites (each in the zone), clusters and centres (a centre at its site),
    and the organisations around it that are no firms of the zone (the press, banks, state bodies,
    partners, products named beside firms). Every entry cites its sources; each becomes a given entity,
    which ingest teaches the extractor, so that «в Алабушеве» or «по данным РБК» is no firm."""
    name_node = fields.get("name")
    name = front.scalar(name_node, "name")
    zone = Entity("ZONE", name_key(name), name)
    zone.aliases = {front.scalar(a, "alias") for a in front.items(fields.get("aliases"))}
    zone.mentions.append(Mention(*front.span(name_node), name))
    entities: dict[tuple[str, str], Entity] = {zone.ref: zone}
    facts: list[Fact] = [Fact(zone.ref, "type", {}, *front.line(name_node), CONFIDENCE, RULE, f"{ZONE_OPENING} {name}")]
    sites: dict[str, Entity] = {}

    def entry(node: Node, what: str, kind: str) -> tuple[Entity, dict[str, Node], list[dict[str, str]]]:
        statement, value = _statement(front, node, what, "name")
        cites = _cited(front, statement, node, sources)
        entry_name = front.scalar(value, f"{what} name")
        entity = entities.setdefault((kind, name_key(entry_name)), Entity(kind, name_key(entry_name), entry_name))
        entity.aliases |= {front.scalar(a, "alias") for a in front.items(statement.get("aliases"))}
        entity.attributes["stated"] = "yes"
        entity.mentions.append(Mention(*front.span(value), entry_name))
        return entity, statement, cites

    def fact(subject: Entity, predicate: str, obj: tuple[str, str] | dict, node: Node, said: str, cites) -> None:
        statement = f"{ZONE_OPENING} {said}"
        facts.append(Fact(subject.ref, predicate, obj, *front.line(node), CONFIDENCE, RULE, statement, cites))

    for node in front.items(fields.get("sites")):
        site, _statement_fields, cites = entry(node, "a site", "SITE")
        sites[name_key(site.name)] = site
        fact(site, "type", {}, node, f"площадка {_quoted(site.name)}", cites)
        fact(site, "containedIn", zone.ref, node, f"площадка {_quoted(site.name)} зоны {_quoted(name)}", cites)
    for node in front.items(fields.get("clusters")):
        cluster, _statement_fields, cites = entry(node, "a cluster", "CLUSTER")
        fact(cluster, "type", {}, node, f"{cluster.name} зоны {_quoted(name)}", cites)
        fact(cluster, "locatedIn", zone.ref, node, f"{cluster.name} зоны {_quoted(name)}", cites)
    for node in front.items(fields.get("centres")):
        centre, statement, cites = entry(node, "a centre", "CENTRE")
        fact(centre, "type", {}, node, centre.name, cites)
        if "site" in statement:
            site_name = front.scalar(statement["site"], "site")
            site = sites.get(name_key(site_name))
            if site is None:
                raise front.fail(statement["site"], f"site {site_name!r} is not among the `sites`")
            fact(centre, "locatedIn", site.ref, node, f"{centre.name} — на площадке {_quoted(site.name)}", cites)
    for node in front.items(fields.get("organisations")):
        fields_of = front.mapping(node, "an organisation")
        if "kind" not in fields_of:
            raise front.fail(node, f"an organisation needs `kind`: one of {', '.join(ORGANISATION_KINDS)}")
        what = front.scalar(fields_of["kind"], "kind")
        if what not in ORGANISATION_KINDS:
            raise front.fail(fields_of["kind"], f"kind {what!r} is unknown: use one of {', '.join(ORGANISATION_KINDS)}")
        kind, told = ORGANISATION_KINDS[what]
        organisation, _statement_fields, cites = entry(node, "an organisation", kind)
        organisation.attributes["organisation"] = what
        fact(organisation, "type", {}, node, f"{_quoted(organisation.name)} — {told}, не фирма зоны", cites)
    document.entities = list(entities.values())
    document.facts = facts
