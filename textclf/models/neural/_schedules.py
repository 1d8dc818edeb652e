"""Cyclical learning rate (Smith 2017), as a Keras learning-rate schedule.

Leslie N. Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017
(arXiv:1506.01186): instead of a fixed or decaying learning rate, let it move back and
forth between a lower and an upper bound, changing every batch. The rises help leave
saddle points and sharp minima; training reaches a given accuracy in fewer iterations and
the bounds matter less than a single fixed rate does.

Keras 3 ships step decays, cosine decay and warm-up, but no cyclical policy; this one is
a ``LearningRateSchedule``, evaluated by the optimizer at each step with ``keras.ops``, so
it runs inside compiled training steps on every backend and is saved with the model.
"""

from __future__ import annotations

import keras
from keras import ops

MODES = ("triangular", "triangular2", "exp_range")


@keras.saving.register_keras_serializable(package="textclf")
class CyclicalLearningRate(keras.optimizers.schedules.LearningRateSchedule):
    """Smith's triangular cyclical learning rate, evaluated per optimizer step.

    With ``step`` the 0-based count of optimizer updates (``optimizer.iterations``)::

        cycle = floor(1 + step / (2 * step_size))
        x     = |step / step_size - 2 * cycle + 1|
        lr    = base_lr + (max_lr - base_lr) * max(0, 1 - x) * scale

    so the rate climbs linearly from ``base_lr`` to ``max_lr`` over ``step_size`` steps and
    back down over the next ``step_size`` (one cycle is ``2 * step_size`` steps), where
    ``scale`` is, per ``mode`` (Smith 2017, section 3.1):

    - "triangular": 1, every cycle the same;
    - "triangular2": ``1 / 2 ** (cycle - 1)``, the amplitude halved each cycle;
    - "exp_range": ``gamma ** step``, the amplitude shrinking exponentially with the steps.

    Parameters
    ----------
    base_lr : float, default=0.001
        Lower bound, reached at the start and end of every cycle.
    max_lr : float, default=0.002
        Upper bound, reached in the middle of the first cycle. The defaults are the bounds
        the Quora Insincere Questions kernels used with Adam.
    step_size : float, default=300
        Steps in half a cycle. Smith suggests 2 to 10 epochs' worth of steps; with
        stochastic weight averaging, half an epoch ends every cycle, and so every epoch, at
        ``base_lr``, where the averaged snapshots are taken (``BiLSTMClassifier``'s choice).
        It need not be whole: ``n / 2`` for an epoch of an odd number ``n`` of batches
        makes a cycle of exactly ``n`` steps, whose peak falls between two steps, so that
        step ``k * n``, the end of epoch ``k``, is exactly at ``base_lr`` (a whole step
        size of ``ceil(n / 2)`` would drift off the epoch ends by one step per epoch).
        At least 0.5: a cycle of one step, which stays at ``base_lr``.
    mode : {"triangular", "triangular2", "exp_range"}, default="triangular"
    gamma : float, default=1.0
        Decay per step of "exp_range" (the Quora kernels used 0.99994); ignored otherwise.
    """

    def __init__(self, base_lr: float = 0.001, max_lr: float = 0.002, step_size: float = 300,
                 mode: str = "triangular", gamma: float = 1.0, name: str = "cyclical_lr"):
        if not 0 < base_lr <= max_lr:
            raise ValueError(f"need 0 < base_lr <= max_lr, got base_lr={base_lr!r}, "
                             f"max_lr={max_lr!r}")
        if isinstance(step_size, bool) or not step_size >= 0.5:
            raise ValueError(f"step_size must be at least half a step (a cycle of one "
                             f"step), got {step_size!r}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if not 0 < gamma <= 1:
            raise ValueError(f"gamma must be in (0, 1], got {gamma!r}")
        self.base_lr = float(base_lr)
        self.max_lr = float(max_lr)
        self.step_size = float(step_size)
        self.mode = mode
        self.gamma = float(gamma)
        self.name = name

    def __call__(self, step):
        step = ops.cast(step, "float32")
        cycle = ops.floor(1.0 + step / (2.0 * self.step_size))
        x = ops.abs(step / self.step_size - 2.0 * cycle + 1.0)
        if self.mode == "triangular":
            scale = 1.0
        elif self.mode == "triangular2":
            scale = 1.0 / ops.power(2.0, cycle - 1.0)
        else:
            scale = ops.power(self.gamma, step)
        return self.base_lr + (self.max_lr - self.base_lr) * ops.maximum(0.0, 1.0 - x) * scale

    def get_config(self):
        return {"base_lr": self.base_lr, "max_lr": self.max_lr, "step_size": self.step_size,
                "mode": self.mode, "gamma": self.gamma, "name": self.name}
