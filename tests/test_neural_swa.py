import logging

import keras
import numpy as np
import pytest

from textclf.models import StochasticWeightAveraging
from textclf.models.neural import recompute_batch_norm_statistics


def _model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,))
    x = keras.layers.Dense(4, activation="relu")(inputs)
    x = keras.layers.BatchNormalization()(x)
    return keras.Model(inputs, keras.layers.Dense(1)(x))


class _Snapshots(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append([keras.ops.convert_to_numpy(v).copy()
                             for v in self.model.trainable_variables])


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_averaged_weights_are_the_mean_of_the_snapshots_from_swa_start(data):
    x, y = data
    model = _model()
    model.compile(keras.optimizers.SGD(0.05), "mse", run_eagerly=True)
    snapshots, swa = _Snapshots(), StochasticWeightAveraging(swa_start=2)
    model.fit(x, y, batch_size=16, epochs=5, verbose=0, callbacks=[snapshots, swa])
    assert swa.averaged_epochs == [2, 3, 4] and swa.n_averaged == 3
    for position, variable in enumerate(model.trainable_variables):
        expected = np.mean([epoch[position] for epoch in snapshots.weights[2:]], axis=0)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), expected, rtol=1e-6,
                                   atol=1e-7)


def test_batch_norm_statistics_are_recomputed_from_the_averaged_weights(data):
    x, y = data
    model = _model()
    model.compile(keras.optimizers.SGD(0.05), "mse", run_eagerly=True)
    model.fit(x, y, batch_size=16, epochs=3, verbose=0,
              callbacks=[StochasticWeightAveraging(swa_start=0, batch_norm_data=x)])
    norm = model.get_layer(index=2)
    # No dropout upstream, so the layer's training-mode inputs are the dense outputs.
    dense = keras.ops.convert_to_numpy(model.get_layer(index=1)(x))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(norm.moving_mean), dense.mean(0),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(norm.moving_variance), dense.var(0),
                               rtol=1e-4, atol=1e-6)


def test_recompute_returns_the_layers_it_updated(data):
    model = _model()
    assert recompute_batch_norm_statistics(model, data[0]) == [model.layers[2].name]


def test_training_that_ends_before_swa_start_keeps_its_weights(data, caplog):
    x, y = data
    model = _model()
    model.compile(keras.optimizers.SGD(0.05), "mse", run_eagerly=True)
    snapshots = _Snapshots()
    with caplog.at_level(logging.WARNING, logger="textclf.models.neural"):
        model.fit(x, y, epochs=2, verbose=0,
                  callbacks=[snapshots, StochasticWeightAveraging(swa_start=5)])
    assert "ended before" in caplog.text
    for variable, last in zip(model.trainable_variables, snapshots.weights[-1]):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable), last)


@pytest.mark.parametrize("swa_start", [-1, True, 2.0, "4"])
def test_swa_start_must_be_a_non_negative_epoch(swa_start):
    with pytest.raises(ValueError, match="'swa_start' parameter"):
        StochasticWeightAveraging(swa_start=swa_start)


def test_swa_start_may_be_any_integer():
    assert StochasticWeightAveraging(swa_start=np.int64(3)).swa_start == 3


@pytest.mark.parametrize("share, epochs, first", [
    (0.4, 10, 4),  # the seed's setting: epochs 5 to 10 (1-based), six snapshots
    (0.5, 8, 4), (0.4, 5, 2), (0.0, 3, 0),
    # Never fewer than two snapshots when there are two epochs or more.
    (0.4, 4, 1), (0.5, 2, 0), (0.9, 5, 3), (0.99, 2, 0),
    (0.5, 1, 0),  # one epoch, one snapshot
    (0.57, 100, 57)])  # 0.57 * 100 is 56.99999999999999 in floating point
def test_first_averaged_epoch_is_a_share_of_the_epochs_with_two_snapshots_at_least(
        share, epochs, first):
    from textclf.models.neural._swa import first_averaged_epoch

    assert first_averaged_epoch(share, epochs) == first
    assert epochs - first >= min(2, epochs)


@pytest.mark.parametrize("share", [1.0, -0.1, 4, True])
def test_first_averaged_epoch_needs_a_share_in_zero_to_one(share):
    from textclf.models.neural._swa import first_averaged_epoch

    with pytest.raises(ValueError, match="swa_start"):
        first_averaged_epoch(share, 10)
