"""The whole study as one tracked MLflow experiment: every approach, the stack, a submission.

One parent run per invocation; inside it, one nested child run per approach with its
parameters, out-of-fold metrics and artifacts (``textclf.tracking.log_approach``), then the
stack over the base approaches. The parent run carries the comparison table and chart, the
submission of the approach with the best out-of-fold F1, and that approach served as an
MLflow model (its fold models averaged, the threshold baked in), registered with the alias
``champion``.

Without a test file the labelled rows are split (stratified, seeded) into train and test
parts, Kaggle-style; the test part's held-back labels then score the submission
(``holdout_f1``), an honest check of the out-of-fold threshold.

Nothing finished is lost: each approach's run is closed as soon as it is done, and its
fold models are stored under ``<output-dir>/runs/<run key>/``; with ``--resume`` a re-run
takes approaches already finished on the same data with the same parameters from there.
Outputs are written atomically, and an existing submission is never replaced unless
``--overwrite`` says so (checked before any work starts).

    python -m pipelines.main [--train sms_spam|PATH] [--test PATH] [--approach NAME ...]
        [--embeddings PATH ...] [--folds 5] [--seed 42] [--epochs N]
        [--output-dir outputs] [--experiment textclf] [--registered-model textclf]
        [--max-rows N] [--resume] [--overwrite]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import mlflow
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split

from textclf._arguments import whole_number, yes_no
from textclf._io import atomic_write
from textclf._progress import progress
from textclf.data import list_datasets, load_dataset, read_test, read_train, split_train_test
from textclf.features import cache_features
from textclf.models import OofResult, StackingEnsemble, oof_predict, stack_inputs
from textclf.submission import write_submission
from textclf.text import EmbeddingNormalizer

from .approaches import APPROACHES, SEED_STACK_QUORA_F1, STACK_BASES, get_approach

STACK = "stack"
DEFAULT_TRAIN = "sms_spam"
HOLDOUT_SHARE = 0.2
log = logging.getLogger("textclf.pipelines.main")


@dataclass(frozen=True)
class ExperimentData:
    """The rows of one experiment and what identifies them."""

    name: str
    train: pd.DataFrame
    test: pd.DataFrame
    # The test rows' labels when they were split off the labelled rows, else None.
    test_labels: np.ndarray | None
    fingerprint: str


def load_data(train: str = DEFAULT_TRAIN, test: str | None = None, *, seed: int = 42,
              max_rows: int | None = None) -> ExperimentData:
    """Read ``train`` (a shipped dataset's name or a Kaggle CSV path) and ``test``.

    ``max_rows`` keeps a stratified, seeded sample of the labelled rows (input order kept),
    for quick runs. Without ``test``, 20% of the labelled rows become the test part.
    """
    from textclf.tracking import data_fingerprint

    if train in list_datasets():
        name, frame = train, load_dataset(train)
    else:
        name, frame = Path(train).name.split(".")[0], read_train(train)
    if max_rows is not None and max_rows < len(frame):
        kept, _ = train_test_split(frame.index.to_numpy(), train_size=max_rows,
                                   stratify=frame["target"], random_state=seed)
        frame = frame.loc[np.sort(kept)].reset_index(drop=True)
    if test:
        test_frame, labels = read_test(test), None
    else:
        split = split_train_test(frame, test_size=HOLDOUT_SHARE, random_state=seed)
        frame, test_frame = split.train, split.test
        labels = split.test_labels["target"].to_numpy()
    return ExperimentData(name, frame, test_frame, labels,
                          data_fingerprint(frame, test_frame))


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


@dataclass
class ApproachOutcome:
    name: str
    result: OofResult
    run_id: str
    store: Path
    resumed: bool = False


@dataclass
class ExperimentOutcome:
    table: pd.DataFrame
    best: str
    parent_run_id: str
    submission: Path
    model_uri: str
    outcomes: dict[str, ApproachOutcome] = field(default_factory=dict)


class Experiment:
    """Runs the approaches of one invocation inside an active parent run."""

    def __init__(self, data: ExperimentData, *, folds: int, seed: int, output_dir: Path,
                 embeddings=None, embedding_paths: Sequence[str] = (),
                 epochs: int | None = None, resume: bool = False,
                 cache_dir: str | Path | None = None, code_version: dict | None = None):
        self.data, self.folds, self.seed = data, folds, seed
        self.cache_dir = cache_dir
        self.embeddings, self.epochs, self.resume = embeddings, epochs, resume
        # The vectors are not a plain parameter; their files identify them in the run key.
        self.embedding_paths = ",".join(map(str, embedding_paths)) or "default"
        self.store_root = output_dir / "runs"
        self.experiment_id = mlflow.active_run().info.experiment_id
        # Logged on every child run, outside the run key: a new commit still resumes.
        self.code_version = code_version or {}

    def run_approach(self, name: str) -> ApproachOutcome:
        from textclf.tracking import estimator_params

        estimator = configure(get_approach(name).build(), embeddings=self.embeddings,
                              epochs=self.epochs)
        params = {"approach": name, "folds": self.folds, "seed": self.seed,
                  "embedding_files": self.embedding_paths, **estimator_params(estimator)}
        if self.cache_dir is not None:
            # After the parameters are read: the cache location is not one of them.
            estimator = cache_features(estimator, self.cache_dir, require_pipeline=False)
        return self._run(name, params, get_approach(name).summary, lambda: oof_predict(
            estimator, self.data.train["question_text"], self.data.train["target"].to_numpy(),
            self.data.test["question_text"], n_splits=self.folds, random_state=self.seed,
            return_estimators=True))

    def run_stack(self, bases: dict[str, ApproachOutcome]) -> ApproachOutcome:
        from textclf.tracking import estimator_params

        inputs = stack_inputs({name: outcome.result for name, outcome in bases.items()})
        params = {"approach": STACK, "folds": self.folds, "seed": self.seed,
                  "bases": ",".join(bases),
                  "base_runs": ",".join(outcome.store.name for outcome in bases.values()),
                  **estimator_params(StackingEnsemble())}
        description = (f"logistic regression over the out-of-fold probabilities of "
                       f"{', '.join(bases)}")
        return self._run(STACK, params, description, lambda: oof_predict(
            StackingEnsemble(), inputs.oof, inputs.y, inputs.test, n_splits=self.folds,
            random_state=self.seed, return_estimators=True))

    def _run(self, name: str, params: dict, description: str, fit) -> ApproachOutcome:
        from textclf.tracking import APPROACH_TAG, RUN_KEY_TAG, finished_run, log_approach, run_key

        key = run_key(name, params, self.data.fingerprint)
        store = self.store_root / key
        if self.resume:
            earlier = finished_run(self.experiment_id, key)
            if earlier is not None and (store / "result.joblib").is_file():
                log.info("%-16s finished earlier in run %s: reused", name,
                         earlier.info.run_id)
                return ApproachOutcome(name, joblib.load(store / "result.joblib"),
                                       earlier.info.run_id, store, resumed=True)
        started = time.perf_counter()
        with mlflow.start_run(run_name=name, nested=True, description=description,
                              tags={APPROACH_TAG: name, RUN_KEY_TAG: key}) as run:
            mlflow.log_params({**params, "data_fingerprint": self.data.fingerprint,
                               **self.code_version})
            result = fit()
            log_approach(result, train=self.data.train, test=self.data.test,
                         test_labels=self.data.test_labels, fold_models=result.estimators)
            _store(result, store)
        log.info("%-16s out-of-fold F1 %.4f (threshold %.3f) in %.1f s", name, result.f1,
                 result.best_threshold, time.perf_counter() - started)
        return ApproachOutcome(name, _without_models(result), run.info.run_id, store)


def _store(result: OofResult, folder: Path) -> None:
    """The result and its fold models, written to a temporary folder renamed into place,
    so a store is complete or absent."""
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    joblib.dump(result.estimators, partial / "fold_models.joblib")
    joblib.dump(_without_models(result), partial / "result.joblib")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)


def _without_models(result: OofResult) -> OofResult:
    import dataclasses

    return dataclasses.replace(result, estimators=None)


def served_model(best: str, outcomes: dict[str, ApproachOutcome]):
    """The best approach's fold models, averaged; for the stack, its bases' too."""
    from textclf.models import FoldEnsemble, StackedEnsemble

    def ensemble(outcome: ApproachOutcome) -> FoldEnsemble:
        return FoldEnsemble(joblib.load(outcome.store / "fold_models.joblib"))

    if best != STACK:
        return ensemble(outcomes[best])
    bases = {name: ensemble(outcome) for name, outcome in outcomes.items() if name != STACK}
    return StackedEnsemble(bases, ensemble(outcomes[STACK]))


def comparison_table(outcomes: dict[str, ApproachOutcome],
                     test_labels: np.ndarray | None) -> pd.DataFrame:
    from textclf.metrics import classification_scores

    rows = []
    for name, outcome in outcomes.items():
        result, scores = outcome.result, outcome.result.scores()
        row = {"approach": name, "oof_f1": scores.f1, "threshold": scores.threshold,
               "precision": scores.precision, "recall": scores.recall,
               "roc_auc": scores.roc_auc, "pr_auc": scores.average_precision,
               "fold_f1_std": float(result.fold_scores.std()),
               "fit_seconds": float(result.fit_seconds.sum())}
        if test_labels is not None:
            row["holdout_f1"] = classification_scores(test_labels, result.test,
                                                      scores.threshold).f1
        row["seed_quora_f1"] = (SEED_STACK_QUORA_F1 if name == STACK
                                else APPROACHES[name].seed_quora_f1)
        row["run_id"] = outcome.run_id
        rows.append(row)
    return pd.DataFrame(rows).sort_values("oof_f1", ascending=False, ignore_index=True)


def run(approaches: Sequence[str], data: ExperimentData, *, folds: int = 5, seed: int = 42,
        embeddings: Sequence[str] = (), epochs: int | None = None,
        output_dir: str | Path = "outputs", experiment: str = "textclf",
        registered_model: str | None = "textclf", resume: bool = False,
        overwrite: bool = False, cache_dir: str | Path | None = None) -> ExperimentOutcome:
    """Run ``approaches`` (names; ``"stack"`` stacks the others) as one parent run."""
    from textclf.features import load_embeddings_for
    from textclf.tracking import PARENT_TAG, code_version, log_comparison, log_text_model

    output_dir = Path(output_dir)
    submission_path = output_dir / data.name / "submission.csv"
    if submission_path.exists() and not overwrite:
        raise FileExistsError(f"{submission_path} already exists; pass --overwrite to "
                              "replace it, or choose another --output-dir")
    bases = [name for name in approaches if name != STACK]
    if STACK in approaches and len(bases) < 2:
        raise ValueError("the stack needs at least two base approaches")
    vectors = None
    if embeddings:
        normalized = EmbeddingNormalizer().fit_transform(
            pd.concat([data.train["question_text"], data.test["question_text"]]))
        vectors = load_embeddings_for(list(embeddings), normalized)
        log.info("loaded %d word vectors from %s", len(vectors), ", ".join(embeddings))

    # Under `mlflow run`, MLflow has created the run (MLFLOW_RUN_ID) in the experiment it
    # was given (--experiment-name): that run becomes the parent.
    launched_by_mlflow_run = bool(os.environ.get("MLFLOW_RUN_ID"))
    if not launched_by_mlflow_run:
        mlflow.set_experiment(experiment)
    run_name = None if launched_by_mlflow_run else \
        f"{data.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    version = code_version()
    with mlflow.start_run(run_name=run_name, tags={PARENT_TAG: "true"}) as parent:
        # Names apart from the MLproject parameters, which `mlflow run` logs as given.
        mlflow.log_params({"dataset": data.name, "train_rows": len(data.train),
                           "test_rows": len(data.test), "approach_list": ",".join(approaches),
                           "n_folds": folds, "random_seed": seed, "neural_epochs": epochs,
                           "embedding_files": ",".join(map(str, embeddings)) or "default",
                           "data_fingerprint": data.fingerprint, **version})
        runner = Experiment(data, folds=folds, seed=seed, output_dir=output_dir,
                            embeddings=vectors, embedding_paths=embeddings, epochs=epochs,
                            resume=resume, cache_dir=cache_dir, code_version=version)
        outcomes = {}
        steps = [*bases, *([STACK] if STACK in approaches else [])]
        for name in progress(steps, desc="approaches", unit="approach"):
            outcomes[name] = (runner.run_stack(outcomes) if name == STACK
                              else runner.run_approach(name))

        table = comparison_table(outcomes, data.test_labels)
        log_comparison(table)
        best = table.loc[0, "approach"]
        champion = outcomes[best].result
        mlflow.set_tag("textclf.best_approach", best)
        mlflow.log_metrics({"best_oof_f1": champion.f1,
                            "best_threshold": champion.best_threshold})
        if data.test_labels is not None:
            mlflow.log_metric("best_holdout_f1", float(table.loc[0, "holdout_f1"]))
        write_submission(data.test["qid"], champion.test_labels, submission_path,
                         overwrite=overwrite, expected_qids=data.test["qid"])
        mlflow.log_artifact(str(submission_path))
        atomic_write(output_dir / data.name / "comparison.csv",
                     lambda tmp: table.to_csv(tmp, index=False), overwrite=True)
        model_info = log_text_model(
            served_model(best, outcomes), champion.best_threshold,
            input_example_texts=data.test["question_text"].head(3).tolist(),
            registered_model_name=registered_model)
        mlflow.log_dict({"approach": best, "model_uri": model_info.model_uri,
                         "threshold": champion.best_threshold}, "champion.json")
    return ExperimentOutcome(table, best, parent.info.run_id, submission_path,
                             model_info.model_uri, outcomes)


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=DEFAULT_TRAIN,
                        help=f"a shipped dataset ({', '.join(list_datasets())}) or the path "
                             "of a Kaggle-format train CSV (default: %(default)s)")
    parser.add_argument("--test", default="",
                        help="path of a Kaggle-format test CSV; without one, 20%% of the "
                             "labelled rows are held out as the test part")
    parser.add_argument("--approach", nargs="+", default=["all"],
                        help="approach names (space- or comma-separated), 'stack' (of the "
                             "others given), 'classical' or 'all' (every approach and the "
                             f"stack): {', '.join([*APPROACHES, STACK])}")
    parser.add_argument("--embeddings", nargs="*", default=[],
                        help="word-vector files (GloVe, Paragram, word2vec, fastText text), "
                             "combined by mean; default: the shipped GloVe 6B 50-d")
    parser.add_argument("--folds", type=whole_number, default=5)
    parser.add_argument("--seed", type=whole_number, default=42)
    parser.add_argument("--epochs", type=whole_number, default=0,
                        help="epochs of the neural approach (0, the default: its own)")
    parser.add_argument("--output-dir", default="outputs")
    parser.add_argument("--experiment", default="textclf", help="MLflow experiment name")
    parser.add_argument("--registered-model", default="textclf",
                        help="registry name of the champion model ('' to skip registering)")
    parser.add_argument("--max-rows", type=whole_number, default=0,
                        help="a stratified sample of this many labelled rows, for quick runs "
                             "(0, the default: all)")
    parser.add_argument("--resume", type=yes_no, nargs="?", const=True, default=False,
                        help="reuse approaches already finished on the same data and params")
    parser.add_argument("--overwrite", type=yes_no, nargs="?", const=True, default=False,
                        help="replace an existing submission (default: refuse)")
    parser.add_argument("--cache-dir", default=None,
                        help="cache each fold's fitted features here (keyed by parameters "
                             "and rows), so re-runs and approaches sharing steps reuse them")
    args = parser.parse_args(argv)
    args.approach = expand_approaches(args.approach, parser)
    # MLproject passes an empty string for "none" and several files comma-separated.
    args.embeddings = [path for value in args.embeddings for path in value.split(",") if path]
    if args.folds < 2:
        parser.error(f"--folds must be at least 2, got {args.folds}")
    for path in filter(None, [args.test, *args.embeddings]):
        if not Path(path).is_file():
            parser.error(f"file not found: {path}")
    if args.train not in list_datasets() and not Path(args.train).is_file():
        parser.error(f"--train {args.train!r} is neither a shipped dataset "
                     f"({', '.join(list_datasets())}) nor an existing file")
    return args


def expand_approaches(names: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """Approach names as given, with 'all' expanded and every name checked."""
    expanded = []
    for name in names:
        for part in (name.split(",") if "," in name else [name]):
            if part == "all":
                expanded += [*APPROACHES, STACK]
            elif part == "classical":
                expanded += list(STACK_BASES)
            elif part in APPROACHES or part == STACK:
                expanded.append(part)
            elif part:
                parser.error(f"unknown approach {part!r}; choose from "
                             f"{', '.join([*APPROACHES, STACK, 'classical', 'all'])}")
    return list(dict.fromkeys(expanded))


def main(argv: list[str] | None = None, prog: str | None = None) -> ExperimentOutcome:
    args = parse_args(argv, prog)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    data = load_data(args.train, args.test or None, seed=args.seed,
                     max_rows=args.max_rows or None)
    log.info("%s: %d training rows (%.1f%% positive), %d test rows", data.name,
             len(data.train), 100 * data.train["target"].mean(), len(data.test))
    outcome = run(args.approach, data, folds=args.folds, seed=args.seed,
                  embeddings=args.embeddings, epochs=args.epochs or None,
                  output_dir=args.output_dir, experiment=args.experiment,
                  registered_model=args.registered_model or None, resume=args.resume,
                  overwrite=args.overwrite, cache_dir=args.cache_dir)
    shown = outcome.table.drop(columns="run_id")
    print(shown.to_markdown(index=False, floatfmt=".4f"))
    print(f"\nbest: {outcome.best}  submission: {outcome.submission.resolve()}")
    print(f"model: {outcome.model_uri}  tracking: {mlflow.get_tracking_uri()}")
    print(json.dumps({"parent_run_id": outcome.parent_run_id}))
    return outcome


if __name__ == "__main__":
    main()
