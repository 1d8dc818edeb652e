"""The study's command line: ``textclf run`` and MLproject's entry points (``pipelines.main``).

    textclf run [--train sms_spam|PATH] [--test PATH] [--approach NAME ...]
        [--stack-bases NAME ...] [--embeddings PATH ...] [--folds 5] [--seed 42]
        [--epochs N] [--output-dir outputs] [--experiment textclf]
        [--registered-model textclf] [--max-rows N] [--resume] [--overwrite]
        [--cache-dir DIR] [--jobs 1] [--no-tracking]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import mlflow

from .._arguments import whole_number, yes_no
from .._console import OneLineParser
from ..data import list_datasets
from ._approaches import APPROACHES, STACK, select_approaches
from ._data import DEFAULT_TRAIN, load_study_data
from ._runner import StudyOutcome, run_study

log = logging.getLogger("textclf.study")
DESCRIPTION = ("Every approach out of fold on the same folds, their stack, and the "
               "submission of the best, tracked in MLflow unless --no-tracking.")


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    parser = OneLineParser(prog=prog, description=DESCRIPTION)
    parser.add_argument("--train", default=DEFAULT_TRAIN,
                        help=f"a shipped dataset ({', '.join(list_datasets())}) or the path "
                             "of a Kaggle-format train CSV (default: %(default)s)")
    parser.add_argument("--test", default="",
                        help="path of a Kaggle-format test CSV; without one, 20%% of the "
                             "labelled rows are held out as the test part")
    parser.add_argument("--approach", nargs="+", default=["all"],
                        help="approach names (space- or comma-separated), 'stack' (of the "
                             "others given), 'classical' (the non-neural approaches and "
                             "their stack) or 'all' (every approach but minilm_finetune, and "
                             f"the stack): {', '.join([*APPROACHES, STACK])}")
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
    parser.add_argument("--no-tracking", dest="tracking", action="store_false",
                        help="log nothing to MLflow: only write the output files")
    parser.add_argument("--experiment", default="textclf", help="MLflow experiment name")
    parser.add_argument("--registered-model", default="textclf",
                        help="registry name of the champion model ('' to skip registering)")
    parser.add_argument("--max-rows", type=whole_number, default=0,
                        help="a stratified sample of this many labelled rows, for quick runs "
                             "(0, the default: all)")
    parser.add_argument("--resume", type=yes_no, nargs="?", const=True, default=False,
                        help="reuse approaches already finished on the same data and params")
    parser.add_argument("--overwrite", type=yes_no, nargs="?", const=True, default=False,
                        help="replace the outputs of an earlier study (default: refuse)")
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
    if args.folds < 2:
        parser.error(f"--folds must be at least 2, got {args.folds}")
    try:
        args.approach = select_approaches(args.approach)
        args.stack_bases = select_approaches(args.stack_bases, allow_stack=False)
    except ValueError as error:
        parser.error(str(error))
    if args.stack_bases and STACK not in args.approach:
        args.approach.append(STACK)
    # MLproject passes an empty string for "none" and several files comma-separated.
    args.embeddings = [path for value in args.embeddings for path in value.split(",") if path]
    for path in filter(None, [args.test, *args.embeddings]):
        if not Path(path).is_file():
            parser.error(f"file not found: {path}")
    if args.train not in list_datasets() and not Path(args.train).is_file():
        parser.error(f"--train {args.train!r} is neither a shipped dataset "
                     f"({', '.join(list_datasets())}) nor an existing file")
    return args


def main(argv: list[str] | None = None, prog: str | None = None) -> StudyOutcome:
    """Run the study the arguments describe, print its table and say where it went."""
    args = parse_args(argv, prog)
    data = load_study_data(args.train, args.test or None, seed=args.seed,
                           max_rows=args.max_rows or None)
    log.info("%s: %d training rows (%.1f%% positive), %d test rows", data.name,
             len(data.train), 100 * data.train["target"].mean(), len(data.test))
    outcome = run_study(args.approach, data, folds=args.folds, seed=args.seed,
                        stack_bases=args.stack_bases or None, embeddings=args.embeddings,
                        epochs=args.epochs or None, output_dir=args.output_dir,
                        tracking=args.tracking, experiment=args.experiment,
                        registered_model=args.registered_model or None, resume=args.resume,
                        overwrite=args.overwrite, cache_dir=args.cache_dir, jobs=args.jobs)
    shown = outcome.table.drop(columns="run_id", errors="ignore")
    print(shown.to_markdown(index=False, floatfmt=".4f"))
    print(f"\nbest: {outcome.best}  submission: {outcome.submission.resolve()}")
    print(f"outputs: {outcome.submission.parent.resolve()}")
    if outcome.parent_run_id is not None:
        print(f"model: {outcome.model_uri}  tracking: {mlflow.get_tracking_uri()}")
        print(json.dumps({"parent_run_id": outcome.parent_run_id}))
    return outcome
