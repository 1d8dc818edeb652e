"""Stochastic weight averaging (Izmailov et al. 2018), as a Keras callback.

Pavel Izmailov, Dmitrii Podoprikhin, Timur Garipov, Dmitry Vetrov and Andrew Gordon Wilson,
"Averaging Weights Leads to Wider Optima and Better Generalization", UAI 2018
(arXiv:1803.05407): the equal-weight average of the weights visited late in training, one
snapshot per epoch (or per learning-rate cycle), lies nearer the centre of a wide, flat
region of the loss than any single snapshot, and generalises better, at the cost of one
copy of the weights. The Quora kernels averaged from epoch 4 of 10 and report F1 rising
from about 0.65 to 0.68 with it.

Averaged weights were never seen by the batch normalisation layers: their moving mean and
variance belong to none of the snapshots. So, as in the paper (its ``bn_update``), the
statistics are recomputed after the swap with a forward pass over training batches in
training mode.

Keras 3 ships no weight averaging callback; this one uses only ``Callback`` hooks,
``model.predict`` and variable assignment, so it runs on every backend.
"""

from __future__ import annotations

import logging
import math
import numbers

import keras
import numpy as np
from sklearn.utils._param_validation import validate_parameter_constraints, validate_params

from ..._param_validation import NonBoolInterval

logger = logging.getLogger("textclf.models.neural")


@validate_params({"swa_start": [NonBoolInterval(numbers.Real, 0, 1, closed="left")],
                  "epochs": [NonBoolInterval(numbers.Integral, 1, None, closed="left")]},
                 prefer_skip_nested_validation=True)
def first_averaged_epoch(swa_start: float, epochs: int) -> int:
    """0-based index of the first epoch whose weights are averaged when averaging starts
    after the share ``swa_start`` (in [0, 1)) of ``epochs``.

    The rule: ``floor(swa_start * epochs)``, brought forward where needed so that at least
    two snapshots are averaged whenever there are two epochs or more (a single epoch has
    one snapshot, which averaging leaves as it is). ``0.4`` of 10 epochs is epoch index 4,
    the seed's setting: the 5th to 10th epochs, six snapshots; of 5 epochs, index 2 (three
    snapshots). ``0.9`` of 5 epochs is index 3, not 4: the last two epochs, not the last
    one alone.
    """
    # The small tolerance keeps products like 0.57 * 100 = 56.99999999999999 at 57.
    first = math.floor(swa_start * epochs + 1e-9)
    return max(0, min(first, epochs - 2))


class StochasticWeightAveraging(keras.callbacks.Callback):
    """Replace the weights at the end of training by their average over epochs.

    At the end of every epoch whose 0-based index (the ``epoch`` Keras passes to
    ``on_epoch_end``) is at least ``swa_start``, the trainable weights are added to a
    running equal-weight mean. When training ends, the mean replaces the trainable weights
    and, if ``batch_norm_data`` is given, every ``BatchNormalization`` layer's moving mean
    and variance are recomputed from it (see :func:`recompute_batch_norm_statistics`).

    ``swa_start=4`` with 10 epochs (the seed's setting) averages the weights after the 5th
    to the 10th epoch (1-based), six snapshots. Training that ends before epoch
    ``swa_start`` leaves the weights as they are, with a warning. To start at a share of
    the epochs, whatever their number, pass ``first_averaged_epoch(share, epochs)``
    (``BiLSTMClassifier`` does).

    Only trainable weights are averaged: frozen embeddings do not change, the moving
    statistics are recomputed, and random-generator states must not be averaged.

    Parameters
    ----------
    swa_start : int, default=4
        0-based index of the first epoch whose end-of-epoch weights are averaged (any
        integer, NumPy's included; not a bool).
    batch_norm_data : keras.utils.PyDataset or array, optional
        Training inputs (no targets needed) for the batch-normalisation pass; None keeps
        the moving statistics as training left them.

    Attributes
    ----------
    n_averaged : int
        Snapshots in the average.
    averaged_epochs : list of int
        Their 0-based epochs.
    batch_norm_layers : list of str
        The batch-normalisation layers whose statistics were recomputed at the end of
        training (empty before, without ``batch_norm_data``, or without averaging).
    """

    def __init__(self, swa_start: int = 4, batch_norm_data=None):
        super().__init__()
        validate_parameter_constraints(
            {"swa_start": [NonBoolInterval(numbers.Integral, 0, None, closed="left")]},
            {"swa_start": swa_start}, caller_name=type(self).__name__)
        self.swa_start = int(swa_start)
        self.batch_norm_data = batch_norm_data
        self.n_averaged = 0
        self.averaged_epochs: list[int] = []
        self.batch_norm_layers: list[str] = []
        self._mean: list[np.ndarray] | None = None

    def on_train_begin(self, logs=None):
        self.n_averaged, self.averaged_epochs, self._mean = 0, [], None
        self.batch_norm_layers = []

    def on_epoch_end(self, epoch, logs=None):
        if epoch < self.swa_start:
            return
        weights = [np.asarray(keras.ops.convert_to_numpy(v), dtype=np.float64)
                   for v in self.model.trainable_variables]
        if self._mean is None:
            self._mean = weights
        else:
            # Running mean: mean_n = mean_{n-1} + (w - mean_{n-1}) / n, in float64.
            count = self.n_averaged + 1
            self._mean = [mean + (w - mean) / count for mean, w in zip(self._mean, weights)]
        self.n_averaged += 1
        self.averaged_epochs.append(int(epoch))

    def on_train_end(self, logs=None):
        if self._mean is None:
            logger.warning("stochastic weight averaging starts at epoch %d (0-based) but "
                           "training ended before it: the weights are left as they are",
                           self.swa_start)
            return
        for variable, mean in zip(self.model.trainable_variables, self._mean):
            variable.assign(mean.astype(variable.dtype))
        logger.info("stochastic weight averaging: weights of epochs %s averaged",
                    self.averaged_epochs)
        if self.batch_norm_data is not None:
            self.batch_norm_layers = recompute_batch_norm_statistics(self.model,
                                                                     self.batch_norm_data)


class _TrainingModeForward(keras.Model):
    """Calls a model in training mode even from ``predict`` (which asks for inference)."""

    def __init__(self, inner: keras.Model):
        super().__init__(name="training_mode_forward")
        self.inner = inner

    def call(self, inputs, training=None):
        return self.inner(inputs, training=True)


def recompute_batch_norm_statistics(model: keras.Model, data) -> list[str]:
    """Set every ``BatchNormalization`` layer's moving mean and variance to the mean and
    variance of its inputs over ``data``, computed in training mode.

    One compiled forward pass (``predict``) over ``data`` with the layers in training mode
    (dropout active, as when the statistics were first learned) collects each layer's
    inputs; their mean and (biased, as batch normalisation uses) variance over all rows
    replace the moving statistics. In training mode a batch-normalisation layer normalises
    with its batch's own statistics, so no layer's inputs depend on another's moving
    statistics and one pass serves all layers. Returns the names of the layers updated.

    ``data``: what ``model.predict`` accepts, e.g. the training ``PyDataset`` (its targets
    are ignored) or an array of inputs.
    """
    layers = [layer for layer in _all_layers(model)
              if isinstance(layer, keras.layers.BatchNormalization)]
    if not layers:
        return []
    try:
        probe = keras.Model(model.inputs, [layer.input for layer in layers])
    except (AttributeError, ValueError) as error:
        raise ValueError("recomputing batch-normalisation statistics needs a functional "
                         "model (built from keras.Input), whose layers' inputs can be "
                         f"read: {error}") from error
    forward = _TrainingModeForward(probe)
    forward.run_eagerly = bool(getattr(model, "run_eagerly", False))  # as the model trains
    outputs = forward.predict(data, verbose=0)
    if len(layers) == 1:
        outputs = [outputs]
    for layer, values in zip(layers, outputs):
        values = np.asarray(values, dtype=np.float64)
        axis = layer.axis % values.ndim
        reduce = tuple(i for i in range(values.ndim) if i != axis)
        layer.moving_mean.assign(values.mean(axis=reduce).astype(layer.moving_mean.dtype))
        layer.moving_variance.assign(
            values.var(axis=reduce).astype(layer.moving_variance.dtype))
    logger.info("batch normalisation statistics recomputed over %d rows for %s",
                len(outputs[0]), [layer.name for layer in layers])
    return [layer.name for layer in layers]


def _all_layers(model: keras.Model) -> list:
    """The model's layers, those of nested models included."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, keras.Model):
            found += _all_layers(layer)
    return found
