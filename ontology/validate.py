"""SHACL validation of the knowledge graph with pySHACL, reported one readable line per finding."""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from ontology.graph import SHAPES_FILE, VOCABULARY_FILE
from ontology.namespaces import SH


@dataclass(frozen=True)
class Finding:
    severity: str  # Violation | Warning | Info
    focus: str
    label: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.severity}: {self.label} <{self.focus}>{where}: {self.message}"


def validate_graph(data: Graph) -> list[Finding]:
    """Every SHACL result for `data`, violations first."""
    shapes = Graph().parse(SHAPES_FILE)
    vocabulary = Graph().parse(VOCABULARY_FILE)
    _conforms, report, text = shacl_validate(
        data, shacl_graph=shapes, ont_graph=vocabulary, inference="none", advanced=True, allow_warnings=True
    )
    if not isinstance(report, Graph):  # the shapes themselves are broken
        raise ValueError(f"{SHAPES_FILE}: {text}")
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        label = data.value(focus, SKOS.prefLabel) or ""
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage) or "does not match its shape"
        findings.append(
            Finding(
                severity,
                str(focus),
                str(label),
                data.namespace_manager.normalizeUri(path) if path is not None else "",
                str(message),
            )
        )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(findings, key=lambda f: (order.get(f.severity, 3), f.focus, f.path))
