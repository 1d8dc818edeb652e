"""BiLSTMClassifier end to end: training, prediction, history, saving, pickling, seeds."""

import pickle
import subprocess
import sys

import keras
import numpy as np
import pytest
from sklearn.base import clone

from textclf.data import load_dataset
from textclf.models import BiLSTMClassifier, oof_predict

# Small enough that one epoch is one or two batches of short sequences.
TINY = {"max_features": 2000, "max_len": 24, "lstm_units": 4, "dense_units": 4,
        "batch_size": 128, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    rows = load_dataset("sms_spam").sample(240, random_state=0)
    return rows["question_text"].reset_index(drop=True), rows["target"].to_numpy()


@pytest.fixture(scope="module")
def fitted(data):
    """Two compiled (not eager) epochs with a validation part and weight averaging."""
    texts, y = data
    return BiLSTMClassifier(epochs=2, swa_start=1, **TINY).fit(texts, y)


def test_trains_and_predicts_probabilities_of_both_classes(fitted, data):
    texts, _ = data
    proba = fitted.predict_proba(texts[:50])
    assert proba.shape == (50, 2) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(fitted.classes_) == [0, 1]
    labels = fitted.predict(texts[:50])
    np.testing.assert_array_equal(labels, (proba[:, 1] >= fitted.threshold_).astype(int))
    assert fitted.model_.get_layer("proba").dtype_policy.compute_dtype == "float32"


def test_history_holds_loss_validation_f1_and_learning_rate_per_epoch(fitted):
    history = fitted.history_
    assert history["epoch"] == [1, 2]
    assert set(history) == {"epoch", "loss", "lr", "seconds", "val_loss", "val_f1",
                            "val_threshold"}
    assert all(len(values) == 2 for values in history.values())
    # "auto" step size: every epoch is one cycle and ends at the lower bound.
    np.testing.assert_allclose(history["lr"], fitted.learning_rate, rtol=1e-5)
    assert 0 <= fitted.validation_f1_ <= 1 and 0 < fitted.threshold_ < 1


def test_threshold_is_the_best_validation_f1_threshold(data):
    from sklearn.model_selection import train_test_split

    from textclf.metrics import best_f1_threshold

    texts, y = data
    model = BiLSTMClassifier(epochs=1, swa_start=None, run_eagerly=True, **TINY).fit(texts, y)
    # The same split as fit's: stratified, seeded by random_state.
    _, valid = train_test_split(np.arange(len(y)), test_size=0.1, stratify=y, random_state=0)
    best = best_f1_threshold(y[valid], model.predict_proba(texts[valid])[:, 1])
    assert model.threshold_ == pytest.approx(best.threshold, rel=1e-5)
    assert model.validation_f1_ == pytest.approx(best.f1)


def test_save_and_load_give_identical_predictions(fitted, data, tmp_path):
    texts, _ = data
    target = tmp_path / "bilstm"
    fitted.save(target)
    assert sorted(p.name for p in target.iterdir()) == ["estimator.json", "model.keras",
                                                        "vocabulary.json"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left
    loaded = BiLSTMClassifier.load(target)
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))
    assert loaded.threshold_ == fitted.threshold_ and loaded.history_ == fitted.history_
    assert loaded.get_params() == fitted.get_params()
    with pytest.raises(FileExistsError):
        fitted.save(target)
    fitted.save(target, overwrite=True)


def test_save_keeps_normaliser_settings_and_refuses_what_it_cannot_write(data, tmp_path):
    from sklearn.preprocessing import FunctionTransformer

    from textclf.text import EmbeddingNormalizer

    texts, y = data
    settings = {"epochs": 1, "swa_start": None, "validation_fraction": None, "run_eagerly": True,
                **TINY}
    model = BiLSTMClassifier(normalizer=EmbeddingNormalizer(min_masked_digits=2),
                             **settings).fit(texts, y)
    loaded = BiLSTMClassifier.load(model.save(tmp_path / "masked"))
    assert loaded.normalizer.min_masked_digits == 2 == loaded.normalizer_.min_masked_digits
    np.testing.assert_array_equal(loaded.predict_proba(texts), model.predict_proba(texts))
    custom = BiLSTMClassifier(normalizer=FunctionTransformer(), **settings).fit(texts, y)
    with pytest.raises(TypeError, match="pickle"):
        custom.save(tmp_path / "custom")


def test_load_names_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.keras"):
        BiLSTMClassifier.load(tmp_path)


def test_pickles_with_the_model_as_keras_bytes_and_clones_unfitted(fitted, data):
    texts, _ = data
    state = fitted.__getstate__()
    assert isinstance(state["model_"], bytes) and state["model_"][:2] == b"PK"  # a .keras zip
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(texts), fitted.predict_proba(texts))
    twin = clone(fitted)
    assert twin.get_params() == fitted.get_params() and not hasattr(twin, "model_")


def test_same_seed_same_model(fitted, data):
    texts, y = data
    again = BiLSTMClassifier(epochs=2, swa_start=1, **TINY).fit(texts, y)
    np.testing.assert_array_equal(again.predict_proba(texts), fitted.predict_proba(texts))
    for key in ("loss", "lr", "val_loss", "val_f1", "val_threshold"):
        assert again.history_[key] == fitted.history_[key]


def test_fixed_padding_and_no_clr_or_swa_also_train(data):
    texts, y = data
    model = BiLSTMClassifier(epochs=1, dynamic_padding=False, cyclical_lr=False,
                             swa_start=None, validation_fraction=None, run_eagerly=True,
                             **TINY).fit(texts, y)
    assert model.threshold_ == 0.5 and model.validation_f1_ is None
    assert set(model.history_) == {"epoch", "loss", "lr", "seconds"}
    assert model.predict_proba(texts[:3]).shape == (3, 2)


def test_mixed_precision_trains_with_a_float32_output(data):
    texts, y = data
    model = BiLSTMClassifier(epochs=1, mixed_precision=True, swa_start=None,
                             validation_fraction=None, run_eagerly=True, **TINY).fit(texts, y)
    assert model.model_.get_layer("bilstm_1").compute_dtype == "float16"
    assert model.model_.get_layer("proba").compute_dtype == "float32"
    assert np.isfinite(model.predict_proba(texts[:20])).all()


def test_several_embeddings_are_averaged(data):
    from textclf.features import default_embeddings

    texts, y = data
    glove = default_embeddings()
    model = BiLSTMClassifier(embeddings=[glove, "default"], epochs=1, swa_start=None,
                             validation_fraction=None, run_eagerly=True, **TINY).fit(texts, y)
    assert clone(model).embeddings[0] is glove  # vectors are shared by clones, not copied
    assert model.embedding_coverage_ > 0.5


def test_vectors_trained_on_the_training_texts_initialise_the_embedding(data):
    texts, y = data
    model = BiLSTMClassifier(embeddings="word2vec", epochs=1, swa_start=None,
                             validation_fraction=None, run_eagerly=True, **TINY)
    model.fit(texts, y)
    assert model.model_.get_layer("embedding").output_dim == 100
    assert model.embedding_coverage_ > 0.3


def test_oof_predict_runs_the_folds(data):
    texts, y = data
    model = BiLSTMClassifier(epochs=1, swa_start=None, run_eagerly=True, **TINY)
    result = oof_predict(model, texts, y, n_splits=2)
    assert result.oof.shape == (len(y),) and 0 <= result.f1 <= 1


@pytest.mark.slow
def test_oof_predict_sends_folds_to_worker_processes(data):
    texts, y = data
    model = BiLSTMClassifier(epochs=1, swa_start=None, run_eagerly=True, **TINY)
    result = oof_predict(model, texts, y, n_splits=2, n_jobs=2, return_estimators=True)
    assert all(isinstance(e.model_, keras.Model) for e in result.estimators)
    np.testing.assert_allclose(result.estimators[0].predict_proba(texts[:5])[:, 1],
                               result.estimators[0].predict_proba(texts[:5])[:, 1])


@pytest.mark.parametrize("params, message", [
    ({"validation_fraction": 1.5}, "validation_fraction"), ({"max_lr": 1e-5}, "max_lr"),
    ({"embeddings": 3}, "embeddings"), ({"swa_start": -1}, "swa_start"),
    ({"clr_mode": "cosine"}, "clr_mode"), ({"dropout": 1.0}, "dropout")])
def test_invalid_parameters_are_named_at_fit(params, message):
    with pytest.raises(ValueError, match=message):
        BiLSTMClassifier(**params).fit(["a b", "c d"], [0, 1])


def test_too_few_rows_for_a_validation_part_says_what_to_do():
    with pytest.raises(ValueError, match="validation_fraction=None"):
        BiLSTMClassifier().fit(["a", "b", "c", "d"], [0, 1, 0, 0])


def test_importing_textclf_models_does_not_import_keras():
    code = ("import sys, textclf.models; print(sorted(m for m in ('tensorflow', 'keras', "
            "'jax', 'torch') if m in sys.modules)); textclf.models.BiLSTMClassifier; "
            "print('keras' in sys.modules)")
    lines = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split()
    assert lines == ["[]", "True"]
