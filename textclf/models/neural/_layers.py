"""Pooling layers over a padded sequence that ignore the padding: attention, mean, max.

Keras's ``GlobalMaxPooling1D`` ignores the mask, and ``GlobalAveragePooling1D`` divides a
row of padding only by zero; with dynamic padding the same question arrives padded to
different widths, so every pooling here reads only the real steps. That makes a row's
output independent of how far its batch was padded (``tests/test_neural_layers.py``).

Written with ``keras.ops`` only, so they run on every Keras backend, and registered for
saving under the package name "textclf".
"""

from __future__ import annotations

import numbers

import keras
from keras import ops
from sklearn.utils._param_validation import validate_parameter_constraints

from ..._param_validation import NonBoolInterval


def _float_mask(mask, inputs):
    """The mask as float32 (batch, steps, 1); all ones when there is none."""
    if mask is None:
        return ops.ones_like(inputs[..., :1], dtype="float32")
    return ops.expand_dims(ops.cast(mask, "float32"), -1)


@keras.saving.register_keras_serializable(package="textclf")
class AttentionPooling(keras.layers.Layer):
    """Attention-weighted sum over the steps of a sequence, padding excluded.

    Each step ``h_t`` (a vector of ``features``) gets a score
    ``e_t = tanh(h_t . w + b_t)``; the weights ``a_t = exp(e_t) / (sum_s exp(e_s) + eps)``
    over the unmasked steps ``s`` (padded steps weigh 0) give the output ``sum_t a_t h_t``,
    a vector of ``features``. This is the attention of the Quora Insincere Questions kernels
    (Raffel & Ellis 2015, "Feed-Forward Networks with Attention Can Solve Some Long-Term
    Memory Problems"), with the padding masked; ``tanh`` bounds the scores, so ``exp``
    cannot overflow and needs no max-subtraction.

    Parameters
    ----------
    max_steps : int or None, default=None
        With an int, ``b_t`` is a bias per position (the kernels' form: position matters,
        e.g. the first words of a question), for sequences of up to ``max_steps`` steps;
        a shorter batch uses the first biases. None: one bias shared by all positions, for
        sequences of any length.
    epsilon : float, default=1e-7
        Keeps the division finite for a row that is all padding (its output is zeros).
    kernel_initializer : str or keras initializer, default="glorot_uniform"

    Input: (batch, steps, features) with an optional (batch, steps) mask. Output:
    (batch, features), unmasked. Scores are computed in float32 even under mixed precision.
    """

    def __init__(self, max_steps: int | None = None, epsilon: float = 1e-7,
                 kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        validate_parameter_constraints(
            {"max_steps": [NonBoolInterval(numbers.Integral, 1, None, closed="left"), None]},
            {"max_steps": max_steps}, caller_name=type(self).__name__)
        self.max_steps = None if max_steps is None else int(max_steps)
        self.epsilon = float(epsilon)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.supports_masking = True

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError("AttentionPooling needs the feature size (last dimension) of its "
                             f"input to be known, got input shape {input_shape}")
        self.kernel = self.add_weight(name="kernel", shape=(features, 1),
                                      initializer=self.kernel_initializer)
        self.bias = self.add_weight(name="bias", shape=(self.max_steps or 1,),
                                    initializer="zeros")

    def call(self, inputs, mask=None):
        values = ops.cast(inputs, "float32")
        scores = ops.squeeze(ops.matmul(values, ops.cast(self.kernel, "float32")), -1)
        bias = ops.cast(self.bias, "float32")
        if self.max_steps is not None:
            bias = ops.expand_dims(ops.slice(bias, (0,), (ops.shape(values)[1],)), 0)
        weights = ops.exp(ops.tanh(scores + bias))
        if mask is not None:
            weights = weights * ops.cast(mask, "float32")
        weights = weights / (ops.sum(weights, axis=1, keepdims=True) + self.epsilon)
        pooled = ops.sum(values * ops.expand_dims(weights, -1), axis=1)
        return ops.cast(pooled, self.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        return None  # the step axis is gone

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "max_steps": self.max_steps, "epsilon": self.epsilon,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}


@keras.saving.register_keras_serializable(package="textclf")
class MaskedGlobalAveragePooling1D(keras.layers.Layer):
    """Mean over the unmasked steps; zeros for a row that is all padding."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        values = ops.cast(inputs, "float32")
        weights = _float_mask(mask, values)
        total = ops.sum(values * weights, axis=1)
        count = ops.maximum(ops.sum(weights, axis=1), 1.0)
        return ops.cast(total / count, self.compute_dtype)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])


@keras.saving.register_keras_serializable(package="textclf")
class MaskedGlobalMaxPooling1D(keras.layers.Layer):
    """Maximum over the unmasked steps; zeros for a row that is all padding."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        keep = ops.expand_dims(ops.cast(mask, "bool"), -1)
        lowest = ops.convert_to_tensor(float("-inf"), dtype=inputs.dtype)
        largest = ops.max(ops.where(keep, inputs, lowest), axis=1)
        any_step = ops.any(keep, axis=1)
        return ops.where(any_step, largest, ops.zeros_like(largest))

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])
