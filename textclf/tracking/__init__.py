"""Stage 6, tracking: MLflow runs of the approaches, the served model, and run figures.

- The served model: ``log_text_model`` logs any fitted classifier over raw texts (a
  ``textclf.models`` ``FoldEnsemble`` or ``StackedEnsemble``, a ``Pipeline``) with its F1
  threshold as an MLflow ``pyfunc`` model (``TextClassifierModel``), optionally registered
  under an alias; ``load_text_model`` loads it back (``LoadedTextModel``). It answers a
  frame with a ``question_text`` column with ``probability`` and ``label``, in-process or
  behind ``mlflow models serve``.
- Runs: ``log_approach`` fills the active run with an approach's out-of-fold metrics,
  per-fold and per-epoch curves, probabilities, plots, error analysis and model insights
  (parameters from ``estimator_params``); ``log_comparison`` puts the table of approaches
  and its chart in the parent run, ``latest_comparison`` reads it back, ``finished_run``
  finds a finished approach to resume from.
- Provenance: ``data_fingerprint`` (a hash of the rows' content), ``run_key`` (data,
  approach and parameters in one key), ``code_version`` (package version, git commit).
- Figures for run artifacts: ``precision_recall_figure``, ``f1_threshold_figure``,
  ``confusion_matrix_figure``, ``comparison_figure``, ``top_weights_figure``;
  ``save_figure`` writes a PNG atomically.

Names are imported on first use, so ``import textclf.tracking`` does not load MLflow (a
second of start-up) or matplotlib until a name that needs them is used.
"""

from textclf._lazy import lazy_exports

_EXPORTS = {
    "data_fingerprint": "._provenance",
    "run_key": "._provenance",
    "code_version": "._provenance",
    "estimator_params": "._runs",
    "log_approach": "._runs",
    "log_comparison": "._comparison",
    "latest_comparison": "._comparison",
    "finished_run": "._comparison",
    "PARENT_TAG": "._comparison",
    "APPROACH_TAG": "._comparison",
    "RUN_KEY_TAG": "._comparison",
    "TextClassifierModel": "._pyfunc",
    "LoggedTextModel": "._pyfunc",
    "LoadedTextModel": "._pyfunc",
    "log_text_model": "._pyfunc",
    "load_text_model": "._pyfunc",
    "precision_recall_figure": "._plots",
    "f1_threshold_figure": "._plots",
    "confusion_matrix_figure": "._plots",
    "comparison_figure": "._plots",
    "top_weights_figure": "._plots",
    "save_figure": "._plots",
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
