"""An on-disk cache of fitted features, for experiments that build the same features again.

Cleaning text, fitting LDA topics or a TF-IDF vocabulary is most of an experiment's time,
and a k-fold study repeats it: every approach that starts with the same steps on the same
fold rows builds the same features, and so does every re-run. scikit-learn's ``Pipeline``
already caches the fitted steps before its final estimator through ``joblib.Memory``: the
key is a hash of the step (its class and parameters) and of the input rows, so a changed
parameter or changed data is a miss, never a stale hit. ``cache_features`` switches that on
for a pipeline and for every pipeline nested in it (inside a ``FeatureUnion`` or
``ColumnTransformer``), which is where the expensive steps of composed approaches sit.

What is cached is the *training* side: each step's ``fit_transform`` on the rows it is
fitted on, together with the fitted step. Transforming held-out or test rows with the
fitted step runs as usual. Deleting the cache directory at any time is safe: the next run
recomputes and refills it.
"""

from __future__ import annotations

import os

from joblib import Memory
from sklearn.base import clone
from sklearn.pipeline import Pipeline


def cache_features(estimator, directory: str | os.PathLike | Memory | None, *,
                   require_pipeline: bool = True):
    """A clone of ``estimator`` whose pipelines cache their fitted feature steps on disk.

    Parameters
    ----------
    estimator : scikit-learn estimator
        Usually a ``Pipeline`` from texts to a classifier. Every ``Pipeline`` in it, the
        outer one and those nested in unions or column transformers, gets ``memory``.
    directory : path, joblib.Memory or None
        Where the cache lives (created when missing); None returns an uncached clone.
    require_pipeline : bool, default=True
        Raise ``TypeError`` when ``estimator`` holds no ``Pipeline`` (nothing to cache);
        False returns the clone unchanged instead, for code that caches whatever it can.

    Returns
    -------
    estimator
        An unfitted clone; ``estimator`` itself is left as it is.

    Example::

        model = cache_features(make_pipeline(TextCleaner(), tfidf_vectorizer("word"),
                                             logistic_regression()), "~/.cache/textclf")
        oof_predict(model, texts, y)   # a second run reuses each fold's cleaned TF-IDF
    """
    cached = clone(estimator)
    memory = (Memory(os.path.expanduser(os.fspath(directory)), verbose=0)
              if directory is not None and not isinstance(directory, Memory) else directory)
    pipelines = [name for name, value in cached.get_params(deep=True).items()
                 if isinstance(value, Pipeline)]
    changes = {f"{name}__memory": memory for name in pipelines}
    if isinstance(cached, Pipeline):
        changes["memory"] = memory
    if not changes and not require_pipeline:
        return cached
    if not changes:
        raise TypeError(f"{type(estimator).__name__} holds no Pipeline, so there are no "
                        "feature steps to cache; compose the features and the model with "
                        "sklearn.pipeline.make_pipeline")
    return cached.set_params(**changes)
