"""Input checks shared by textclf's binary classifiers, with the errors scikit-learn expects."""

from __future__ import annotations

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target


def binary_classes(y, owner: str) -> np.ndarray:
    """The two sorted labels of a binary target; ValueError naming ``owner`` otherwise."""
    check_classification_targets(y)
    classes = np.unique(y)
    if len(classes) == 2:
        return classes
    target_type = type_of_target(y, input_name="y")
    shown = classes[:10].tolist()
    if len(classes) < 2:
        raise ValueError(f"{owner} needs two classes in y; got {len(classes)} class: {shown}")
    raise ValueError(f"Only binary classification is supported. The type of the target is "
                     f"{target_type}: {owner} got {len(classes)} classes, {shown}")


def sample_weights(sample_weight, n_samples: int) -> np.ndarray:
    """Per-row weights as float64 (ones when None); rejects bad shapes and all-zero weights."""
    if sample_weight is None:
        return np.ones(n_samples)
    weight = np.asarray(sample_weight, dtype=np.float64)
    if weight.ndim != 1:
        raise ValueError(f"sample_weight must be one weight per row (1-D); got shape "
                         f"{weight.shape}")
    if len(weight) != n_samples:
        raise ValueError(f"sample_weight has {len(weight)} weights for {n_samples} rows")
    if not np.all(np.isfinite(weight)) or (weight < 0).any():
        raise ValueError("sample_weight must be finite and non-negative")
    if not weight.any():
        raise ValueError("Sample weights must contain at least one non-zero weight")
    return weight
