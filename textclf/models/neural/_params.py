"""Parameter constraints of the neural estimators, for scikit-learn's
``_parameter_constraints``: a number interval that takes no bools, and the constraints of
the training loop that ``BiLSTMClassifier`` and ``TransformerClassifier`` share."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions


class NumberInterval(Interval):
    """``Interval`` that rejects bools (Python's and NumPy's): scikit-learn's takes
    ``True`` for the int 1 (bool is an int subclass), but a count, a size or a share given
    as a bool is a mistake."""

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)


# Epochs, batches, the validation part and how Keras runs: the same in both networks.
TRAINING_CONSTRAINTS: dict = {
    "epochs": [NumberInterval(numbers.Integral, 1, None, closed="left")],
    "batch_size": [NumberInterval(numbers.Integral, 1, None, closed="left")],
    "validation_fraction": [NumberInterval(numbers.Real, 0, 1, closed="left"), None],
    "bucket_batches": [NumberInterval(numbers.Integral, 1, None, closed="left"), None],
    "pad_multiple": [NumberInterval(numbers.Integral, 1, None, closed="left")],
    "mixed_precision": ["boolean"],
    "jit_compile": [StrOptions({"auto"}), "boolean"],
    "run_eagerly": ["boolean"],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}
