"""The network: frozen pre-trained embeddings, two bidirectional LSTMs, attention and
pooling, a small dense head.

::

    ids (batch, steps), 0 = padding (masked)
      -> Embedding (pre-trained, frozen) -> SpatialDropout1D
      -> BiLSTM(40, sequences) = h1 ----------------------------> AttentionPooling  (80)
      -> BiLSTM(40, sequences) = h2 -> AttentionPooling                               (80)
                                     -> mean over steps                               (80)
                                     -> max over steps                                (80)
      -> concatenate (320) -> Dense(32, relu) -> BatchNormalization -> Dropout
      -> Dense(1, sigmoid, float32)

Every layer is a Keras layer and every computation a ``keras.ops`` call, so the model runs
unchanged on the TensorFlow, JAX and PyTorch backends. The padding mask made by the
embedding flows through the LSTMs (padded steps neither update nor emit state) into the
poolings, which skip padded steps, so a question's prediction does not depend on how far
its batch was padded.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np
from sklearn.utils._param_validation import validate_parameter_constraints

from ..._param_validation import NonBoolInterval
from ._layers import AttentionPooling, MaskedGlobalAveragePooling1D, MaskedGlobalMaxPooling1D

# The network's settings, for build_bilstm_attention and the estimator that passes them on.
ARCHITECTURE_CONSTRAINTS: dict = {
    "max_len": [NonBoolInterval(numbers.Integral, 1, None, closed="left")],
    "lstm_units": [NonBoolInterval(numbers.Integral, 1, None, closed="left")],
    "dense_units": [NonBoolInterval(numbers.Integral, 1, None, closed="left")],
    "spatial_dropout": [NonBoolInterval(numbers.Real, 0, 1, closed="left")],
    "dropout": [NonBoolInterval(numbers.Real, 0, 1, closed="left")],
}


def build_bilstm_attention(embedding_matrix: np.ndarray, *, max_len: int = 70,
                           lstm_units: int = 40, dense_units: int = 32,
                           spatial_dropout: float = 0.1, dropout: float = 0.1,
                           trainable_embeddings: bool = False,
                           positional_attention: bool = True,
                           dtype_policy: str | None = None, seed: int | None = None,
                           name: str = "bilstm_attention") -> keras.Model:
    """The BiLSTM + attention + pooling network of the Quora kernels (not compiled).

    Parameters
    ----------
    embedding_matrix : ndarray of shape (vocabulary_size, dim)
        Row ``i`` is the vector of id ``i``; row 0 is padding (see
        ``textclf.embeddings.build_embedding_matrix``). Copied into the layer's weights, not
        into its config, so the saved config stays small.
    max_len : int, default=70
        Longest input; inputs of any length up to it are accepted (dynamic padding).
    lstm_units : int, default=40
        Units per direction of each LSTM: each bidirectional output is ``2 * lstm_units``
        wide, and the concatenation ``8 * lstm_units`` (320).
    dense_units : int, default=32
    spatial_dropout : float, default=0.1
        Rate of ``SpatialDropout1D`` on the embeddings: whole embedding channels are
        dropped, which regularises better than single values for correlated neighbours.
    dropout : float, default=0.1
        Rate of the dropout after batch normalisation.
    trainable_embeddings : bool, default=False
        The seed keeps the pre-trained vectors frozen: a few thousand questions cannot
        improve vectors learned from billions of tokens, only overfit them.
    positional_attention : bool, default=True
        A bias per position in the attention scores (the kernels' form), sized ``max_len``.
    dtype_policy : str or None
        A Keras dtype policy for every layer but the output, e.g. "mixed_float16"; the
        sigmoid output stays float32 so the loss is computed at full precision.
    seed : int or None
        Seeds the dropout layers and the weight initialisers.

    Returns
    -------
    keras.Model
        Input: int32 ids of shape (batch, steps), steps <= ``max_len``. Output: positive
        class probability, (batch, 1) float32.
    """
    matrix = np.asarray(embedding_matrix, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] < 2 or matrix.shape[1] < 1:
        raise ValueError(f"embedding_matrix must be (vocabulary_size >= 2, dim >= 1), got "
                         f"shape {matrix.shape}")
    validate_parameter_constraints(
        ARCHITECTURE_CONSTRAINTS, {"max_len": max_len, "lstm_units": lstm_units,
                       "dense_units": dense_units, "spatial_dropout": spatial_dropout,
                       "dropout": dropout}, caller_name="build_bilstm_attention")

    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=16).tolist() \
        if seed is not None else [None] * 16
    seeds = iter(seeds)

    def initializer(kind):
        return keras.initializers.get({"class_name": kind, "config": {"seed": next(seeds)}})

    def lstm(layer_name):
        return keras.layers.LSTM(
            lstm_units, return_sequences=True, kernel_initializer=initializer("GlorotUniform"),
            recurrent_initializer=initializer("Orthogonal"), dtype=dtype_policy, name=layer_name)

    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    embedding = keras.layers.Embedding(matrix.shape[0], matrix.shape[1], mask_zero=True,
                                       trainable=trainable_embeddings, dtype=dtype_policy,
                                       name="embedding")
    x = embedding(ids)
    embedding.embeddings.assign(matrix)
    x = keras.layers.SpatialDropout1D(spatial_dropout, seed=next(seeds), dtype=dtype_policy,
                                      name="spatial_dropout")(x)
    h1 = keras.layers.Bidirectional(lstm("lstm_1"), dtype=dtype_policy, name="bilstm_1")(x)
    h2 = keras.layers.Bidirectional(lstm("lstm_2"), dtype=dtype_policy, name="bilstm_2")(h1)
    steps = max_len if positional_attention else None
    pooled = [
        AttentionPooling(steps, kernel_initializer=initializer("GlorotUniform"),
                         dtype=dtype_policy, name="attention_1")(h1),
        AttentionPooling(steps, kernel_initializer=initializer("GlorotUniform"),
                         dtype=dtype_policy, name="attention_2")(h2),
        MaskedGlobalAveragePooling1D(dtype=dtype_policy, name="average_pooling")(h2),
        MaskedGlobalMaxPooling1D(dtype=dtype_policy, name="max_pooling")(h2),
    ]
    x = keras.layers.Concatenate(dtype=dtype_policy, name="concatenate")(pooled)
    x = keras.layers.Dense(dense_units, activation="relu",
                           kernel_initializer=initializer("GlorotUniform"),
                           dtype=dtype_policy, name="dense")(x)
    x = keras.layers.BatchNormalization(dtype=dtype_policy, name="batch_normalization")(x)
    x = keras.layers.Dropout(dropout, seed=next(seeds), dtype=dtype_policy, name="dropout")(x)
    proba = keras.layers.Dense(1, activation="sigmoid",
                               kernel_initializer=initializer("GlorotUniform"),
                               dtype="float32", name="proba")(x)
    return keras.Model(ids, proba, name=name)
