"""Cloning an estimator that takes loaded word vectors as a parameter without copying them.

``sklearn.base.clone`` (cross-validation, grid search) deep-copies every parameter that is
not an estimator: for a KeyedVectors of a large vocabulary, gigabytes per fold. The vectors
are only ever read, so a clone can share them safely.
"""

from __future__ import annotations

import copy

from ._sources import is_named_source


class SharedVectorsMixin:
    """Makes ``sklearn.base.clone`` share the loaded vectors of the ``embeddings``
    parameter (one source or a list of them) instead of deep-copying them; named sources
    ("default", a path) are cloned as usual. Put it before ``BaseEstimator`` in the bases.
    """

    def __sklearn_clone__(self):
        sources = (self.embeddings if isinstance(self.embeddings, (list, tuple))
                   else [self.embeddings])
        if all(is_named_source(source) for source in sources):
            return super().__sklearn_clone__()
        without_vectors = copy.copy(self)
        without_vectors.embeddings = None
        clone = super(SharedVectorsMixin, without_vectors).__sklearn_clone__()
        clone.embeddings = self.embeddings
        return clone
