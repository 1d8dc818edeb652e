"""The whole study as one tracked MLflow experiment: every approach, the stack, a submission.

One parent run per invocation; inside it, one nested child run per approach with its
parameters, out-of-fold metrics and artifacts (``textclf.tracking.log_approach``), then the
stack over the base approaches (every other approach of the invocation, unless
``--stack-bases`` names them). Every approach is scored on the same folds, drawn so that
identical texts never sit on both sides. The parent run carries the comparison table and
chart, the submission of the approach with the best cross-fitted out-of-fold F1, and that
approach served as an MLflow model (its fold models averaged, the threshold baked in),
registered with the alias ``champion``.

Without a test file the labelled rows are split (stratified, seeded, repeated texts kept
together) into train and test parts, Kaggle-style; the test part's held-back labels then
score the submission (``holdout_f1``), an honest check of the out-of-fold threshold.

Nothing finished is lost: each approach's run is closed as soon as it is done, and its
fold models are stored under ``<output-dir>/runs/<run key>/``; with ``--resume`` a re-run
takes approaches already finished on the same data with the same parameters and the same
code from there. Outputs are written atomically, and an existing submission is never
replaced unless ``--overwrite`` says so (checked before any work starts).

    python -m pipelines.main [--train sms_spam|PATH] [--test PATH] [--approach NAME ...]
        [--stack-bases NAME ...] [--embeddings PATH ...] [--folds 5] [--seed 42]
        [--epochs N] [--output-dir outputs] [--experiment textclf]
        [--registered-model textclf] [--max-rows N] [--resume] [--overwrite]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import shutil
import sys
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
from textclf._console import OneLineParser, configure_logging, run_command
from textclf._io import atomic_write
from textclf._progress import progress
from textclf.data import list_datasets, load_dataset, read_test, read_train, split_train_test
from textclf.features import cache_features, load_embeddings_for
from textclf.metrics import classification_scores
from textclf.models import (
    FoldEnsemble,
    OofResult,
    StackedEnsemble,
    StackingEnsemble,
    oof_predict,
    stack_inputs,
)
from textclf.models import comparison_table as results_table
from textclf.submission import write_submission
from textclf.text import EmbeddingNormalizer
from textclf.tracking import (
    APPROACH_TAG,
    PARENT_TAG,
    RUN_KEY_TAG,
    code_version,
    data_fingerprint,
    estimator_params,
    finished_run,
    log_approach,
    log_comparison,
    log_text_model,
    run_key,
)

from .approaches import ALL, APPROACHES, CLASSICAL, STACK, get_approach

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
                 cache_dir: str | Path | None = None, code_version: dict | None = None,
                 jobs: int = 1):
        self.data, self.folds, self.seed = data, folds, seed
        # Folds fitted at once; how the work is spread, not what it computes, so it is
        # neither a parameter of the runs nor part of their key.
        self.jobs = jobs
        self.cache_dir = cache_dir
        self.embeddings, self.epochs, self.resume = embeddings, epochs, resume
        # The vectors are not a plain parameter; their files identify them in the run key.
        self.embedding_paths = ",".join(map(str, embedding_paths)) or "default"
        self.store_root = output_dir / "runs"
        self.experiment_id = mlflow.active_run().info.experiment_id
        # Logged on every child run. The package version and the source digest are part of
        # the run key and checked again on the run's tags before a finished child is
        # reused, so a result of other code is never taken for this one's; the git commit
        # only says where to find the code (a commit that edits no code still resumes).
        self.code_version = code_version or {}
        self.code_identity = {name: value for name, value in self.code_version.items()
                              if name in ("textclf_version", "code_version")}

    def run_approach(self, name: str) -> ApproachOutcome:
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
            n_jobs=self._jobs_of(name), return_estimators=True))

    def _jobs_of(self, name: str) -> int:
        # A network or an encoder already uses every core, keeps its per-process state (the
        # encoder's vectors of each text) and would claim a GPU once per worker: one process.
        return 1 if get_approach(name).neural else self.jobs

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

    def _run(self, name: str, params: dict, description: str, fit) -> ApproachOutcome:
        key = run_key(name, {**params, "description": description, **self.code_identity},
                      self.data.fingerprint)
        store = self.store_root / key
        if self.resume:
            reused = self._finished(name, key, store)
            if reused is not None:
                return reused
        started = time.perf_counter()
        tags = {APPROACH_TAG: name, RUN_KEY_TAG: key, **self.code_version}
        with mlflow.start_run(run_name=name, nested=True, description=description,
                              tags=tags) as run:
            mlflow.log_params({**params, "data_fingerprint": self.data.fingerprint,
                               **self.code_version})
            result = fit()
            log_approach(result, train=self.data.train, test=self.data.test,
                         test_labels=self.data.test_labels, fold_models=result.estimators)
            _store(result, store)
        log.info("%-16s out-of-fold F1 %.4f cross-fitted, %.4f tuned (threshold %.3f) in "
                 "%.1f s", name, result.crossfit_f1, result.f1, result.best_threshold,
                 time.perf_counter() - started)
        return ApproachOutcome(name, _without_models(result), run.info.run_id, store)

    def _finished(self, name: str, key: str, store: Path) -> ApproachOutcome | None:
        """The finished child run with ``key`` and its stored result, when both exist and
        the run records this very code (its version tags, not only its key)."""
        earlier = finished_run(self.experiment_id, key)
        if earlier is None or not (store / "result.joblib").is_file():
            return None
        recorded = {tag: earlier.data.tags.get(tag) for tag in self.code_identity}
        if recorded != self.code_identity:
            changed = ", ".join(f"{tag} {recorded[tag]} -> {value}"
                                for tag, value in self.code_identity.items()
                                if recorded[tag] != value)
            log.info("%-16s finished earlier in run %s by other code (%s): refitted", name,
                     earlier.info.run_id, changed)
            return None
        log.info("%-16s finished earlier in run %s: reused", name, earlier.info.run_id)
        return ApproachOutcome(name, joblib.load(store / "result.joblib"),
                               earlier.info.run_id, store, resumed=True)


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
    return dataclasses.replace(result, estimators=None)


def served_model(best: str, outcomes: dict[str, ApproachOutcome],
                 stack_bases: Sequence[str] = ()):
    """The best approach's fold models, averaged; for the stack, its bases' too."""
    def ensemble(outcome: ApproachOutcome) -> FoldEnsemble:
        return FoldEnsemble(joblib.load(outcome.store / "fold_models.joblib"))

    if best != STACK:
        return ensemble(outcomes[best])
    bases = {name: ensemble(outcomes[name]) for name in stack_bases}
    return StackedEnsemble(bases, ensemble(outcomes[STACK]))


def comparison_table(outcomes: dict[str, ApproachOutcome],
                     test_labels: np.ndarray | None) -> pd.DataFrame:
    """``textclf.models.comparison_table`` of the outcomes, with each one's run id."""
    table = results_table({name: outcome.result for name, outcome in outcomes.items()},
                          test_labels)
    return table.assign(run_id=table["approach"].map(
        {name: outcome.run_id for name, outcome in outcomes.items()}))


def stack_bases_of(approaches: Sequence[str], stack_bases: Sequence[str] | None) -> list[str]:
    """What the stack of this invocation combines: ``stack_bases`` when named, else every
    other approach of ``approaches``."""
    bases = list(stack_bases) if stack_bases else [a for a in approaches if a != STACK]
    if STACK in bases:
        raise ValueError("the stack cannot be one of its own bases")
    if len(bases) < 2:
        raise ValueError(f"the stack needs at least two base approaches; got {bases}")
    return bases


def run(approaches: Sequence[str], data: ExperimentData, *, folds: int = 5, seed: int = 42,
        stack_bases: Sequence[str] | None = None, embeddings: Sequence[str] = (),
        epochs: int | None = None, output_dir: str | Path = "outputs",
        experiment: str = "textclf", registered_model: str | None = "textclf",
        resume: bool = False, overwrite: bool = False,
        cache_dir: str | Path | None = None, jobs: int = 1) -> ExperimentOutcome:
    """Run ``approaches`` (names; ``"stack"`` stacks the others, or ``stack_bases``) as one
    parent run."""
    output_dir = Path(output_dir)
    submission_path = output_dir / data.name / "submission.csv"
    if submission_path.exists() and not overwrite:
        raise FileExistsError(f"{submission_path} already exists; pass --overwrite to "
                              "replace it, or choose another --output-dir")
    for name in [*approaches, *(stack_bases or ())]:
        if name != STACK:
            get_approach(name)
    stacked = stack_bases_of(approaches, stack_bases) if STACK in approaches else []
    # Named stack bases run too, before the stack, even when not asked for on their own.
    bases = list(dict.fromkeys([*(a for a in approaches if a != STACK), *stacked]))
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
    version = code_version(Path(__file__).resolve().parent)
    with mlflow.start_run(run_name=run_name, tags={PARENT_TAG: "true"}) as parent:
        # Names apart from the MLproject parameters, which `mlflow run` logs as given.
        mlflow.log_params({"dataset": data.name, "train_rows": len(data.train),
                           "test_rows": len(data.test), "approach_list": ",".join(approaches),
                           "stacked_approaches": ",".join(stacked),
                           "n_folds": folds, "random_seed": seed, "neural_epochs": epochs,
                           "embedding_files": ",".join(map(str, embeddings)) or "default",
                           "data_fingerprint": data.fingerprint, **version})
        runner = Experiment(data, folds=folds, seed=seed, output_dir=output_dir,
                            embeddings=vectors, embedding_paths=embeddings, epochs=epochs,
                            resume=resume, cache_dir=cache_dir, code_version=version,
                            jobs=jobs)
        outcomes = {}
        steps = [*bases, *([STACK] if stacked else [])]
        for number, name in enumerate(progress(steps, desc="approaches", unit="approach"), 1):
            log.info("approach %d of %d: %s", number, len(steps), name)
            outcomes[name] = (runner.run_stack({base: outcomes[base] for base in stacked})
                              if name == STACK else runner.run_approach(name))

        table = comparison_table(outcomes, data.test_labels)
        log_comparison(table)
        # The table ranks by the cross-fitted F1: the champion is not picked by a figure
        # whose threshold was tuned on the rows it scores.
        best = table.loc[0, "approach"]
        champion = outcomes[best].result
        mlflow.set_tag("textclf.best_approach", best)
        mlflow.log_metrics({"best_oof_f1": champion.crossfit_f1,
                            "best_oof_f1_tuned": champion.f1,
                            "best_threshold": champion.best_threshold})
        if data.test_labels is not None:
            mlflow.log_metric("best_holdout_f1", float(table.loc[0, "holdout_f1"]))
        write_submission(data.test["qid"], champion.test_labels, submission_path,
                         overwrite=overwrite, expected_qids=data.test["qid"])
        mlflow.log_artifact(str(submission_path))
        atomic_write(output_dir / data.name / "comparison.csv",
                     lambda tmp: table.to_csv(tmp, index=False), overwrite=True)
        model_info = log_text_model(
            served_model(best, outcomes, stacked), champion.best_threshold,
            input_example_texts=data.test["question_text"].head(3).tolist(),
            registered_model_name=registered_model)
        mlflow.log_dict({"approach": best, "model_uri": model_info.model_uri,
                         "threshold": champion.best_threshold}, "champion.json")
    return ExperimentOutcome(table, best, parent.info.run_id, submission_path,
                             model_info.model_uri, outcomes)


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    parser = OneLineParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=DEFAULT_TRAIN,
                        help=f"a shipped dataset ({', '.join(list_datasets())}) or the path "
                             "of a Kaggle-format train CSV (default: %(default)s)")
    parser.add_argument("--test", default="",
                        help="path of a Kaggle-format test CSV; without one, 20%% of the "
                             "labelled rows are held out as the test part")
    parser.add_argument("--approach", nargs="+", default=["all"],
                        help="approach names (space- or comma-separated), 'stack' (of the "
                             "others given), 'classical' (the non-neural approaches and "
                             "their stack) or 'all' (every approach but minilm_finetune, and the stack): "
                             f"{', '.join([*APPROACHES, STACK])}")
    parser.add_argument("--stack-bases", nargs="*", default=[],
                        help="the approaches the stack combines (space- or comma-separated; "
                             "run too when not in --approach); default: every other "
                             "approach of --approach")
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
    parser.add_argument("--jobs", type=whole_number, default=1,
                        help="folds of the classical approaches fitted at once, each in a "
                             "worker process holding its own fold's features, so memory "
                             "grows with it; networks and encoders run one fold at a time "
                             "(default: 1)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    args.approach = expand_approaches(args.approach, parser)
    args.stack_bases = expand_approaches(args.stack_bases, parser, allow_stack=False)
    if args.stack_bases and STACK not in args.approach:
        args.approach.append(STACK)
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


def expand_approaches(names: Sequence[str], parser: argparse.ArgumentParser, *,
                      allow_stack: bool = True) -> list[str]:
    """Approach names as given, with 'all' and 'classical' expanded and every name checked
    ('all' and 'classical' bring the stack only where it is allowed)."""
    stack = [STACK] if allow_stack else []
    known = [*APPROACHES, *stack]
    expanded = []
    for name in names:
        for part in (name.split(",") if "," in name else [name]):
            if part == "all":
                expanded += [*ALL, *stack]
            elif part == "classical":
                expanded += [*CLASSICAL, *stack]
            elif part in known:
                expanded.append(part)
            elif part:
                parser.error(f"unknown approach {part!r}; choose from "
                             f"{', '.join([*known, 'classical', 'all'])}")
    return list(dict.fromkeys(expanded))


def main(argv: list[str] | None = None, prog: str | None = None) -> ExperimentOutcome:
    args = parse_args(argv, prog)
    data = load_data(args.train, args.test or None, seed=args.seed,
                     max_rows=args.max_rows or None)
    log.info("%s: %d training rows (%.1f%% positive), %d test rows", data.name,
             len(data.train), 100 * data.train["target"].mean(), len(data.test))
    outcome = run(args.approach, data, folds=args.folds, seed=args.seed,
                  stack_bases=args.stack_bases or None, embeddings=args.embeddings, epochs=args.epochs or None,
                  output_dir=args.output_dir, experiment=args.experiment,
                  registered_model=args.registered_model or None, resume=args.resume,
                  overwrite=args.overwrite, cache_dir=args.cache_dir, jobs=args.jobs)
    shown = outcome.table.drop(columns="run_id")
    print(shown.to_markdown(index=False, floatfmt=".4f"))
    print(f"\nbest: {outcome.best}  submission: {outcome.submission.resolve()}")
    print(f"model: {outcome.model_uri}  tracking: {mlflow.get_tracking_uri()}")
    print(json.dumps({"parent_run_id": outcome.parent_run_id}))
    return outcome


if __name__ == "__main__":
    configure_logging("INFO")
    sys.exit(run_command(main, "pipelines.main"))
