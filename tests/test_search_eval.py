"""The evaluation set with the real model: hybrid search must beat BM25 alone and dense alone on nDCG@10.

The knowledge base holds the profiles and news of corpora/ and the classifiers cut down to the divisions
the questions are about and their neighbours (21, 26–30, 32: about 2,000 concepts, electrical and
medical distractors included), so that the model embeds minutes' worth of texts, not the whole
classifiers. `python -m bench.search_eval` runs the same evaluation on the whole corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.search_eval import MODES, evaluate, split_queries, subsets
from search.embedder import SentenceEmbedder
from search.engine import SearchEngine
from search.model_rebuild import rebuild_model
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
DIVISIONS = ("21", "26", "27", "28", "29", "30", "32")

pytestmark = pytest.mark.slow


def _keep(code: str) -> bool:
    code = code.strip()
    return not code or code.isalpha() or code.startswith(DIVISIONS)


def slice_okpd2(source: Path, target: Path) -> None:
    text = source.read_bytes().decode("cp1251")
    head, rest = text.split("<array>", 1)
    records = re.findall(r"<array>.*?</array>", "<array>" + rest, flags=re.S)
    codes = [re.search(r"<Kod>(.*?)</Kod>|<Kod\s*/>", r) for r in records]  # an empty code is written <Kod/>
    kept = [r for r, code in zip(records, codes, strict=True) if code and _keep(code.group(1) or "")]
    target.write_bytes((head + "".join(kept) + "</catalog>").encode("cp1251"))


def slice_okved2(source: Path, target: Path) -> None:
    lines = source.read_bytes().decode("cp1251").splitlines(keepends=True)
    kept = [line for line in lines if _keep(line.split(";")[1].strip('"'))]
    target.write_bytes("".join(kept).encode("cp1251"))


@pytest.fixture(scope="module")
def eval_kb(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    model_folder = Path(request.config.cache.mkdir("zamena-models")) / "multilingual-e5-small"
    rebuild_model(model_folder)
    home = tmp_path_factory.mktemp("eval-kb")
    classifiers = home / "classifiers"
    classifiers.mkdir()
    slice_okpd2(next((CORPORA / "classifiers").glob("okpd2-*.xml")), classifiers / "okpd2.xml")
    slice_okved2(next((CORPORA / "classifiers").glob("okved2-*.csv")), classifiers / "okved2.csv")
    settings = Settings.from_env(home=home, store="oxigraph")
    with KnowledgeBase(settings, embedder=SentenceEmbedder(model_folder)) as kb:
        report = kb.ingest([CORPORA / "profiles", CORPORA / "news", classifiers])
        assert not report.failed, report.summary()
        kb.update_index()
        yield kb


def test_every_gold_answer_is_in_the_graph(eval_kb):
    queries, skipped = split_queries(eval_kb)
    assert [q["id"] for q in skipped] == []
    assert len(queries) >= 30


@pytest.fixture(scope="module")
def scores(eval_kb):
    queries, _skipped = split_queries(eval_kb)
    engine = SearchEngine(eval_kb.graph, eval_kb.search_service.index(), eval_kb.search_service.embedder)
    scores = {mode: evaluate(engine, queries, mode) for mode in MODES}
    paraphrases = subsets(queries)["paraphrase"]
    scores["paraphrase/dense"] = evaluate(engine, paraphrases, "dense")
    scores["paraphrase/lexical"] = evaluate(engine, paraphrases, "lexical")
    for mode, metrics in scores.items():
        print(mode, {name: round(value, 3) for name, value in metrics.items()})
    return scores


def test_hybrid_beats_lexical_on_ndcg(scores):
    assert scores["hybrid"]["nDCG@10"] > scores["lexical"]["nDCG@10"]


def test_paraphrases_are_found_by_the_model_not_by_words(scores):
    # Paraphrases share no word with the profile: the model, not BM25, has to find them.
    assert scores["paraphrase/dense"]["nDCG@10"] > scores["paraphrase/lexical"]["nDCG@10"]


def test_hybrid_beats_dense_on_ndcg(scores):
    assert scores["hybrid"]["nDCG@10"] > scores["dense"]["nDCG@10"]
