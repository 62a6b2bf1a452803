"""A picture of an entity's neighbourhood: the entity in the middle, its links around it, as SVG.

Only positions are computed here; the template writes the SVG, so every label goes through
Jinja's escaping like any other text of the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from web.describe import Value

WIDTH = 760
HEIGHT = 460
RADIUS_X = 280
RADIUS_Y = 170
LABEL_CHARS = 28

COLOURS = {
    "firm": "#1f6feb",
    "product": "#b35900",
    "concept": "#6f42c1",
    "person": "#1a7f37",
    "document": "#57606a",
    "centre": "#bf3989",
    "zone": "#0a7ea4",
    "organisation": "#8250df",
    "post": "#4d8f3a",
}


def short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Node:
    value: Value
    x: float
    y: float
    colour: str
    label: str


@dataclass
class Edge:
    start: Node
    end: Node
    label: str
    outgoing: bool

    @property
    def middle(self) -> tuple[float, float]:
        return (self.start.x + self.end.x) / 2, (self.start.y + self.end.y) / 2


@dataclass
class Picture:
    width: int
    height: int
    centre: Node
    nodes: list[Node]
    edges: list[Edge]


def layout(centre: Value, links: list[tuple[Value, Value, bool]]) -> Picture:
    """The centre in the middle, neighbours on an ellipse around it, one edge per link."""
    middle = Node(centre, WIDTH / 2, HEIGHT / 2, COLOURS.get(centre.kind, "#24292f"), short(centre.label, 34))
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    neighbours = list(dict.fromkeys(value.uri for _p, value, _out in links))
    count = max(len(neighbours), 1)
    for i, uri in enumerate(neighbours):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        value = next(v for _p, v, _o in links if v.uri == uri)
        nodes[uri] = Node(
            value,
            WIDTH / 2 + RADIUS_X * math.cos(angle),
            HEIGHT / 2 + RADIUS_Y * math.sin(angle),
            COLOURS.get(value.kind, "#57606a"),
            short(value.label),
        )
    for uri, node in nodes.items():  # one edge per neighbour, naming every link between the two
        names = list(dict.fromkeys(p.label for p, v, _o in links if v.uri == uri))
        outgoing = any(out for _p, v, out in links if v.uri == uri)
        edges.append(Edge(middle, node, short(", ".join(names), 30), outgoing))
    return Picture(WIDTH, HEIGHT, middle, list(nodes.values()), edges)
