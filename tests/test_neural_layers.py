"""The masked poolings and the network built from them."""

import re
from pathlib import Path

import keras
import numpy as np
import pytest

from textclf.models import AttentionPooling, build_bilstm_attention
from textclf.models.neural import (
    MaskedGlobalAveragePooling1D,
    MaskedGlobalMaxPooling1D,
)


@pytest.fixture
def values():
    return np.random.default_rng(0).normal(size=(3, 5, 4)).astype("float32")


@pytest.fixture
def mask():
    return np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], dtype=bool)


def test_attention_pooling_is_the_masked_weighted_sum_of_the_formula(values, mask):
    layer = AttentionPooling(max_steps=5)
    layer.build(values.shape)
    kernel = np.random.default_rng(1).normal(size=(4, 1)).astype("float32")
    bias = np.linspace(-1, 1, 5).astype("float32")
    layer.kernel.assign(kernel)
    layer.bias.assign(bias)
    pooled = keras.ops.convert_to_numpy(layer(values, mask=mask))

    weights = np.exp(np.tanh(values @ kernel[:, 0] + bias)) * mask
    expected = (values * (weights / (weights.sum(1, keepdims=True) + 1e-7))[..., None]).sum(1)
    np.testing.assert_allclose(pooled, expected, rtol=1e-5, atol=1e-6)
    assert np.all(pooled[2] == 0)  # all padding: zeros, not NaN


def test_padded_steps_change_nothing_whatever_they_hold(values, mask):
    noisy = values.copy()
    noisy[~mask] = 1e3
    for layer in (AttentionPooling(max_steps=5), MaskedGlobalAveragePooling1D(),
                  MaskedGlobalMaxPooling1D()):
        clean = keras.ops.convert_to_numpy(layer(values, mask=mask))
        np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(noisy, mask=mask)), clean,
                                   rtol=1e-6)
        assert np.all(np.isfinite(clean)) and np.all(clean[2] == 0)


def test_masked_mean_and_max_read_only_the_real_steps(values, mask):
    mean = keras.ops.convert_to_numpy(MaskedGlobalAveragePooling1D()(values, mask=mask))
    largest = keras.ops.convert_to_numpy(MaskedGlobalMaxPooling1D()(values, mask=mask))
    np.testing.assert_allclose(mean[0], values[0, :3].mean(0), rtol=1e-6)
    np.testing.assert_allclose(largest[0], values[0, :3].max(0))
    np.testing.assert_allclose(largest[1], values[1].max(0))


def test_attention_pooling_serialises_under_the_textclf_package():
    layer = AttentionPooling(max_steps=7, epsilon=1e-6, name="attention")
    config = keras.saving.serialize_keras_object(layer)
    assert config["registered_name"] == "textclf>AttentionPooling"
    restored = keras.saving.deserialize_keras_object(config)
    assert isinstance(restored, AttentionPooling)
    assert (restored.max_steps, restored.epsilon) == (7, 1e-6)


def _model(**kwargs):
    matrix = np.random.default_rng(0).normal(size=(30, 6)).astype("float32")
    matrix[0] = 0
    return build_bilstm_attention(matrix, lstm_units=3, dense_units=4, seed=0, **kwargs)


def test_model_has_the_seed_layout_and_output_shape():
    model = _model()
    names = [layer.name for layer in model.layers]
    assert names.index("bilstm_1") < names.index("bilstm_2") < names.index("concatenate")
    assert model.get_layer("concatenate").output.shape == (None, 8 * 3)  # four 2*units blocks
    assert not model.get_layer("embedding").trainable
    ids = np.array([[3, 4, 5, 0], [7, 0, 0, 0]], dtype="int32")
    proba = keras.ops.convert_to_numpy(model(ids, training=False))
    assert proba.shape == (2, 1) and np.all((proba > 0) & (proba < 1))
    embedding = keras.ops.convert_to_numpy(model.get_layer("embedding").embeddings)
    np.testing.assert_array_equal(embedding[0], 0)


def test_a_row_padded_to_70_predicts_as_padded_to_its_own_length():
    model = _model(max_len=70)
    rows = [[3, 4, 5, 6, 7], [8, 9], [10, 11, 12, 13, 14, 15, 16, 17]]
    wide = np.zeros((3, 70), dtype="int32")
    for i, row in enumerate(rows):
        wide[i, :len(row)] = row
    in_batch = keras.ops.convert_to_numpy(model(wide, training=False))[:, 0]
    alone = [keras.ops.convert_to_numpy(model(np.array([row], dtype="int32"),
                                              training=False))[0, 0] for row in rows]
    np.testing.assert_allclose(in_batch, alone, rtol=1e-5, atol=1e-6)


def test_mixed_precision_keeps_the_sigmoid_output_float32():
    model = _model(dtype_policy="mixed_float16")
    assert model.get_layer("bilstm_1").compute_dtype == "float16"
    proba = model(np.array([[3, 4, 0]], dtype="int32"), training=False)
    assert keras.backend.standardize_dtype(proba.dtype) == "float32"


def test_same_seed_same_initial_weights():
    first, second = _model(), _model()
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_neural_code_makes_no_tensorflow_calls():
    source = Path(__file__).resolve().parents[1] / "textclf" / "models" / "neural"
    for path in source.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"\btf\.|import tensorflow|from tensorflow", text), path.name
