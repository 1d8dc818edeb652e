"""One int seed from a scikit-learn ``random_state``, for libraries that take only ints
(gensim, LightGBM, Keras)."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state


def int_seed(random_state) -> int | None:
    """None stays None (the library's own randomness), an int is itself, and a NumPy
    ``RandomState`` gives one draw: the library gets a generator of its own rather than
    keeping (and pickling) the caller's and advancing it as it trains."""
    if random_state is None:
        return None
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
