"""Stage 5, metrics: the F1 decision threshold, scores at a threshold, and error analysis.

Example::

    from textclf.metrics import (best_f1_threshold, classification_scores, error_analysis,
                                 write_error_analysis)

    best = best_f1_threshold(train["target"], oof_proba)      # exact, O(n log n)
    scores = classification_scores(train["target"], oof_proba, best.threshold)
    mlflow.log_metrics(scores.as_dict())
    errors = error_analysis(train["qid"], train["question_text"], train["target"],
                            oof_proba, best.threshold, top=20)
    write_error_analysis(errors, "reports/lr")                 # CSV files + Markdown
    test_labels = best.predict(test_proba)                     # 0/1, for write_submission

- ``cross_fitted_f1`` -> ``CrossFittedF1``: the headline F1 of out-of-fold scores, each
  fold labelled at the threshold tuned on the other folds.
- ``best_f1_threshold`` -> ``BestThreshold``; ``f1_threshold_curve`` -> ``F1ThresholdCurve``
  (F1, precision and recall at every distinct score, for plots).
- ``classification_scores`` -> ``ClassificationScores`` (F1, precision, recall, ROC-AUC,
  average precision, confusion matrix, support), computed by scikit-learn's metrics.
- ``error_analysis`` -> ``ErrorAnalysis``; ``write_error_analysis`` saves it.

One convention throughout: a row is predicted positive when ``proba >= threshold``, as
scikit-learn's ``FixedThresholdClassifier`` does. When several thresholds reach the highest
F1, the lowest of them is chosen. ``best_f1_threshold(method="grid")`` keeps the seed
kernel's search over 0.10, 0.11, ..., 0.90 for comparison; its F1 is never above the exact
search's (see ``benchmarks/threshold_search.py``).

How this relates to scikit-learn's threshold tools (``sklearn.model_selection``, 1.5+):

- ``TunedThresholdClassifierCV(estimator, scoring="f1")`` wraps one estimator, refits it in
  its own internal cross-validation and evaluates a fixed number of thresholds (100 by
  default) between the lowest and highest score. Use it when the model is a single
  scikit-learn estimator and refitting it several times is affordable.
- :func:`best_f1_threshold` works on scores that already exist: the out-of-fold
  probabilities of any approach (a Keras network, LightGBM, a stack of several approaches)
  produced once by textclf's k-fold engine. It refits nothing and evaluates every distinct
  score exactly, in one sort.
- ``FixedThresholdClassifier(estimator, threshold=best.threshold,
  response_method="predict_proba")`` freezes the threshold found here into an estimator for
  serving; it predicts exactly ``proba >= best.threshold``.
"""

from ._error_analysis import ErrorAnalysis, error_analysis, write_error_analysis
from ._scores import ClassificationScores, classification_scores
from ._threshold import (
    GRID_THRESHOLDS,
    BestThreshold,
    CrossFittedF1,
    F1ThresholdCurve,
    best_f1_threshold,
    check_folds,
    cross_fitted_f1,
    f1_threshold_curve,
)

__all__ = [
    "GRID_THRESHOLDS",
    "BestThreshold",
    "ClassificationScores",
    "CrossFittedF1",
    "ErrorAnalysis",
    "F1ThresholdCurve",
    "best_f1_threshold",
    "check_folds",
    "classification_scores",
    "cross_fitted_f1",
    "error_analysis",
    "f1_threshold_curve",
    "write_error_analysis",
]
