"""BiLSTMClassifier end to end: training, prediction, history, saving, pickling, seeds."""

import logging
import os
import pickle
import subprocess
import sys

import keras
import numpy as np
import pytest
from sklearn.base import clone

from textclf.data import load_dataset
from textclf.models import BiLSTMClassifier, StochasticWeightAveraging, oof_predict
from textclf.models.neural import _classifier
from textclf.text import EmbeddingNormalizer

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
    return BiLSTMClassifier(epochs=2, swa_start=0.5, **TINY).fit(texts, y)


class _RecordedAveraging(StochasticWeightAveraging):
    """Weight averaging that keeps what it averaged and the batch-normalisation statistics
    before and after their recompute, for the tests to check against."""

    last = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.snapshots, self.statistics = [], {}
        type(self).last = self

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        self.snapshots.append([keras.ops.convert_to_numpy(v).copy()
                               for v in self.model.trainable_variables])

    def on_train_end(self, logs=None):
        norm = self.model.get_layer("batch_normalization")

        def statistics():
            return [keras.ops.convert_to_numpy(v).copy()
                    for v in (norm.moving_mean, norm.moving_variance)]

        self.statistics["before"] = statistics()
        super().on_train_end(logs)
        self.statistics["after"] = statistics()


@pytest.fixture(scope="module")
def without_validation(data):
    """Every row trained on (nothing held out), three batches of 80 rows per epoch (an odd
    number), three epochs with weight averaging from the default share, eager."""
    texts, y = data
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_classifier, "StochasticWeightAveraging", _RecordedAveraging)
        model = BiLSTMClassifier(epochs=3, validation_fraction=0.0, run_eagerly=True,
                                 **{**TINY, "batch_size": 80}).fit(texts, y)
    return model, _RecordedAveraging.last


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
    # Half of two epochs would average the last one alone: two snapshots are kept.
    assert fitted.swa_start_epoch_ == 1


def test_validation_fraction_zero_trains_on_every_row(data, without_validation, caplog):
    texts, y = data
    model, _ = without_validation
    assert model.threshold_ == 0.5 and model.validation_f1_ is None
    assert set(model.history_) == {"epoch", "loss", "lr", "seconds"}
    with caplog.at_level(logging.INFO, logger="textclf.models.neural"):
        BiLSTMClassifier(epochs=1, swa_start=None, validation_fraction=0.0, run_eagerly=True,
                         **TINY).fit(texts, y)
    assert f"{len(y)} training rows, 0 validation rows" in caplog.text


def test_every_epoch_of_an_odd_number_of_batches_ends_at_the_lowest_rate(without_validation):
    model, averaging = without_validation
    assert len(averaging.batch_norm_data) == 3  # 240 rows in batches of 80
    np.testing.assert_allclose(model.history_["lr"], model.learning_rate, rtol=1e-6)


def test_final_weights_are_the_mean_of_the_snapshots_from_the_resolved_epoch(
        without_validation):
    model, averaging = without_validation
    # 0.4 of 3 epochs: averaging from the 2nd epoch (1-based), two snapshots.
    assert model.swa_start_epoch_ == 2 and averaging.averaged_epochs == [1, 2]
    assert len(averaging.snapshots) == 3
    final = [keras.ops.convert_to_numpy(v) for v in model.model_.trainable_variables]
    for position, weights in enumerate(final):
        expected = np.mean([epoch[position] for epoch in averaging.snapshots[1:]], axis=0)
        np.testing.assert_allclose(weights, expected, rtol=1e-5, atol=1e-6)
    # The mean is not the last epoch's weights, which training alone would have left.
    assert not all(np.allclose(weights, last)
                   for weights, last in zip(final, averaging.snapshots[-1]))


def test_batch_norm_statistics_are_recomputed_after_averaging(without_validation):
    model, averaging = without_validation
    assert averaging.batch_norm_layers == ["batch_normalization"]
    norm = model.model_.get_layer("batch_normalization")
    for before, after, now in zip(averaging.statistics["before"], averaging.statistics["after"],
                                  (norm.moving_mean, norm.moving_variance)):
        assert not np.allclose(before, after)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(now), after)


def test_a_test_word_outside_the_training_texts_gets_its_pretrained_vector(
        data, without_validation):
    from textclf.embeddings import default_embeddings

    texts, _ = data
    model, _ = without_validation
    glove = default_embeddings()
    training_words = set(" ".join(model.normalizer_.transform(texts.to_numpy())).split())
    word = next(w for w in glove.index_to_key if w.isalpha() and not {
        w, w.capitalize(), w.upper()} & training_words)
    word_id = model.tokenizer_.word_index()[word]
    weights = keras.ops.convert_to_numpy(model.model_.get_layer("embedding").embeddings)
    np.testing.assert_allclose(weights[word_id], glove[word], rtol=1e-6)
    # The row is the word's, not the out-of-vocabulary one: it changes the prediction.
    assert model.tokenizer_.transform([word.capitalize()]).row(0).tolist() == [word_id]
    with_word, with_unknown = model.predict_proba([f"call {word} now", "call zzqxv now"])[:, 1]
    assert with_word != with_unknown
    assert len(model.tokenizer_.words_) == TINY["max_features"]


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
    again = BiLSTMClassifier(epochs=2, swa_start=0.5, **TINY).fit(texts, y)
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


def test_several_embeddings_are_averaged_after_each_finds_the_word_its_way(data):
    from gensim.models import KeyedVectors

    from textclf.embeddings import default_embeddings, resolve_words

    texts, y = data
    glove = default_embeddings()  # lower-case
    # A second, cased source of other values: GloVe's first words capitalised, 2v + 1.
    first = glove.index_to_key[:20_000]
    cased = KeyedVectors(glove.vector_size)
    cased.add_vectors([word.capitalize() for word in first], 2 * glove[first] + 1)
    model = BiLSTMClassifier(embeddings=[glove, cased], epochs=1, swa_start=None,
                             validation_fraction=None, add_pretrained_words=False,
                             run_eagerly=True, **TINY).fit(texts, y)
    assert clone(model).embeddings[0] is glove  # vectors are shared by clones, not copied
    assert model.embedding_coverage_ > 0.5
    weights = keras.ops.convert_to_numpy(model.model_.get_layer("embedding").embeddings)
    index = model.tokenizer_.word_index()
    # Words of both sources, a lower-case one and a capitalised one: each source finds
    # its own spelling ("call" in GloVe, "Call" in the cased one), and the row is the mean.
    lower = next(w for w in index if w.islower() and w in glove.key_to_index
                 and w.capitalize() in cased.key_to_index)
    capital = next(w for w in index if w[:1].isupper() and w[1:].islower()
                   and w in cased.key_to_index and w.lower() in glove.key_to_index)
    for word in (lower, capital):
        in_glove = resolve_words([word], glove)[word]
        in_cased = resolve_words([word], cased)[word]
        assert in_glove != in_cased  # different spellings, both found
        np.testing.assert_allclose(weights[index[word]],
                                   (glove[in_glove] + cased[in_cased]) / 2, rtol=1e-5)


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


class ProcessRecordingNormalizer(EmbeddingNormalizer):
    """EmbeddingNormalizer that notes the id of the process that fitted it."""

    def fit(self, X, y=None):
        self.fitted_in_process_ = os.getpid()
        return super().fit(X, y)


@pytest.mark.slow
def test_oof_predict_sends_folds_to_worker_processes(data):
    texts, y = data
    model = BiLSTMClassifier(epochs=1, swa_start=None, run_eagerly=True,
                             normalizer=ProcessRecordingNormalizer(), **TINY)
    in_workers = oof_predict(model, texts, y, n_splits=2, n_jobs=2, return_estimators=True)
    here = oof_predict(model, texts, y, n_splits=2, n_jobs=1, return_estimators=True)
    workers = {e.normalizer_.fitted_in_process_ for e in in_workers.estimators}
    assert workers and os.getpid() not in workers
    assert {e.normalizer_.fitted_in_process_ for e in here.estimators} == {os.getpid()}
    assert all(isinstance(e.model_, keras.Model) for e in in_workers.estimators)
    # The same seed gives the same folds and models, in a worker or here.
    np.testing.assert_allclose(in_workers.oof, here.oof, rtol=1e-5, atol=1e-7)
    for there, local in zip(in_workers.estimators, here.estimators):
        np.testing.assert_allclose(there.predict_proba(texts[:20]),
                                   local.predict_proba(texts[:20]), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("params, message", [
    ({"validation_fraction": 1.5}, "validation_fraction"), ({"max_lr": 1e-5}, "max_lr"),
    ({"embeddings": 3}, "embeddings"), ({"swa_start": -1}, "swa_start"),
    ({"swa_start": 4}, r"'swa_start' parameter .* range \[0\.0, 1\.0\)"),
    ({"swa_start": 1.0}, "swa_start"), ({"swa_start": True}, "swa_start"),
    ({"epochs": True}, "'epochs' parameter"), ({"max_len": 0}, "'max_len' parameter"),
    ({"fallbacks": ("stem",)}, r"fallbacks names unknown \['stem'\]"),
    ({"validation_fraction": -0.1}, "validation_fraction"),
    ({"add_pretrained_words": "yes"}, "add_pretrained_words"),
    ({"clr_mode": "cosine"}, "clr_mode"), ({"clr_gamma": True}, "clr_gamma"),
    ({"dropout": 1.0}, "dropout")])
def test_invalid_parameters_are_named_at_fit(params, message):
    with pytest.raises(ValueError, match=message):
        BiLSTMClassifier(**params).fit(["a b", "c d"], [0, 1])


def test_the_cycle_settings_are_checked_only_when_the_rate_cycles(monkeypatch):
    class Checked(Exception):
        """Raised where training would start: the settings were accepted."""

    def stop(*args, **kwargs):
        raise Checked

    monkeypatch.setattr(BiLSTMClassifier, "_training_data", stop)
    unused = {"max_lr": None, "clr_mode": "cosine", "clr_step_size": 0}
    with pytest.raises(Checked):
        BiLSTMClassifier(cyclical_lr=False, verbose="auto", **unused).fit(["a", "b"], [0, 1])
    with pytest.raises(ValueError, match="'max_lr' parameter"):
        BiLSTMClassifier(**unused).fit(["a", "b"], [0, 1])


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
