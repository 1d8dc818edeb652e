"""One study: approaches scored out of fold on the same folds, their stack, the outputs.

Every approach is scored on the same folds, drawn so that identical texts never sit on
both sides; the stack's logistic regression then learns from the out-of-fold probabilities
of its bases (every other approach of the study, unless named) on those very folds. The
approach with the best cross-fitted out-of-fold F1 makes the submission.

Tracked (the default), the study is one MLflow parent run with a nested child run per
approach (parameters, out-of-fold metrics, artifacts: ``textclf.tracking.log_approach``);
the parent carries the comparison table and chart, the submission, and the best approach
served as an MLflow model (its fold models averaged, the threshold baked in), registered
with the alias ``champion``. Untracked, the same files are written and nothing is logged.

Nothing finished is lost: each approach's result and fold models are stored as soon as it
is done (``textclf.study._store``), and with ``resume`` a re-run takes approaches already
finished on the same data with the same parameters and code from there.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._progress import progress
from ..data import duplicate_groups
from ..embeddings import load_embeddings_for
from ..features import cache_features
from ..models import (
    OofResult,
    StackedEnsemble,
    StackingEnsemble,
    comparison_table,
    oof_predict,
    stack_inputs,
)
from ..text import EmbeddingNormalizer
from ..tracking import (
    APPROACH_TAG,
    PARENT_TAG,
    RUN_KEY_TAG,
    code_version,
    estimator_params,
    finished_run,
    log_approach,
    log_comparison,
    log_text_model,
    run_key,
)
from ._approaches import STACK, get_approach, stack_bases_of
from ._data import StudyData
from ._outputs import check_free, write_outputs
from ._store import is_stored, store_result, stored_ensemble, stored_result, without_models

log = logging.getLogger("textclf.study")


@dataclass
class ApproachOutcome:
    """One approach of a study: its result, where it is stored, its MLflow run if tracked."""

    name: str
    result: OofResult
    store: Path
    run_id: str | None = None
    resumed: bool = False


@dataclass
class StudyOutcome:
    """What a study produced: the table (best first), the files written, and when tracked,
    the parent run and the served model's URI."""

    table: pd.DataFrame
    best: str
    outputs: dict[str, Path]
    outcomes: dict[str, ApproachOutcome] = field(default_factory=dict)
    parent_run_id: str | None = None
    model_uri: str | None = None

    @property
    def submission(self) -> Path:
        return self.outputs["submission"]


def configure(estimator: BaseEstimator, *, embeddings=None, epochs: int | None = None
              ) -> BaseEstimator:
    """Point every ``embeddings`` parameter of ``estimator`` (at any depth) at
    ``embeddings`` and every ``epochs`` parameter at ``epochs``; None leaves them."""
    params = estimator.get_params(deep=True)
    changes = {}
    for name, value in (("embeddings", embeddings), ("epochs", epochs)):
        if value is not None:
            changes.update({key: value for key in params
                            if key == name or key.endswith(f"__{name}")})
    return estimator.set_params(**changes) if changes else estimator


class Study:
    """Runs the approaches of one study; inside an active parent run when ``tracking``."""

    def __init__(self, data: StudyData, *, folds: int, seed: int, output_dir: Path,
                 tracking: bool = True, embeddings=None, embedding_paths: Sequence[str] = (),
                 epochs: int | None = None, resume: bool = False,
                 cache_dir: str | Path | None = None, code_version: dict | None = None,
                 jobs: int = 1):
        self.data, self.folds, self.seed, self.tracking = data, folds, seed, tracking
        # Folds fitted at once; how the work is spread, not what it computes, so it is
        # neither a parameter of the runs nor part of their key.
        self.jobs = jobs
        self.cache_dir = cache_dir
        self.embeddings, self.epochs, self.resume = embeddings, epochs, resume
        # The vectors are not a plain parameter; their files identify them in the run key.
        self.embedding_paths = ",".join(map(str, embedding_paths)) or "default"
        self.store_root = output_dir / "runs"
        self.experiment_id = mlflow.active_run().info.experiment_id if tracking else None
        # Logged on every child run. The package version and the source digest are part of
        # the run key and checked again on the run's tags before a finished child is
        # reused, so a result of other code is never taken for this one's; the git commit
        # only says where to find the code (a commit that edits no code still resumes).
        self.code_version = code_version or {}
        self.code_identity = {name: value for name, value in self.code_version.items()
                              if name in ("textclf_version", "code_version")}

    def run_approach(self, name: str) -> ApproachOutcome:
        approach = get_approach(name)
        estimator = configure(approach.build(), embeddings=self.embeddings, epochs=self.epochs)
        params = {"approach": name, "folds": self.folds, "seed": self.seed,
                  "embedding_files": self.embedding_paths, **estimator_params(estimator)}
        if self.cache_dir is not None:
            # After the parameters are read: the cache location is not one of them.
            estimator = cache_features(estimator, self.cache_dir, require_pipeline=False)
        # A network or an encoder already uses every core, keeps its per-process state (the
        # encoder's vectors of each text) and would claim a GPU once per worker: one process.
        jobs = 1 if approach.neural else self.jobs
        return self._run(name, params, approach.summary, lambda: oof_predict(
            estimator, self.data.train["question_text"], self.data.train["target"].to_numpy(),
            self.data.test["question_text"], n_splits=self.folds, random_state=self.seed,
            n_jobs=jobs, groups=self._duplicate_groups, return_estimators=True))

    @functools.cached_property
    def _duplicate_groups(self) -> np.ndarray:
        # The same for every approach, and a pass over every text: found once per study.
        return duplicate_groups(self.data.train["question_text"])

    def run_stack(self, bases: dict[str, ApproachOutcome]) -> ApproachOutcome:
        # The bases' own folds: a row's meta-features come from fold models that never saw
        # it, and the stack holds it out in the same fold.
        inputs = stack_inputs({name: outcome.result for name, outcome in bases.items()})
        params = {"approach": STACK, "folds": self.folds, "seed": self.seed,
                  "bases": ",".join(bases),
                  "base_runs": ",".join(outcome.store.name for outcome in bases.values()),
                  **estimator_params(StackingEnsemble())}
        description = (f"logistic regression over the out-of-fold probabilities of "
                       f"{', '.join(bases)}")
        return self._run(STACK, params, description, lambda: oof_predict(
            StackingEnsemble(), inputs.oof, inputs.y, inputs.test, folds=inputs.folds,
            return_estimators=True))

    def _run(self, name: str, params: dict, description: str,
             fit: Callable[[], OofResult]) -> ApproachOutcome:
        key = run_key(name, {**params, "description": description, **self.code_identity},
                      self.data.fingerprint)
        store = self.store_root / key
        if self.resume:
            reused = self._reusable(name, key, store)
            if reused is not None:
                return reused
        started = time.perf_counter()
        with self._child_run(name, key, params, description) as run_id:
            result = fit()
            if run_id is not None:
                log_approach(result, train=self.data.train, test=self.data.test,
                             test_labels=self.data.test_labels, fold_models=result.estimators)
            store_result(result, store)
        log.info("%-16s out-of-fold F1 %.4f cross-fitted, %.4f tuned (threshold %.3f) in "
                 "%.1f s", name, result.crossfit_f1, result.f1, result.best_threshold,
                 time.perf_counter() - started)
        return ApproachOutcome(name, without_models(result), store, run_id)

    @contextlib.contextmanager
    def _child_run(self, name: str, key: str, params: dict,
                   description: str) -> Iterator[str | None]:
        if not self.tracking:
            yield None
            return
        tags = {APPROACH_TAG: name, RUN_KEY_TAG: key, **self.code_version}
        with mlflow.start_run(run_name=name, nested=True, description=description,
                              tags=tags) as run:
            mlflow.log_params({**params, "data_fingerprint": self.data.fingerprint,
                               **self.code_version})
            yield run.info.run_id

    def _reusable(self, name: str, key: str, store: Path) -> ApproachOutcome | None:
        """The stored result with ``key``, when there is one; tracked, only when its
        finished child run exists too and records this very code (its version tags, not
        only its key)."""
        if not is_stored(store):
            return None
        run_id = None
        if self.tracking:
            earlier = finished_run(self.experiment_id, key)
            if earlier is None:
                return None
            run_id = earlier.info.run_id
            recorded = {tag: earlier.data.tags.get(tag) for tag in self.code_identity}
            if recorded != self.code_identity:
                changed = ", ".join(f"{tag} {recorded[tag]} -> {value}"
                                    for tag, value in self.code_identity.items()
                                    if recorded[tag] != value)
                log.info("%-16s finished earlier in run %s by other code (%s): refitted",
                         name, run_id, changed)
                return None
        log.info("%-16s finished earlier (%s): reused", name, run_id or store)
        return ApproachOutcome(name, stored_result(store), store, run_id, resumed=True)


def served_model(best: str, outcomes: dict[str, ApproachOutcome],
                 stack_bases: Sequence[str] = ()):
    """The best approach's fold models, averaged; for the stack, its bases' too."""
    if best != STACK:
        return stored_ensemble(outcomes[best].store)
    bases = {name: stored_ensemble(outcomes[name].store) for name in stack_bases}
    return StackedEnsemble(bases, stored_ensemble(outcomes[STACK].store))


def study_table(outcomes: dict[str, ApproachOutcome],
                test_labels: np.ndarray | None) -> pd.DataFrame:
    """``textclf.models.comparison_table`` of the outcomes, with each one's MLflow run id
    when the study is tracked."""
    table = comparison_table({name: outcome.result for name, outcome in outcomes.items()},
                             test_labels)
    run_ids = {name: outcome.run_id for name, outcome in outcomes.items()}
    if all(run_id is None for run_id in run_ids.values()):
        return table
    return table.assign(run_id=table["approach"].map(run_ids))


def run_study(approaches: Sequence[str], data: StudyData, *, folds: int = 5, seed: int = 42,
              stack_bases: Sequence[str] | None = None, embeddings: Sequence[str] = (),
              epochs: int | None = None, output_dir: str | Path = "outputs",
              tracking: bool = True, experiment: str = "textclf",
              registered_model: str | None = "textclf", resume: bool = False,
              overwrite: bool = False, cache_dir: str | Path | None = None,
              jobs: int = 1) -> StudyOutcome:
    """Run ``approaches`` (names; ``"stack"`` stacks the others, or ``stack_bases``) on
    ``data`` and write the outputs to ``<output_dir>/<data.name>/``; tracked in MLflow
    (experiment ``experiment``, the champion registered as ``registered_model``) unless
    ``tracking`` is false."""
    output_dir = Path(output_dir)
    folder = output_dir / data.name
    check_free(folder, overwrite=overwrite)
    for name in [*approaches, *(stack_bases or ())]:
        if name != STACK:
            get_approach(name)
    stacked = stack_bases_of(approaches, stack_bases) if STACK in approaches else []
    # Named stack bases run too, before the stack, even when not asked for on their own.
    steps = list(dict.fromkeys([*(a for a in approaches if a != STACK), *stacked]))
    steps += [STACK] if stacked else []
    vectors = _word_vectors(embeddings, data)
    version = code_version()
    parameters = {"dataset": data.name, "train_rows": len(data.train),
                  "test_rows": len(data.test), "approach_list": ",".join(approaches),
                  "stacked_approaches": ",".join(stacked), "n_folds": folds,
                  "random_seed": seed, "neural_epochs": epochs,
                  "embedding_files": ",".join(map(str, embeddings)) or "default",
                  "data_fingerprint": data.fingerprint, **version}
    with _parent_run(tracking, experiment, data.name, parameters) as parent_run_id:
        study = Study(data, folds=folds, seed=seed, output_dir=output_dir, tracking=tracking,
                      embeddings=vectors, embedding_paths=embeddings, epochs=epochs,
                      resume=resume, cache_dir=cache_dir, code_version=version, jobs=jobs)
        outcomes: dict[str, ApproachOutcome] = {}
        for number, name in enumerate(progress(steps, desc="approaches", unit="approach"), 1):
            log.info("approach %d of %d: %s", number, len(steps), name)
            outcomes[name] = (study.run_stack({base: outcomes[base] for base in stacked})
                              if name == STACK else study.run_approach(name))

        table = study_table(outcomes, data.test_labels)
        # The table ranks by the cross-fitted F1: the champion is not picked by a figure
        # whose threshold was tuned on the rows it scores.
        best = table.loc[0, "approach"]
        written = write_outputs(folder, data, {name: outcome.result
                                               for name, outcome in outcomes.items()},
                                table, overwrite=overwrite)
        model_uri = None
        if tracking:
            model_uri = _log_champion(table, outcomes, stacked, data, written["submission"],
                                      registered_model)
    return StudyOutcome(table, best, written, outcomes, parent_run_id, model_uri)


def _word_vectors(embeddings: Sequence[str], data: StudyData):
    """The vectors of the user's embedding files for the study's words, None for none."""
    if not embeddings:
        return None
    normalized = EmbeddingNormalizer().fit_transform(
        pd.concat([data.train["question_text"], data.test["question_text"]]))
    vectors = load_embeddings_for(list(embeddings), normalized)
    log.info("loaded %d word vectors from %s", len(vectors), ", ".join(embeddings))
    return vectors


@contextlib.contextmanager
def _parent_run(tracking: bool, experiment: str, dataset: str,
                parameters: dict) -> Iterator[str | None]:
    """The study's MLflow parent run (its id), or nothing when not tracking."""
    if not tracking:
        yield None
        return
    # Under `mlflow run`, MLflow has created the run (MLFLOW_RUN_ID) in the experiment it
    # was given (--experiment-name): that run becomes the parent.
    launched_by_mlflow_run = bool(os.environ.get("MLFLOW_RUN_ID"))
    if not launched_by_mlflow_run:
        mlflow.set_experiment(experiment)
    run_name = None if launched_by_mlflow_run else \
        f"{dataset}-{time.strftime('%Y%m%d-%H%M%S')}"
    with mlflow.start_run(run_name=run_name, tags={PARENT_TAG: "true"}) as parent:
        # Names apart from the MLproject parameters, which `mlflow run` logs as given.
        mlflow.log_params(parameters)
        yield parent.info.run_id


def _log_champion(table: pd.DataFrame, outcomes: dict[str, ApproachOutcome],
                  stacked: Sequence[str], data: StudyData, submission: Path,
                  registered_model: str | None) -> str:
    """Log the comparison, the champion's figures, the submission and the served model to
    the active parent run; returns the model's URI."""
    log_comparison(table)
    best = table.loc[0, "approach"]
    champion = outcomes[best].result
    mlflow.set_tag("textclf.best_approach", best)
    mlflow.log_metrics({"best_oof_f1": champion.crossfit_f1,
                        "best_oof_f1_tuned": champion.f1,
                        "best_threshold": champion.best_threshold})
    if data.test_labels is not None:
        mlflow.log_metric("best_holdout_f1", float(table.loc[0, "holdout_f1"]))
    mlflow.log_artifact(str(submission))
    model_info = log_text_model(
        served_model(best, outcomes, stacked), champion.best_threshold,
        input_example_texts=data.test["question_text"].head(3).tolist(),
        registered_model_name=registered_model)
    mlflow.log_dict({"approach": best, "model_uri": model_info.model_uri,
                     "threshold": champion.best_threshold}, "champion.json")
    return model_info.model_uri
