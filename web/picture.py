"""A picture of an entity's neighbourhood as SVG: the entity in the middle, its neighbours in two columns.

Each neighbour has a row of its own: a line from the column's trunk to its shape, the link's name above
that line, its own name beside the shape. Rows are as tall as their text, so no name can run into
another or into a link's name; names wrap onto lines instead of being cut. Text widths are estimated
from the characters (DejaVu Sans widths, rounded up), so the boxes computed here hold what a browser
draws. Only positions are computed here; the template writes the SVG, so every label goes through
Jinja's escaping like any other text of the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from web.describe import Value
from web.i18n import ui_text

FONT = 13  # a neighbour's name
EDGE_FONT = 11  # a link's name
CENTRE_FONT = 15
LEGEND_FONT = 12
LINE = 1.3  # line height, in font sizes
NODE_CHARS = 24  # characters a line of a name holds before it wraps
EDGE_CHARS = 22
CENTRE_CHARS = 22
MOST_LINES = 3  # past this, lines get longer (up to LONGEST_LINE) rather than more
LONGEST_LINE = 32
RADIUS = 9  # a neighbour's shape
CENTRE_RADIUS = 15
MARGIN = 12
ROW_GAP = 10
TEXT_GAP = 7  # between a shape and its name

# What a legend entry stands for: (colour, shape). Documents are pages, firms are circles.
STYLES: dict[str, tuple[str, str]] = {
    "firm": ("#1f6feb", "circle"),
    "product": ("#b35900", "diamond"),
    "document": ("#57606a", "page"),
    "competence": ("#9a6700", "square"),
    "classifier": ("#6f42c1", "square"),
    "brand": ("#cf222e", "diamond"),
    "concept": ("#8c959f", "square"),
    "scheme": ("#3e1f79", "square"),
    "person": ("#1a7f37", "triangle"),
    "post": ("#4d8f3a", "triangle"),
    "centre": ("#bf3989", "hexagon"),
    "zone": ("#0a7ea4", "hexagon"),
    "site": ("#0a7ea4", "square"),
    "organisation": ("#8250df", "circle"),
    "other": ("#8c959f", "circle"),
}
# A concept's scheme is in its URI's path ({base}id/okpd2/27.11), as search names its reasons.
CONCEPT_PATHS = {
    "/id/competence/": "competence",
    "/id/brand/": "brand",
    "/id/okpd2/": "classifier",
    "/id/okved2/": "classifier",
}

# Character widths in em, rounded up from DejaVu Sans (the widest of the usual sans-serif fonts).
_NARROW = set(" .,:;!|'ijlIJft/()[]-")
_WIDE = set("жшщфыюъmw")
_WIDEST = set("ЖШЩЮЪЫФМMW—№+&%@")


def text_width(text: str, size: float) -> float:
    """How wide `text` is at font size `size`, a little on the wide side."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.42
        elif char in _WIDEST:
            em += 1.1
        elif char in _WIDE:
            em += 0.96
        elif char.isupper():
            em += 0.8
        else:
            em += 0.67
    return em * size


def wrap(text: str, width: int) -> list[str]:
    """`text` on lines of at most `width` characters, broken between words; a longer word is split."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def label_lines(text: str, width: int) -> list[str]:
    """A whole name on at most MOST_LINES lines where lines of LONGEST_LINE allow it, on more otherwise."""
    longest_word = max((len(word) for word in text.split()), default=0)
    # the narrowest lines that hold it on MOST_LINES, splitting no word that a line can hold
    for line_width in range(min(max(width, longest_word), LONGEST_LINE), LONGEST_LINE):
        lines = wrap(text, line_width)
        if len(lines) <= MOST_LINES:
            return lines
    return wrap(text, LONGEST_LINE)


def legend_kind(value: Value) -> str:
    """The legend entry a node belongs to: a concept by its scheme, anything else by its kind."""
    if value.kind == "concept":
        return next((kind for path, kind in CONCEPT_PATHS.items() if path in value.uri), "concept")
    return value.kind if value.kind in STYLES else "other"


def shape_path(shape: str, x: float, y: float, r: float) -> str:
    """The outline of a shape of size `r` around (x, y), as an SVG path."""
    if shape == "circle":
        # two half circles; the radius written as exactly half the chord, or the halves bulge
        return f"M {x - r:.2f} {y:.2f} a {r:.2f} {r:.2f} 0 0 0 {2 * r:.2f} 0 a {r:.2f} {r:.2f} 0 0 0 {-2 * r:.2f} 0 z"
    if shape == "diamond":
        d = r * 1.2
        points = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
    elif shape == "square":
        d = r * 0.85
        points = [(x - d, y - d), (x + d, y - d), (x + d, y + d), (x - d, y + d)]
    elif shape == "page":  # a sheet with its corner folded
        w, h, fold = r * 0.8, r * 1.05, r * 0.45
        points = [(x - w, y - h), (x + w - fold, y - h), (x + w, y - h + fold), (x + w, y + h), (x - w, y + h)]
    elif shape == "triangle":
        points = [(x, y - r * 1.05), (x + r, y + r * 0.8), (x - r, y + r * 0.8)]
    else:  # hexagon
        points = [(x + r * math.cos(math.pi / 3 * i), y + r * math.sin(math.pi / 3 * i)) for i in range(6)]
    return "M " + " L ".join(f"{px:.1f} {py:.1f}" for px, py in points) + " Z"


@dataclass
class Box:
    """Where a piece of text is drawn: its left, top, right and bottom edges."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom
        )


@dataclass
class Text:
    """Lines of text: each line's baseline, the anchor they hang from, and the box they fill."""

    lines: list[str]
    x: float
    baselines: list[float]
    anchor: str  # start | middle | end
    size: int
    box: Box

    @property
    def rows(self) -> list[tuple[float, str]]:
        return list(zip(self.baselines, self.lines, strict=True))


def _text(lines: list[str], x: float, top: float, anchor: str, size: int) -> Text:
    """`lines` whose first line's top is at `top`, hanging from `x` as `anchor` says."""
    width = max(text_width(line, size) for line in lines)
    step = size * LINE
    baselines = [top + size * 0.95 + i * step for i in range(len(lines))]
    left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return Text(lines, x, baselines, anchor, size, Box(left, top, left + width, top + step * len(lines)))


class Drawn:
    """Something drawn in a kind's colour and shape at (x, y): a node, a legend entry."""

    kind: str
    x: float
    y: float
    radius: float

    @property
    def colour(self) -> str:
        return STYLES[self.kind][0]

    @property
    def shape(self) -> str:
        return STYLES[self.kind][1]

    @property
    def path(self) -> str:
        return shape_path(self.shape, self.x, self.y, self.radius)


@dataclass
class Node(Drawn):
    value: Value
    x: float
    y: float
    kind: str  # its legend entry
    radius: float
    text: Text | None = None

    @property
    def icon(self) -> str:
        """Its shape around (0, 0), for the list that stands for the picture on a phone."""
        return shape_path(STYLES[self.kind][1], 0, 0, RADIUS)

    @property
    def label(self) -> str:
        return self.value.label


@dataclass
class Edge:
    """A neighbour's row: the line from the trunk to its shape, and the names of the links."""

    node: Node
    names: str  # the links' names, joined
    outgoing: bool  # the arrow points at the neighbour
    x1: float = 0.0
    x2: float = 0.0
    text: Text | None = None

    @property
    def y(self) -> float:
        return self.node.y


@dataclass
class LegendEntry(Drawn):
    kind: str
    name: str
    x: float  # where its shape is drawn
    y: float
    radius: float
    text: Text


@dataclass
class Picture:
    width: int
    height: int
    centre: Node
    nodes: list[Node]
    edges: list[Edge]
    connectors: list[tuple[float, float, float, float]]  # trunks and the lines from the centre to them
    legend_title: Text
    legend: list[LegendEntry] = field(default_factory=list)

    def boxes(self) -> list[tuple[str, Box]]:
        """Every piece of text with the box it fills: what must never overlap."""
        texts = [(self.centre.label, self.centre.text)]
        texts += [(node.label, node.text) for node in self.nodes]
        texts += [(edge.names, edge.text) for edge in self.edges]
        texts += [(entry.name, entry.text) for entry in self.legend] + [("legend", self.legend_title)]
        return [(name, text.box) for name, text in texts if text is not None]


@dataclass
class _Row:
    value: Value
    names: list[str]
    outgoing: bool
    lines: list[str] = field(default_factory=list)
    edge_lines: list[str] = field(default_factory=list)

    @property
    def up(self) -> float:  # room above the row's line: the link's name, or half the neighbour's name
        return max(len(self.edge_lines) * EDGE_FONT * LINE + 4, len(self.lines) * FONT * LINE / 2, RADIUS + 2)

    @property
    def down(self) -> float:
        return max(len(self.lines) * FONT * LINE / 2, RADIUS + 2)


def _rows(links: list[tuple[Value, Value, bool]]) -> list[_Row]:
    """One row per neighbour, naming every link between it and the centre."""
    rows: dict[str, _Row] = {}
    for predicate, value, outgoing in links:
        row = rows.setdefault(value.uri, _Row(value, [], outgoing))
        if predicate.label not in row.names:
            row.names.append(predicate.label)
        row.outgoing = row.outgoing or outgoing
    for row in rows.values():
        row.lines = label_lines(row.value.label, NODE_CHARS)
        row.edge_lines = label_lines(", ".join(row.names), EDGE_CHARS)
    return list(rows.values())


def _stack(rows: list[_Row], top: float) -> tuple[list[float], float]:
    """The y of each row's line, stacked from `top`, and the height they take."""
    ys: list[float] = []
    y = top
    for row in rows:
        y += row.up
        ys.append(y)
        y += row.down + ROW_GAP
    return ys, (y - ROW_GAP - top if rows else 0.0)


def layout(centre: Value, links: list[tuple[Value, Value, bool]], lang: str = "ru") -> Picture:
    """The centre in the middle, links out mostly to the right and links in to the left, a legend below."""
    rows = _rows(links)
    right = [row for row in rows if row.outgoing]
    left = [row for row in rows if not row.outgoing]
    # the two columns about as tall as each other; each row's arrow still says which way its link goes
    while len(right) > len(left) + 1:
        left.append(right.pop())
    while len(left) > len(right):
        right.append(left.pop())

    centre_lines = label_lines(centre.label, CENTRE_CHARS)
    centre_width = max(text_width(line, CENTRE_FONT) for line in centre_lines)
    centre_height = len(centre_lines) * CENTRE_FONT * LINE
    half = max(centre_width / 2, CENTRE_RADIUS) + 14  # from the centre to a trunk

    def names_width(side: list[_Row]) -> float:
        return max((text_width(line, FONT) for row in side for line in row.lines), default=0.0)

    def segment(side: list[_Row]) -> float:  # from the trunk to a shape: room for the links' names
        return max((text_width(line, EDGE_FONT) for row in side for line in row.edge_lines), default=0.0) + 30

    x_left_node = MARGIN + names_width(left) + TEXT_GAP + RADIUS
    x_left_trunk = x_left_node + segment(left)
    centre_x = x_left_trunk + half if left else MARGIN + half
    x_right_trunk = centre_x + half
    x_right_node = x_right_trunk + segment(right)
    width = x_right_node + RADIUS + TEXT_GAP + names_width(right) + MARGIN if right else centre_x + half

    left_ys, left_height = _stack(left, 0.0)
    right_ys, right_height = _stack(right, 0.0)
    block = 2 * CENTRE_RADIUS + 8 + centre_height  # the centre's shape with its name below
    height = max(left_height, right_height, block)
    top = MARGIN

    centre_y = top + (height - block) / 2 + CENTRE_RADIUS
    middle = Node(centre, centre_x, centre_y, legend_kind(centre), CENTRE_RADIUS)
    middle.text = _text(centre_lines, centre_x, centre_y + CENTRE_RADIUS + 8, "middle", CENTRE_FONT)

    nodes: list[Node] = []
    edges: list[Edge] = []
    connectors: list[tuple[float, float, float, float]] = []
    for side, ys, side_height, node_x, trunk_x, anchor in (
        (right, right_ys, right_height, x_right_node, x_right_trunk, "start"),
        (left, left_ys, left_height, x_left_node, x_left_trunk, "end"),
    ):
        if not side:
            continue
        shift = top + (height - side_height) / 2
        ys = [y + shift for y in ys]
        toward = 1 if anchor == "start" else -1  # which way the names run from the shapes
        for row, y in zip(side, ys, strict=True):
            node = Node(row.value, node_x, y, legend_kind(row.value), RADIUS)
            node.text = _text(
                row.lines, node_x + toward * (RADIUS + TEXT_GAP), y - len(row.lines) * FONT * LINE / 2, anchor, FONT
            )
            edge = Edge(node, ", ".join(row.names), row.outgoing, trunk_x, node_x - toward * (RADIUS + 3))
            edge_top = y - 3 - len(row.edge_lines) * EDGE_FONT * LINE
            edge.text = _text(row.edge_lines, trunk_x + toward * 8, edge_top, anchor, EDGE_FONT)
            nodes.append(node)
            edges.append(edge)
        connectors.append((centre_x + toward * CENTRE_RADIUS, centre_y, trunk_x, centre_y))
        connectors.append((trunk_x, min(ys + [centre_y]), trunk_x, max(ys + [centre_y])))

    # the legend: one entry per kind drawn, in the order of STYLES, in rows as wide as the picture
    kinds = {middle.kind} | {node.kind for node in nodes}
    y = top + height + 18
    title = _text([ui_text("legend.title", lang) + ":"], MARGIN, y, "start", LEGEND_FONT)
    x = title.box.right + 12
    legend: list[LegendEntry] = []
    for kind in (k for k in STYLES if k in kinds):
        name = ui_text(f"legend.{kind}", lang)
        entry_width = 2 * RADIUS + 6 + text_width(name, LEGEND_FONT)
        if legend and x + entry_width > width - MARGIN:  # the next row; the first entry stays by the title
            x, y = MARGIN, y + LEGEND_FONT * LINE + 8
        text = _text([name], x + 2 * RADIUS + 6, y, "start", LEGEND_FONT)
        icon_y = y + LEGEND_FONT * LINE / 2
        legend.append(LegendEntry(kind, name, x + RADIUS, icon_y, RADIUS * 0.75, text))
        width = max(width, text.box.right + MARGIN)
        x = text.box.right + 16
    height_total = y + LEGEND_FONT * LINE + MARGIN
    return Picture(math.ceil(width), math.ceil(height_total), middle, nodes, edges, connectors, title, legend)
