"""Shared fixtures: settings in a temporary ZAMENA_HOME, and a knowledge base built from the seed once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zamena.kb import KnowledgeBase
from zamena.settings import Settings

from .helpers import SEED


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(home=tmp_path / "home", store="oxigraph")


@pytest.fixture
def kb(settings: Settings) -> Iterator[KnowledgeBase]:
    with KnowledgeBase(settings) as knowledge_base:
        yield knowledge_base


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A knowledge base on the real Oxigraph store holding the seed news item, built once per session."""
    settings = Settings.from_env(home=tmp_path_factory.mktemp("seed"), store="oxigraph")
    with KnowledgeBase(settings) as knowledge_base:
        report = knowledge_base.ingest([SEED])
    assert report.failed == [] and report.read == 1
    return settings


@pytest.fixture(scope="session")
def seed_kb(seed_settings: Settings) -> Iterator[KnowledgeBase]:
    with KnowledgeBase(seed_settings, read_only=True) as knowledge_base:
        yield knowledge_base
