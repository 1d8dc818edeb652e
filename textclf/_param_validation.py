"""Parameter constraints that scikit-learn's own lack, for ``_parameter_constraints`` and
``validate_params`` everywhere in textclf."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval


class NonBoolInterval(Interval):
    """scikit-learn's ``Interval`` constraint without True and False.

    ``Interval(Integral, 1, None)`` takes True as 1, because a bool is an int to Python (and
    NumPy's bool is a number too); a count, a size or a share given as a bool is a mistake
    worth an error.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)

    def __str__(self):
        return f"{super().__str__()} (not a bool)"


# The constraint of an n_jobs as joblib reads it: any int but 0 (-1 is one per CPU).
N_JOBS = [NonBoolInterval(Integral, None, -1, closed="right"),
          NonBoolInterval(Integral, 1, None, closed="left")]


def check_selection(parameter: str, names, known, *, allow_empty: bool = False
                    ) -> tuple[str, ...]:
    """``names``, a parameter's sequence of names, as a tuple, when each is one of
    ``known`` and appears once (and there is at least one, unless ``allow_empty``); a
    ValueError naming the parameter and the known names otherwise."""
    names = tuple(names)
    if not names and not allow_empty:
        raise ValueError(f"{parameter} is empty; name at least one of {list(known)}")
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"{parameter} names unknown {unknown}; the known ones are "
                         f"{list(known)}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{parameter} lists {repeated} more than once")
    return names
