"""``KerasTextClassifier``: what the Keras text classifiers (``BiLSTMClassifier``,
``TransformerClassifier``) do alike as scikit-learn estimators, so that each of them keeps
only its network, its tokenisation and what it saves of them.

- fitting: the binary target and the seed, the stratified validation split, compiling,
  training with a per-epoch history (``EpochRecorder``), the best-F1 threshold on the
  held-out rows;
- prediction: positive-class probabilities batch by batch, labels from ``threshold_``;
- saving: a directory of the Keras model, a vocabulary file and ``estimator.json`` (with a
  format version) written atomically, and ``load``;
- pickling: the Keras model travels as the bytes of its ``.keras`` file.
"""

from __future__ import annotations

import json
import logging
import numbers
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import keras
import numpy as np
import pyarrow as pa
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.validation import check_is_fitted

from ..._io import atomic_directory
from ..._seeds import int_seed
from ..._text_input import joined_texts
from ...metrics import best_f1_threshold
from .._validation import binary_classes
from ._batching import BucketedBatches

logger = logging.getLogger("textclf.models.neural")

# Files of a saved classifier directory, besides the subclass's vocabulary file.
MODEL_FILE = "model.keras"
ESTIMATOR_FILE = "estimator.json"
# The dtype policy of ``mixed_precision=True``: float16 computations, float32 weights.
MIXED_PRECISION_POLICY = "mixed_float16"


class KerasTextClassifier(ClassifierMixin, BaseEstimator):
    """Base of the binary text classifiers with a Keras network: texts in, the positive
    class's probability from one sigmoid unit out.

    A subclass's parameters include ``max_len``, ``batch_size``, ``bucket_batches``,
    ``pad_multiple``, ``validation_fraction``, ``run_eagerly``, ``jit_compile``,
    ``mixed_precision`` and ``random_state``; its ``fit`` sets ``model_``, ``history_``,
    ``threshold_`` and ``validation_f1_`` with the methods below. It says what its saved
    directory holds with ``_vocabulary_file``, ``_format_version`` and
    ``_saved_attributes``, and implements the hooks that raise ``NotImplementedError``.
    """

    # The file beside model.keras and estimator.json that holds the vocabulary.
    _vocabulary_file: str
    # The version of estimator.json this class writes and reads; raised when a meaning
    # changes, so that an older directory is refused instead of misread.
    _format_version: int
    # Fitted attributes, without their trailing "_", that estimator.json keeps as they are.
    _saved_attributes: tuple[str, ...] = ()

    # --- hooks ----------------------------------------------------------------------------
    def _sequences(self, texts: pa.Array):
        """The fitted tokenisation of ``texts``: the id sequences the network reads."""
        raise NotImplementedError

    def _pads_dynamically(self) -> bool:
        """Whether a batch is padded to its longest row rather than to ``max_len``."""
        return True

    def _vocabulary_text(self) -> str:
        """The content of ``_vocabulary_file``."""
        raise NotImplementedError

    def _text_step_settings(self) -> dict:
        """Entries of estimator.json that ``_restore_text_steps`` reads back."""
        raise NotImplementedError

    def _restore_text_steps(self, vocabulary: str, state: dict) -> None:
        """The fitted steps before the network, from the vocabulary file's content and the
        state of estimator.json."""
        raise NotImplementedError

    def _json_params(self, params: dict) -> dict:
        """``get_params`` as JSON values; ``_params_from_json`` undoes it."""
        return params

    @classmethod
    def _params_from_json(cls, params: dict) -> dict:
        return params

    @staticmethod
    def _load_keras_model(path: Path):
        # The custom layers and schedules register themselves when their modules are
        # imported, which importing the subclass's module has done.
        return keras.saving.load_model(path)

    # --- fitting --------------------------------------------------------------------------
    def _require_y(self, y) -> None:
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target "
                             "y is None")

    def _training_data(self, X, y) -> tuple[pa.Array, np.ndarray, int | None]:
        """The texts of ``X``, the target (1.0 for ``classes_[1]``, float32) and the seed of
        the fit, with which Keras, Python and NumPy are seeded. Sets ``classes_`` and the
        input attributes."""
        texts = joined_texts(self, X, reset=True)
        labels = column_or_1d(y, warn=True)
        check_consistent_length(texts, labels)
        self.classes_ = binary_classes(labels, type(self).__name__)
        target = (labels == self.classes_[1]).astype(np.float32)
        seed = int_seed(self.random_state)
        if seed is not None:
            keras.utils.set_random_seed(seed)
        return texts, target, seed

    def _split(self, target: np.ndarray, seed) -> tuple[np.ndarray, np.ndarray]:
        """Training and validation rows: a stratified ``validation_fraction``, or none."""
        rows = np.arange(len(target))
        if self.validation_fraction is None or self.validation_fraction == 0:
            return rows, rows[:0]
        smaller = int(min(target.sum(), len(target) - target.sum()))
        held_out = smaller * self.validation_fraction
        if held_out < 1 or smaller - held_out < 1:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} of {len(target)} rows leaves "
                f"a class without rows on one side of the split: the smaller class has only "
                f"{smaller} rows. Use more rows, another fraction, or "
                "validation_fraction=None (threshold 0.5)")
        train, valid = train_test_split(rows, test_size=self.validation_fraction,
                                        stratify=target, random_state=seed)
        return np.sort(train), np.sort(valid)

    def _validation_data(self, texts: pa.Array, target: np.ndarray, valid_rows: np.ndarray
                         ) -> tuple[BucketedBatches | None, np.ndarray]:
        """The validation rows' batches (None without rows) and their 0/1 labels."""
        batches = (self._batches(take_rows(texts, valid_rows), None, shuffle=False)
                   if len(valid_rows) else None)
        return batches, target[valid_rows].astype(np.int64)

    def _dtype_policy(self) -> str | None:
        """The network's Keras dtype policy; None keeps Keras's default (float32)."""
        return MIXED_PRECISION_POLICY if self.mixed_precision else None

    def _compile(self, optimizer) -> None:
        if self.mixed_precision:
            # float16 gradients of small losses underflow to zero; scaling the loss up
            # before differentiating (and the gradients back down) keeps them.
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        self.model_.compile(optimizer=optimizer, loss="binary_crossentropy",
                            jit_compile=False if self.run_eagerly else self.jit_compile,
                            run_eagerly=self.run_eagerly)

    def _train(self, train_batches: BucketedBatches, valid_batches: BucketedBatches | None,
               valid_target: np.ndarray, callbacks: Sequence = ()) -> None:
        """``epochs`` of training of ``model_``, recording ``history_`` (with validation
        entries where there are ``valid_batches``)."""
        recorder = EpochRecorder(valid_batches, valid_target)
        self.model_.fit(train_batches, epochs=self.epochs, verbose=self.verbose,
                        callbacks=[recorder, *callbacks])
        self.history_ = recorder.history

    def _choose_threshold(self, valid_batches: BucketedBatches | None,
                          valid_target: np.ndarray, model_name: str) -> None:
        """``threshold_`` and ``validation_f1_``: best F1 of ``model_`` on the validation
        rows, or 0.5 and None without them."""
        self.threshold_, self.validation_f1_ = 0.5, None
        if valid_batches is not None:
            proba = predict_positive(self.model_, valid_batches)
            best = best_f1_threshold(valid_target, proba)
            self.threshold_, self.validation_f1_ = float(best.threshold), float(best.f1)
            logger.info("%s: validation F1 %.4f at threshold %.3f", model_name,
                        self.validation_f1_, self.threshold_)

    def _sequence_batches(self, sequences, target, *, shuffle: bool,
                          seed=None) -> BucketedBatches:
        return BucketedBatches(sequences, target, batch_size=self.batch_size,
                               max_len=self.max_len, dynamic=self._pads_dynamically(),
                               bucket_batches=self.bucket_batches, shuffle=shuffle,
                               pad_multiple=self.pad_multiple, seed=seed)

    def _batches(self, texts: pa.Array, target, *, shuffle: bool,
                 seed=None) -> BucketedBatches:
        """Batches of ``texts`` through the fitted tokenisation."""
        return self._sequence_batches(self._sequences(texts), target, shuffle=shuffle,
                                      seed=seed)

    # --- prediction -----------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of ``classes_[0]`` and ``classes_[1]``, one row per text."""
        check_is_fitted(self, "model_")
        texts = joined_texts(self, X, reset=False)
        if len(texts) == 0:
            return np.empty((0, 2))
        positive = predict_positive(self.model_, self._batches(texts, None, shuffle=False))
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where its probability reaches ``threshold_``, else ``classes_[0]``."""
        positive = self.predict_proba(X)[:, 1] >= self.threshold_
        return self.classes_[positive.astype(np.int64)]

    # --- saving ---------------------------------------------------------------------------
    def save(self, path, *, overwrite: bool = False) -> Path:
        """Write the fitted classifier to the directory ``path``: the Keras model
        (``model.keras``), the vocabulary and the rest of the fitted state
        (``estimator.json``). Written beside ``path`` and renamed into place, so ``path``
        never holds a partial save; an existing ``path`` is an error unless
        ``overwrite``."""
        check_is_fitted(self, "model_")
        with atomic_directory(path, overwrite=overwrite) as staging:
            self.model_.save(staging / MODEL_FILE)
            (staging / self._vocabulary_file).write_text(self._vocabulary_text(),
                                                         encoding="utf-8")
            (staging / ESTIMATOR_FILE).write_text(
                json.dumps(self._saved_state(), indent=1, ensure_ascii=False,
                           default=json_value), encoding="utf-8")
        return Path(path)

    @classmethod
    def load(cls, path) -> Self:
        """A fitted classifier from a directory written by ``save``."""
        directory = Path(path)
        for name in (MODEL_FILE, cls._vocabulary_file, ESTIMATOR_FILE):
            if not (directory / name).is_file():
                raise FileNotFoundError(
                    f"{directory / name} not found: {directory} is not a directory written "
                    f"by {cls.__name__}.save (it needs {MODEL_FILE}, {cls._vocabulary_file} "
                    f"and {ESTIMATOR_FILE})")
        state = json.loads((directory / ESTIMATOR_FILE).read_text(encoding="utf-8"))
        if state.get("format") != cls._format_version:
            raise ValueError(f"{directory / ESTIMATOR_FILE} has format "
                             f"{state.get('format')!r}; this textclf reads format "
                             f"{cls._format_version}")
        estimator = cls(**cls._params_from_json(state["params"]))
        estimator._restore_text_steps(
            (directory / cls._vocabulary_file).read_text(encoding="utf-8"), state)
        estimator.model_ = cls._load_keras_model(directory / MODEL_FILE)
        estimator.classes_ = np.asarray(state["classes"])
        estimator.threshold_ = float(state["threshold"])
        estimator.validation_f1_ = state["validation_f1"]
        estimator.history_ = state["history"]
        for name in cls._saved_attributes:
            setattr(estimator, f"{name}_", state[name])
        estimator.n_features_in_ = state["n_features_in"]
        if state.get("feature_names_in") is not None:
            estimator.feature_names_in_ = np.asarray(state["feature_names_in"], dtype=object)
        return estimator

    def _saved_state(self) -> dict:
        """The content of estimator.json."""
        params = self._json_params(self.get_params(deep=False))
        if not isinstance(params["random_state"], (numbers.Integral, type(None))):
            params["random_state"] = None  # a RandomState's draws cannot be replayed
        return {"format": self._format_version, "params": params,
                **self._text_step_settings(),
                "classes": self.classes_.tolist(), "threshold": self.threshold_,
                "validation_f1": self.validation_f1_, "history": self.history_,
                **{name: getattr(self, f"{name}_") for name in self._saved_attributes},
                "n_features_in": self.n_features_in_,
                "feature_names_in": (self.feature_names_in_.tolist()
                                     if hasattr(self, "feature_names_in_") else None),
                "keras_backend": keras.backend.backend()}

    # --- pickling and tags ----------------------------------------------------------------
    def __getstate__(self):
        """Pickle state: the Keras model travels as the bytes of its ``.keras`` file.

        ``oof_predict`` runs folds through joblib, whose worker processes receive and
        return estimators by pickling; a Keras model itself does not pickle on every
        backend, its ``.keras`` archive does.
        """
        state = super().__getstate__()
        if "model_" in state:
            state = dict(state)
            state["model_"] = model_to_bytes(state["model_"])
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):
            state = dict(state)
            state["model_"] = model_from_bytes(state["model_"], self._load_keras_model)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True  # a missing text is an empty text
        tags.classifier_tags.multi_class = False
        tags.non_deterministic = self.random_state is None
        return tags


class EpochRecorder(keras.callbacks.Callback):
    """Per-epoch training loss, learning rate and, with validation rows, their loss and
    best F1: the history a tracking run logs."""

    def __init__(self, valid_batches, valid_target):
        super().__init__()
        self.valid_batches = valid_batches
        self.valid_target = valid_target
        self.history: dict[str, list] = {"epoch": [], "loss": [], "lr": [], "seconds": []}
        if valid_batches is not None:
            self.history.update(val_loss=[], val_f1=[], val_threshold=[])
        self._started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._started
        logs = logs or {}
        record = {"epoch": epoch + 1, "loss": float(logs.get("loss", float("nan"))),
                  "lr": float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)),
                  "seconds": seconds}
        if self.valid_batches is not None:
            proba = predict_positive(self.model, self.valid_batches)
            best = best_f1_threshold(self.valid_target, proba)
            record.update(val_loss=float(log_loss(self.valid_target, proba, labels=[0, 1])),
                          val_f1=float(best.f1), val_threshold=float(best.threshold))
        for key, value in record.items():
            self.history[key].append(value)
        logger.info("epoch %d: %s", epoch + 1, ", ".join(
            f"{key} {value:.4g}" for key, value in record.items() if key != "epoch"))


def predict_positive(model, batches: BucketedBatches) -> np.ndarray:
    """Positive-class probabilities in input row order (float64).

    Batch by batch with ``predict_on_batch`` rather than ``predict(batches)``: the compiled
    prediction step is kept by the model and reused across calls (TensorFlow generalises
    it to any width after a few), whereas each ``predict`` call over a new dataset builds
    a new input pipeline, a cost that dominates the per-epoch validation of small sets.
    """
    proba = np.concatenate([
        np.asarray(keras.ops.convert_to_numpy(model.predict_on_batch(batches[i])),
                   dtype=np.float64).reshape(-1)
        for i in range(len(batches))])
    ordered = np.empty_like(proba)
    ordered[batches.row_order()] = proba
    return ordered


def take_rows(texts: pa.Array, rows: np.ndarray) -> pa.Array:
    return texts.take(pa.array(rows, type=pa.int64()))


def model_to_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / MODEL_FILE
        model.save(path)
        return path.read_bytes()


def model_from_bytes(data: bytes, load_model=keras.saving.load_model):
    """The model of ``model_to_bytes``'s ``data``, read by ``load_model(path)``."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / MODEL_FILE
        path.write_bytes(data)
        return load_model(path)


def json_value(value):
    """NumPy scalars and arrays, and paths, in parameters and labels as plain JSON values."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable: {value!r:.80}")


