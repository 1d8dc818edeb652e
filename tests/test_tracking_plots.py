"""Run figures: built from a real out-of-fold result, saved as valid PNGs, with clear
errors for bad input, and never through pyplot's global state."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from textclf.data import load_dataset
from textclf.metrics import classification_scores
from textclf.models import oof_predict
from textclf.tracking import (
    comparison_figure,
    confusion_matrix_figure,
    f1_threshold_figure,
    precision_recall_figure,
    save_figure,
    top_weights_figure,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def study():
    """TF-IDF + logistic regression on 600 real SMS rows, 3 folds, fold models kept."""
    rows = load_dataset("sms_spam").head(600)
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2),
                          LogisticRegression(C=4.0, max_iter=1000))
    return oof_predict(model, rows["question_text"], rows["target"], n_splits=3,
                       return_estimators=True)


def _titles(figure: Figure) -> list[tuple[str, str, str]]:
    return [(axes.get_title(), axes.get_xlabel(), axes.get_ylabel()) for axes in figure.axes]


def _assert_png(path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000
    # The IHDR chunk follows the signature; a saved figure has a real size.
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 100 and height > 100


def test_precision_recall_figure(study, tmp_path):
    figure = precision_recall_figure(study.y_true, study.oof, study.best_threshold)
    assert _titles(figure) == [("Precision-recall curve", "Recall", "Precision")]
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert any(f"F1 {study.f1:.3f}" in label for label in labels)
    _assert_png(save_figure(figure, tmp_path / "pr.png"))


def test_f1_threshold_figure_marks_the_threshold(study, tmp_path):
    figure = f1_threshold_figure(study.y_true, study.oof, study.best_threshold)
    assert _titles(figure) == [("F1 by threshold", "Threshold", "Score")]
    axes = figure.axes[0]
    f1_line = axes.get_lines()[0]
    assert f1_line.get_label() == "F1"
    # The F1 curve peaks at the result's F1, at its best threshold.
    assert np.max(f1_line.get_ydata()) == pytest.approx(study.f1)
    assert f1_line.get_xdata()[np.argmax(f1_line.get_ydata())] == study.best_threshold
    _assert_png(save_figure(figure, tmp_path / "f1.png"))


def test_confusion_matrix_figure_shows_the_counts(study, tmp_path):
    scores = study.scores()
    figure = confusion_matrix_figure(scores)
    assert _titles(figure) == [(f"Confusion matrix at threshold {scores.threshold:.3f}",
                                "Predicted", "Actual")]
    texts = [text.get_text() for text in figure.axes[0].texts]
    for count in scores.confusion_matrix.ravel():
        assert any(text.startswith(f"{count:,}\n") for text in texts)
    _assert_png(save_figure(figure, tmp_path / "confusion.png"))


def test_comparison_figure_orders_approaches_and_marks_the_tuned_f1(tmp_path):
    table = pd.DataFrame({"approach": ["tfidf_lr", "count_mnb", "wordchar_nblr"],
                          "oof_f1": [0.91, 0.88, 0.93],
                          "oof_f1_tuned": [0.92, 0.89, np.nan]})
    figure = comparison_figure(table)
    axes = figure.axes[0]
    assert _titles(figure) == [("Out-of-fold F1 by approach", "F1", "")]
    # Best at the top (last tick of a horizontal bar chart).
    assert [tick.get_text() for tick in axes.get_yticklabels()] == [
        "count_mnb", "tfidf_lr", "wordchar_nblr"]
    markers = [line for line in axes.get_lines() if "tuned" in line.get_label()]
    assert len(markers) == 1
    np.testing.assert_array_equal(markers[0].get_xdata(), [0.89, 0.92])
    _assert_png(save_figure(figure, tmp_path / "comparison.png"))
    without_tuned = comparison_figure(table[["approach", "oof_f1"]])
    assert not without_tuned.axes[0].get_lines()


def test_top_weights_figure_from_a_fold_model(study, tmp_path):
    pipeline = study.estimators[0]
    names = pipeline[:-1].get_feature_names_out()
    weights = pipeline[-1].coef_.ravel()
    figure = top_weights_figure(names, weights, top=10)
    assert _titles(figure) == [("Top 10 positive and negative weights", "Weight", "")]
    shown = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    assert len(shown) == 20
    assert shown[-1] == names[np.argmax(weights)] and shown[0] == names[np.argmin(weights)]
    _assert_png(save_figure(figure, tmp_path / "weights.png"))


def test_top_weights_figure_shows_only_signs_that_exist():
    figure = top_weights_figure(["a", "b", "c"], [0.5, 1.5, 0.0], top=5)
    assert [tick.get_text() for tick in figure.axes[0].get_yticklabels()] == ["a", "b"]


def test_save_figure_is_atomic_and_does_not_overwrite_unasked(study, tmp_path):
    figure = precision_recall_figure(study.y_true, study.oof, 0.5)
    path = save_figure(figure, tmp_path / "plots" / "pr.png")
    assert [p.name for p in path.parent.iterdir()] == ["pr.png"]   # no temporary left
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_figure(figure, path)
    _assert_png(save_figure(figure, path, overwrite=True))
    with pytest.raises(ValueError, match=r"\.png suffix"):
        save_figure(figure, tmp_path / "pr.svg")
    with pytest.raises(TypeError, match="matplotlib Figure"):
        save_figure("figure", tmp_path / "x.png")


def test_bad_inputs_get_clear_errors(study):
    for threshold in (float("nan"), 1.5, True):
        with pytest.raises(InvalidParameterError,
                           match=r"'threshold' parameter of precision_recall_figure must be a "
                                 r"float in the range \[0.0, 1.0\]"):
            precision_recall_figure(study.y_true, study.oof, threshold)
    with pytest.raises(InvalidParameterError, match="'threshold' parameter of f1_threshold_fig"):
        f1_threshold_figure(study.y_true, study.oof, -0.1)
    with pytest.raises(ValueError, match="rows"):
        f1_threshold_figure(study.y_true[:10], study.oof, 0.5)
    with pytest.raises(TypeError, match="ClassificationScores"):
        confusion_matrix_figure(np.eye(2))
    with pytest.raises(ValueError, match=r"lacks the columns \['oof_f1'\]"):
        comparison_figure(pd.DataFrame({"approach": ["a"], "f1": [0.5]}))
    with pytest.raises(ValueError, match="no rows"):
        comparison_figure(pd.DataFrame({"approach": [], "oof_f1": []}))
    with pytest.raises(ValueError, match=r"not for \['b'\]"):
        comparison_figure(pd.DataFrame({"approach": ["a", "b"], "oof_f1": [0.5, "n/a"]}))
    with pytest.raises(ValueError, match="3 feature names for 2 weights"):
        top_weights_figure(["a", "b", "c"], [0.1, 0.2])
    for top in (0, True):
        with pytest.raises(InvalidParameterError,
                           match=r"'top' parameter of top_weights_figure must be an int in the "
                                 r"range \[1, inf\)"):
            top_weights_figure(["a"], [0.1], top=top)


def test_figures_never_touch_pyplot_and_tracking_imports_lazily():
    code = (
        "import sys, numpy as np\n"
        "import textclf.tracking as tracking\n"
        "assert 'mlflow' not in sys.modules, 'import textclf.tracking loaded mlflow'\n"
        "from textclf.metrics import classification_scores\n"
        "y = np.array([0, 1, 0, 1, 1]); p = np.array([0.1, 0.8, 0.4, 0.35, 0.9])\n"
        "tracking.precision_recall_figure(y, p, 0.5)\n"
        "tracking.f1_threshold_figure(y, p, 0.5)\n"
        "tracking.confusion_matrix_figure(classification_scores(y, p, 0.5))\n"
        "tracking.top_weights_figure(['a', 'b'], [1.0, -1.0])\n"
        "print(sorted(m for m in ('matplotlib.pyplot', 'mlflow') if m in sys.modules))\n")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_scores_of_the_figure_match_the_metrics(study):
    # The marked point of the precision-recall figure is the scores at the threshold.
    scores = classification_scores(study.y_true, study.oof, study.best_threshold)
    figure = precision_recall_figure(study.y_true, study.oof, study.best_threshold)
    [point] = [line for line in figure.axes[0].get_lines()
               if line.get_label().startswith("threshold")]
    assert point.get_xdata()[0] == scores.recall and point.get_ydata()[0] == scores.precision
