"""Ingesting the same corpus twice changes nothing, even though what is read depends on the firms known."""

from __future__ import annotations

import pytest
from rdflib.compare import isomorphic

from zamena.kb import KnowledgeBase

from .helpers import PROJECT

pytestmark = pytest.mark.slow


def test_the_bundled_news_and_profiles_ingested_twice_change_nothing(settings):
    corpus = [PROJECT / "corpora" / "news", PROJECT / "corpora" / "profiles"]
    with KnowledgeBase(settings) as kb:
        first = kb.ingest(corpus)
        assert first.failed == [] and first.read >= 18
        before = kb.graph.union_graph()
        second = kb.ingest(corpus)
        assert (second.changed, second.unchanged) == (0, first.read)
        assert isomorphic(before, kb.graph.union_graph())
