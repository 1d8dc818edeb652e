"""The parameter constraints of the training loop that ``BiLSTMClassifier`` and
``TransformerClassifier`` share, for scikit-learn's ``_parameter_constraints``."""

from __future__ import annotations

import numbers

from sklearn.utils._param_validation import StrOptions

from ..._param_validation import NonBoolInterval

# Epochs, batches, the validation part and how Keras runs: the same in both networks.
TRAINING_CONSTRAINTS: dict = {
    "epochs": [NonBoolInterval(numbers.Integral, 1, None, closed="left")],
    "batch_size": [NonBoolInterval(numbers.Integral, 1, None, closed="left")],
    "validation_fraction": [NonBoolInterval(numbers.Real, 0, 1, closed="left"), None],
    "bucket_batches": [NonBoolInterval(numbers.Integral, 1, None, closed="left"), None],
    "pad_multiple": [NonBoolInterval(numbers.Integral, 1, None, closed="left")],
    "mixed_precision": ["boolean"],
    "jit_compile": [StrOptions({"auto"}), "boolean"],
    "run_eagerly": ["boolean"],
    "random_state": ["random_state"],
    # Keras' own verbosity values, "auto" included.
    "verbose": ["verbose", StrOptions({"auto"})],
}
