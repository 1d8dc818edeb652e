"""The comparison of approaches: one table per experiment run, logged and read back.

The parent run of an experiment carries the table (``comparison.csv``, ``comparison.md``)
and its bar chart, so ``textclf compare`` and the MLflow UI show the same numbers the run
printed. Child runs are tagged with the approach name and the run key, which is how a
resumed run finds finished approaches.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.entities import Run

from ._plots import comparison_figure, save_figure

# Tags that tie the runs of one experiment together.
PARENT_TAG = "textclf.parent"
APPROACH_TAG = "textclf.approach"
RUN_KEY_TAG = "textclf.run_key"

COMPARISON_CSV = "comparison.csv"


def log_comparison(table: pd.DataFrame) -> None:
    """Log ``table`` (one row per approach, best first) into the active run, with a chart."""
    with tempfile.TemporaryDirectory(prefix="textclf-comparison-") as folder:
        folder = Path(folder)
        table.to_csv(folder / COMPARISON_CSV, index=False)
        (folder / "comparison.md").write_text(
            table.to_markdown(index=False, floatfmt=".4f") + "\n", encoding="utf-8")
        save_figure(comparison_figure(table), folder / "comparison.png")
        mlflow.log_artifacts(str(folder))


def finished_run(experiment_id: str, run_key: str) -> Run | None:
    """The latest finished child run of this experiment with ``run_key``, if any."""
    runs = mlflow.search_runs(
        experiment_ids=[experiment_id],
        filter_string=f"tags.`{RUN_KEY_TAG}` = '{run_key}' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"], max_results=1, output_format="list")
    return runs[0] if runs else None


def latest_comparison(experiment_name: str = "textclf") -> tuple[Run, pd.DataFrame]:
    """The latest finished parent run of ``experiment_name`` and its comparison table."""
    experiment = mlflow.get_experiment_by_name(experiment_name)
    if experiment is None:
        raise LookupError(f"no MLflow experiment {experiment_name!r} at tracking URI "
                          f"{mlflow.get_tracking_uri()}; run `textclf run` first or set "
                          "MLFLOW_TRACKING_URI")
    runs = mlflow.search_runs(
        experiment_ids=[experiment.experiment_id],
        filter_string=f"tags.`{PARENT_TAG}` = 'true' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"], max_results=1, output_format="list")
    if not runs:
        raise LookupError(f"experiment {experiment_name!r} has no finished textclf run yet")
    path = mlflow.artifacts.download_artifacts(run_id=runs[0].info.run_id,
                                               artifact_path=COMPARISON_CSV)
    return runs[0], pd.read_csv(path)
