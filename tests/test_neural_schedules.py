import math

import keras
import numpy as np
import pytest

from textclf.models import CyclicalLearningRate


def _smith(step, base, top, step_size, mode, gamma):
    """Smith 2017's triangular policy, written out independently in plain Python."""
    cycle = math.floor(1 + step / (2 * step_size))
    position = abs(step / step_size - 2 * cycle + 1)
    scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1),
             "exp_range": gamma ** step}[mode]
    return base + (top - base) * max(0.0, 1 - position) * scale


@pytest.mark.parametrize("mode, gamma", [("triangular", 1.0), ("triangular2", 1.0),
                                         ("exp_range", 0.99)])
def test_learning_rate_over_steps_matches_the_closed_form(mode, gamma):
    schedule = CyclicalLearningRate(0.001, 0.006, step_size=5, mode=mode, gamma=gamma)
    steps = range(41)
    got = [float(keras.ops.convert_to_numpy(schedule(step))) for step in steps]
    expected = [_smith(step, 0.001, 0.006, 5, mode, gamma) for step in steps]
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_triangle_shape_base_at_cycle_edges_peak_in_the_middle():
    schedule = CyclicalLearningRate(0.001, 0.003, step_size=4)

    def value(step):
        return float(keras.ops.convert_to_numpy(schedule(step)))

    assert value(0) == pytest.approx(0.001) and value(8) == pytest.approx(0.001)
    assert value(4) == pytest.approx(0.003) and value(12) == pytest.approx(0.003)
    assert value(2) == pytest.approx(0.002)


@pytest.mark.parametrize("steps_per_cycle", [1, 3, 5, 7])
def test_a_half_cycle_of_half_an_odd_number_of_steps_ends_every_cycle_at_the_base(
        steps_per_cycle):
    # An epoch of n batches with step_size n / 2: every epoch end (step k * n) is at the
    # low point, and the rate rises and falls in between.
    schedule = CyclicalLearningRate(0.001, 0.003, step_size=steps_per_cycle / 2)
    values = [float(keras.ops.convert_to_numpy(schedule(step)))
              for step in range(10 * steps_per_cycle + 1)]
    np.testing.assert_allclose(values[::steps_per_cycle], 0.001, rtol=1e-6)
    if steps_per_cycle > 1:
        inside = [value for step, value in enumerate(values) if step % steps_per_cycle]
        assert min(inside) > 0.001 and max(inside) <= 0.003


def test_the_optimizer_follows_the_schedule_batch_by_batch():
    schedule = CyclicalLearningRate(0.01, 0.05, step_size=2)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=schedule), "mse", run_eagerly=True)
    seen = []

    def record_rate(batch, logs):
        # The JAX backend holds the training state outside the variables between batches;
        # jax_state_sync() writes it back so the optimizer's step count can be read.
        getattr(model, "jax_state_sync", lambda: None)()
        seen.append(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))

    model.fit(np.zeros((12, 2)), np.zeros(12), batch_size=2, epochs=1, verbose=0,
              callbacks=[keras.callbacks.LambdaCallback(on_train_batch_end=record_rate)])
    # After batch k the optimizer has taken k steps: the rate of the next one is read.
    np.testing.assert_allclose(
        seen, [_smith(s, 0.01, 0.05, 2, "triangular", 1) for s in range(1, 7)], rtol=1e-5)


def test_schedule_round_trips_through_its_config():
    schedule = CyclicalLearningRate(0.002, 0.004, step_size=10, mode="exp_range", gamma=0.9)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert restored.get_config() == schedule.get_config()


@pytest.mark.parametrize("kwargs, message", [
    ({"base_lr": 0.01, "max_lr": 0.001}, "base_lr"), ({"step_size": 0}, "step_size"),
    ({"step_size": 0.4}, "step_size"),
    ({"mode": "cosine"}, "mode"), ({"gamma": 0}, "gamma")])
def test_invalid_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CyclicalLearningRate(**kwargs)
