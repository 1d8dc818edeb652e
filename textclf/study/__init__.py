"""The study: every approach scored out of fold on the same folds, their stack, the outputs.

- The approach registry: ``APPROACHES`` (name -> ``Approach``: a summary and how to build
  its estimator), ``get_approach``, ``select_approaches`` (names as users give them, with
  ``classical`` and ``all``), ``STACK`` and ``stack_bases_of``.
- The rows: ``load_study_data`` reads a shipped dataset or Kaggle CSVs into ``StudyData``
  (holding 20% out as the test part when no test file is given).
- The runner: ``run_study`` scores the approaches, stacks them, writes the submission, the
  comparison and the probabilities to ``<output dir>/<dataset>/``, and tracks it all in
  MLflow unless ``tracking=False``; ``main`` is its command line (``textclf run``, and
  ``python -m pipelines.main`` for MLproject).

Names are imported on first use, so the registry does not load MLflow.
"""

from textclf._lazy import lazy_exports

_EXPORTS = {
    "Approach": "._approaches",
    "APPROACHES": "._approaches",
    "ALL": "._approaches",
    "CLASSICAL": "._approaches",
    "STACK": "._approaches",
    "SEED_STACK_QUORA_F1": "._approaches",
    "get_approach": "._approaches",
    "select_approaches": "._approaches",
    "stack_bases_of": "._approaches",
    "DEFAULT_TRAIN": "._data",
    "StudyData": "._data",
    "load_study_data": "._data",
    "read_labelled": "._data",
    "ApproachOutcome": "._runner",
    "StudyOutcome": "._runner",
    "configure": "._runner",
    "run_study": "._runner",
    "main": "._cli",
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
