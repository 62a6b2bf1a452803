"""The vocabulary, the shapes, the classifier schemes and the KnowledgeGraph facade over the store."""

from ontology.graph import KnowledgeGraph, StoreLocked
from ontology.namespaces import ZO

__all__ = ["ZO", "KnowledgeGraph", "StoreLocked"]
