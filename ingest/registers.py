"""Registers of firms: tables (CSV, XLSX) with a firm per row — name, ИНН, ОГРН, site, products, ОКВЭД 2.

A table is a register when its header names a firm column and an ИНН or ОГРН column, or when a small
config beside it (`<file name>.columns.yaml`) maps its columns:

    columns: {"Полное наименование": name, "ИНН организации": inn, "Основная продукция": products}
    source: https://example.org/residents.xlsx      # optional: the page the table was taken from
    date: 2024-05-01                                # optional: the date of that page

ИНН and ОГРН are checked by their check digits; a row with a wrong one is an error naming the row, and the
other rows are read. Each row becomes a document of its own whose text is the row in words; its firm
carries the ИНН/ОГРН (`org:identifier`), so a firm the graph already knows is matched by ИНН first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from ingest.document import Document, ReadError
from ingest.model import Entity, Fact, Mention
from ingest.names import ORGANISATIONAL_FORMS, name_key, strip_quotes
from ontology.terms import iri_problem

FIELDS = ("name", "aliases", "inn", "ogrn", "site", "products", "okved2")
# Header words of each field, lower-cased; a header cell matches when it is one of them or starts with one.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "name": ("наименование", "полное наименование", "название", "организация", "компания", "фирма", "name",
             "company", "organisation", "organization"),
    "aliases": ("краткое наименование", "сокращенное наименование", "сокращённое наименование", "бренд",
                "short name", "brand"),
    "inn": ("инн", "inn", "tin"),
    "ogrn": ("огрн", "огрнип", "ogrn", "psrn"),
    "site": ("сайт", "веб-сайт", "web", "website", "site", "url"),
    "products": ("продукция", "продукты", "товары", "основная продукция", "products", "product"),
    "okved2": ("оквэд", "оквэд 2", "оквэд2", "основной оквэд", "okved"),
}  # fmt: skip
LABELS = {
    "name": "Наименование",
    "aliases": "Краткое наименование",
    "inn": "ИНН",
    "ogrn": "ОГРН",
    "site": "Сайт",
    "products": "Продукция",
    "okved2": "ОКВЭД 2",
}
CONFIDENCE = 1.0  # what the register states about its own row
RULE = "register-row"
_LIST_SEPARATOR = re.compile(r"\s*[;\n]\s*")
_OKVED2 = re.compile(r"\d{2}(\.\d{1,2}){0,3}")


# ---------------------------------------------------------------- check digits


def inn_problem(value: str) -> str | None:
    """Why `value` is not a valid ИНН (10 digits for an organisation, 12 for a person), or None."""
    digits = [int(c) for c in value] if value.isdigit() else []
    if len(digits) not in (10, 12):
        return f"ИНН {value!r} must be 10 digits (an organisation) or 12 (a sole trader)"

    def check(weights: Sequence[int]) -> int:
        return sum(w * d for w, d in zip(weights, digits, strict=False)) % 11 % 10

    if len(digits) == 10:
        ok = check((2, 4, 10, 3, 5, 9, 4, 6, 8)) == digits[9]
    else:
        ok = (
            check((7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == digits[10]
            and check((3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) == digits[11]
        )
    return None if ok else f"ИНН {value} fails its check digit (a typo?)"


def ogrn_problem(value: str) -> str | None:
    """Why `value` is not a valid ОГРН (13 digits) or ОГРНИП (15 digits), or None."""
    if not value.isdigit() or len(value) not in (13, 15):
        return f"ОГРН {value!r} must be 13 digits (ОГРН) or 15 (ОГРНИП)"
    modulus = 11 if len(value) == 13 else 13
    ok = int(value[:-1]) % modulus % 10 == int(value[-1])
    return None if ok else f"ОГРН {value} fails its check digit (a typo?)"


# ---------------------------------------------------------------- which column is which


def _header_key(cell: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", cell.lower().replace("ё", "е")).split())


def column_fields(header: Sequence[str], config: dict[str, str] | None = None) -> dict[int, str]:
    """Column number → field, from the config's mapping where given, else from the header's words."""
    if config is not None:
        by_text = {_header_key(k): v for k, v in config.items()}
        return {i: by_text[_header_key(cell)] for i, cell in enumerate(header) if _header_key(cell) in by_text}
    found: dict[int, str] = {}
    taken: set[str] = set()
    # longer header words first: «краткое наименование» is the aliases, not the name
    words = sorted(((_header_key(w), f) for f, ws in HEADER_WORDS.items() for w in ws), key=lambda pair: -len(pair[0]))
    for i, cell in enumerate(header):
        key = _header_key(cell)
        for word, field_name in words:
            if field_name not in taken and (key == word or key.startswith(word + " ")):
                found[i] = field_name
                taken.add(field_name)
                break
    return found


def read_config(path: Path) -> dict[str, object] | None:
    """The register config beside a table (`<file name>.columns.yaml`), or None when there is none."""
    config_path = path.with_name(path.name + ".columns.yaml")
    if not config_path.is_file():
        return None
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ReadError(config_path, f"not a readable YAML config: {error}") from error
    columns = config.get("columns") if isinstance(config, dict) else None
    if not isinstance(columns, dict) or not columns:
        raise ReadError(config_path, "needs `columns`: a mapping of header texts to fields")
    wrong = sorted(str(v) for v in columns.values() if v not in FIELDS)
    if wrong:
        raise ReadError(config_path, f"unknown field {wrong[0]!r}: use one of {', '.join(FIELDS)}")
    if "name" not in columns.values():
        raise ReadError(config_path, "`columns` must map one column to `name`")
    source = config.get("source")
    if source is not None and (not isinstance(source, str) or iri_problem(source)):
        raise ReadError(config_path, f"`source` {source!r} is not an absolute URL")
    return config


def is_register(header: Sequence[str], config: dict[str, object] | None) -> bool:
    fields = set(column_fields(header, _columns(config)).values())
    return config is not None or ("name" in fields and bool(fields & {"inn", "ogrn"}))


def _columns(config: dict[str, object] | None) -> dict[str, str] | None:
    return {str(k): str(v) for k, v in config["columns"].items()} if config else None  # type: ignore[union-attr]


# ---------------------------------------------------------------- rows as documents


def firm_name(written: str) -> str:
    """How a firm is called, from how a register writes it: «ООО «Профотек»» → Профотек (the form is not
    part of who it is; the written name stays an alias)."""
    words = written.split()
    while len(words) > 1 and words[0].lower().strip(".,") in ORGANISATIONAL_FORMS:
        words = words[1:]
    return strip_quotes(" ".join(words)) or written


def site_address(value: str) -> str | None:
    """A firm's site as an absolute URL: «profotech.ru» → https://profotech.ru; «н/д» and the like → None."""
    value = value.strip()
    if re.fullmatch(r"(www\.)?[\w-]+(\.[\w-]+)+(/\S*)?", value):
        value = f"https://{value}"
    return value if value.startswith(("http://", "https://")) and not iri_problem(value) else None


def register_documents(
    path: Path,
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[object]]],
    encoding: str,
    config: dict[str, object] | None = None,
    sheet: str = "",
) -> list[Document | ReadError]:
    """One document per row (numbered as a spreadsheet numbers it), or the error that names the row; rows of
    a workbook's later sheet name the sheet."""
    fields = column_fields(header, _columns(config))
    cites = [{"url": str(config["source"])} | ({"date": str(config["date"])} if config.get("date") else {})] if (
        config and config.get("source")
    ) else []  # fmt: skip
    found: list[Document | ReadError] = []
    for number, cells in rows:
        values: dict[str, str] = {}
        for i, field_name in fields.items():
            cell = cells[i] if i < len(cells) else None
            text = _cell_text(cell)
            if text:
                values[field_name] = text
        if not values:
            continue  # a blank row
        try:
            found.append(_row_document(path, number, values, encoding, cites, sheet))
        except ReadError as error:
            found.append(error)
    return found


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # an ИНН typed into a spreadsheet is a number
    return " ".join(str(cell).split())


def _row_document(
    path: Path, number: int, values: dict[str, str], encoding: str, cites: list[dict[str, str]], sheet: str
) -> Document:
    where = f"{path}#{sheet + '-' if sheet else ''}row{number}"
    if "name" not in values:
        raise ReadError(where, f"row {number} has no firm name")
    for field_name, problem in (("inn", inn_problem), ("ogrn", ogrn_problem)):
        if field_name in values:
            values[field_name] = re.sub(r"[\s-]", "", values[field_name])
            reason = problem(values[field_name])
            if reason:
                raise ReadError(where, f"row {number}: {reason}; the row is skipped")
    if "okved2" in values and not _OKVED2.fullmatch(values["okved2"]):
        raise ReadError(where, f"row {number}: {values['okved2']!r} is not an ОКВЭД 2 code like 26.51")
    # The row in words: the text every fact of the row quotes.
    lines, spans = [], {}
    offset = 0
    for field_name in FIELDS:
        if field_name in values:
            line = f"{LABELS[field_name]}: {values[field_name]}"
            spans[field_name] = (offset + len(LABELS[field_name]) + 2, offset + len(line))
            lines.append(line)
            offset += len(line) + 1
    text = "\n".join(lines)
    written = values["name"]
    name = firm_name(written)
    firm = Entity("FIRM", name_key(name), name, mentions=[Mention(*spans["name"], written)])
    firm.aliases = {a for a in _LIST_SEPARATOR.split(values.get("aliases", "")) if a} | ({written} - {name})
    for field_name in ("inn", "ogrn"):
        if field_name in values:
            firm.attributes[field_name] = values[field_name]
    site = site_address(values.get("site", ""))
    if site:
        firm.attributes["site"] = site
    register = path.name

    def fact(
        subject: tuple[str, str], predicate: str, obj: tuple[str, str] | str | dict, field_name: str, said: str
    ) -> Fact:
        start, end = spans[field_name]
        line_start = start - len(LABELS[field_name]) - 2
        statement = f"Реестр {register}, строка {number}: {said}"
        return Fact(subject, predicate, obj, line_start, end, CONFIDENCE, RULE, statement, cites)

    entities = [firm]
    identity = "".join(f", {LABELS[f]} {values[f]}" for f in ("inn", "ogrn") if f in values)
    facts = [fact(firm.ref, "type", {}, "name", f"«{name}»{identity}")]
    position = spans.get("products", (0, 0))[0]
    for product_name in _LIST_SEPARATOR.split(values.get("products", "")):
        if not product_name:
            continue
        start = text.index(product_name, position)
        position = start + len(product_name)
        product = Entity(
            "PRODUCT", name_key(product_name), product_name, mentions=[Mention(start, position, product_name)]
        )
        entities.append(product)
        facts.append(fact(product.ref, "type", {}, "products", f"продукт «{product_name}»"))
        facts.append(fact(product.ref, "manufacturer", firm.ref, "products", f"выпускает {product_name}"))
    if "okved2" in values:
        code = values["okved2"]
        facts.append(
            fact(firm.ref, "classification", f"id/okved2/{code}", "okved2", f"вид деятельности ОКВЭД 2 {code}")
        )
    return Document(
        text=text,
        source=where,
        kind="record",
        headline=name,
        encoding=encoding,
        body=(len(text), len(text)),  # the row states its facts; there is no prose for the NLP to read
        metadata={"record": number, "register": register},
        entities=entities,
        facts=facts,
    )
