"""One approach's out-of-fold result in an MLflow run: parameters, metrics and artifacts.

``log_approach`` fills the active run with everything needed to judge and reuse an
approach without re-running it: the estimator's parameters; the cross-fitted out-of-fold
F1 (``oof_f1``, the headline), the F1 at the threshold tuned on all out-of-fold rows
(``oof_f1_tuned``) with its precision, recall, ROC-AUC and PR-AUC; per-fold F1, ROC-AUC and fit
seconds (as steps); per-epoch curves of models that keep a history; the out-of-fold and
test probabilities as Parquet; the pre-trained encoder's identity (package, version,
weights hash) where a fold model uses one; the precision-recall, F1-vs-threshold and
confusion-matrix plots; the error analysis; and, when the fold models show them, LDA topic
words and the most telling TF-IDF weights.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping, Sequence
from numbers import Number
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.pipeline import FeatureUnion, Pipeline

from ..metrics import (
    ClassificationScores,
    error_analysis,
    write_error_analysis,
)
from ..models import OofResult
from ._plots import (
    confusion_matrix_figure,
    f1_threshold_figure,
    precision_recall_figure,
    save_figure,
    top_weights_figure,
)

log = logging.getLogger("textclf.tracking")

# MLflow's limits on one parameter (3.x): a key of 250 characters, a value of 6,000.
_MAX_PARAM_KEY, _MAX_PARAM_VALUE = 250, 6000


def estimator_params(estimator: BaseEstimator) -> dict[str, str]:
    """The estimator's parameters, nested ones included, as MLflow parameter strings.

    Sub-estimators appear through their own parameters (``wordwisetfidfvectorizer__ngram_range``),
    so only plain values are kept: numbers, strings, booleans, None and tuples of them.
    """
    params = {}
    for key, value in estimator.get_params(deep=True).items():
        if _is_plain(value):
            params[key[:_MAX_PARAM_KEY]] = str(value)[:_MAX_PARAM_VALUE]
    return params


def _is_plain(value) -> bool:
    if isinstance(value, (tuple, list)):
        return all(_is_plain(item) for item in value)
    return value is None or isinstance(value, (str, bool, Number))


def log_approach(result: OofResult, *, train: pd.DataFrame, test: pd.DataFrame | None = None,
                 test_labels: Sequence[int] | None = None,
                 fold_models: Sequence[BaseEstimator] | None = None,
                 top: int = 20) -> ClassificationScores:
    """Log ``result`` (an approach's ``oof_predict`` output) into the active MLflow run.

    ``train`` and ``test`` are the frames the result was computed on (for the qids and
    texts of the Parquet files and the error analysis). ``test_labels``, the held-back
    labels of a split, add ``holdout_*`` metrics: the test rows scored at the out-of-fold
    threshold, the honest check of that threshold. ``fold_models`` (from
    ``oof_predict(..., return_estimators=True)``) add per-epoch curves and model insights.
    Returns the out-of-fold scores.
    """
    scores = result.scores()
    mlflow.log_metrics({f"oof_{name}": value for name, value in {
        "f1": result.crossfit_f1, "f1_tuned": scores.f1, "precision": scores.precision,
        "recall": scores.recall, "roc_auc": scores.roc_auc,
        "pr_auc": scores.average_precision}.items()})
    mlflow.log_metrics({"threshold": scores.threshold,
                        "fit_seconds": float(result.fit_seconds.sum()),
                        "fold_f1_mean": float(result.fold_scores.mean()),
                        "fold_f1_std": float(result.fold_scores.std())})
    for fold, (f1, auc, seconds) in enumerate(zip(result.fold_scores, result.fold_roc_auc,
                                                  result.fit_seconds)):
        mlflow.log_metrics({"fold_f1": float(f1), "fold_roc_auc": float(auc),
                            "fold_fit_seconds": float(seconds)}, step=fold)
    if test_labels is not None and result.test is not None:
        holdout = result.holdout_scores(test_labels)
        mlflow.log_metrics({"holdout_f1": holdout.f1, "holdout_precision": holdout.precision,
                            "holdout_recall": holdout.recall,
                            "holdout_roc_auc": holdout.roc_auc})
    for fold, model in enumerate(fold_models or ()):
        _log_history(model, fold)
    if fold_models:
        _log_resolved_settings(fold_models[0])
        _log_encoder_identity(fold_models[0])

    with tempfile.TemporaryDirectory(prefix="textclf-run-") as folder:
        folder = Path(folder)
        _write_predictions(result, train, test, folder / "predictions")
        _write_plots(result, scores, folder / "plots")
        analysis = error_analysis(train["qid"], train["question_text"], result.y_true,
                                  result.oof, scores.threshold, top=top)
        write_error_analysis(analysis, folder / "error_analysis")
        if fold_models:
            _write_insights(fold_models[0], folder / "insights", top)
        mlflow.log_artifacts(str(folder))
    return scores


def _write_predictions(result: OofResult, train: pd.DataFrame, test: pd.DataFrame | None,
                       folder: Path) -> None:
    folder.mkdir(parents=True)
    fold_of_row = np.empty(len(result.oof), dtype=np.int64)
    for fold, (_, valid) in enumerate(result.folds):
        fold_of_row[valid] = fold
    pd.DataFrame({"qid": train["qid"].to_numpy(), "target": result.y_true,
                  "proba": result.oof, "fold": fold_of_row}).to_parquet(
        folder / "oof.parquet", index=False)
    if test is not None and result.test is not None:
        pd.DataFrame({"qid": test["qid"].to_numpy(), "proba": result.test,
                      "label": result.test_labels}).to_parquet(folder / "test.parquet",
                                                               index=False)


def _write_plots(result: OofResult, scores: ClassificationScores, folder: Path) -> None:
    figures = {
        "precision_recall.png": precision_recall_figure(result.y_true, result.oof,
                                                        scores.threshold),
        "f1_threshold.png": f1_threshold_figure(result.y_true, result.oof, scores.threshold),
        "confusion_matrix.png": confusion_matrix_figure(scores),
    }
    for name, figure in figures.items():
        save_figure(figure, folder / name)


def _log_history(model, fold: int) -> None:
    """Per-epoch curves (loss, validation F1, learning rate...) of a model that keeps them
    in ``history_`` (a mapping of name to one value per epoch), as ``fold<k>_<name>``."""
    history = getattr(model, "history_", None)
    if not isinstance(history, Mapping):
        return
    for name, values in history.items():
        for epoch, value in enumerate(values):
            if value is not None and np.isfinite(value):
                mlflow.log_metric(f"fold{fold}_{name}", float(value), step=epoch)


# Settings a model resolves from its parameters when it is fitted (the network's weight
# averaging is given as a share of the epochs): logged as used, beside the parameter.
_RESOLVED_SETTINGS = {"swa_start_epoch_": "swa_start_epoch"}


def _log_resolved_settings(model) -> None:
    for step in _steps(model):
        for attribute, name in _RESOLVED_SETTINGS.items():
            if hasattr(step, attribute):
                mlflow.log_param(name, str(getattr(step, attribute)))


# What identifies a pre-trained encoder (``encoder_identity_`` of SentenceEncoder and
# TransformerClassifier), logged as ``encoder_<field>``: a run names the exact weights.
_ENCODER_FIELDS = ("name", "package", "version", "weights_sha256", "format", "pooling",
                   "max_len")


def _log_encoder_identity(model) -> None:
    for step in _steps(model):
        identity = getattr(step, "encoder_identity_", None)
        if isinstance(identity, Mapping):
            mlflow.log_params({f"encoder_{field}": str(identity.get(field))
                               for field in _ENCODER_FIELDS if field in identity})
            return


def _write_insights(model: BaseEstimator, folder: Path, top: int) -> None:
    """What the first fold model learned, where it can tell: LDA topics, linear weights."""
    folder.mkdir(parents=True)
    for step in _steps(model):
        if hasattr(step, "top_words") and hasattr(step, "models_"):
            step.top_words(top).to_csv(folder / "lda_topic_words.csv")
    weights = _linear_weights(model)
    if weights is not None:
        # The strongest weights only: a vocabulary of millions makes a useless, huge file.
        weights.head(50 * top).to_csv(folder / "top_weights.csv", index=False)
        save_figure(top_weights_figure(weights["feature"].to_numpy(),
                                       weights["weight"].to_numpy(), top=top),
                    folder / "top_weights.png")


def _steps(estimator):
    """Every estimator nested in pipelines and unions, depth first."""
    yield estimator
    if isinstance(estimator, Pipeline):
        for _, step in estimator.steps:
            yield from _steps(step)
    elif isinstance(estimator, FeatureUnion):
        for _, part in estimator.transformer_list:
            yield from _steps(part)


def _linear_weights(model) -> pd.DataFrame | None:
    """Feature names and coefficients of a pipeline ending in a linear model, if named."""
    if not isinstance(model, Pipeline) or len(model.steps) < 2:
        return None
    final = model.steps[-1][1]
    coef = getattr(final, "coef_", None)
    if coef is None:
        final = getattr(final, "logistic_regression_", None)  # NB-LR's inner model
        coef = getattr(final, "coef_", None)
    if coef is None:
        return None
    try:
        names = model[:-1].get_feature_names_out()
    except (AttributeError, ValueError, TypeError):
        return None
    coef = np.asarray(coef).ravel()
    if len(names) != len(coef):
        return None
    return (pd.DataFrame({"feature": names, "weight": coef})
            .sort_values("weight", key=np.abs, ascending=False, ignore_index=True))
