"""Zamena: a knowledge graph of high-tech firms, their competences and products."""

__version__ = "0.1.0"
