"""``textclf``: run the study, predict with a logged model, compare the approaches.

    textclf run [options]          every approach, the stack, a submission (see run --help)
    textclf predict --model URI --input test.csv --output submission.csv
    textclf compare [--experiment textclf]

Tracking goes to ``MLFLOW_TRACKING_URI`` when set, else to ``mlflow.db`` (SQLite) in the
working directory, where ``mlflow ui`` finds it.
"""

from __future__ import annotations

import argparse
import sys

from . import study
from ._arguments import yes_no
from ._console import OneLineParser, configure_logging, run_command


def _predict(args: argparse.Namespace) -> None:
    import mlflow

    from textclf.data import read_test
    from textclf.submission import write_submission

    test = read_test(args.input)
    model = mlflow.pyfunc.load_model(args.model)
    predictions = model.predict(test[["question_text"]])
    written = write_submission(test["qid"], predictions["label"].to_numpy(), args.output,
                               overwrite=args.overwrite, expected_qids=test["qid"])
    positives = int(predictions["label"].sum())
    print(f"{len(test)} rows, {positives} predicted positive -> {written.resolve()}")


def _compare(args: argparse.Namespace) -> None:
    from textclf.tracking import latest_comparison

    run, table = latest_comparison(args.experiment)
    print(f"experiment {args.experiment!r}, run {run.info.run_name} ({run.info.run_id})")
    print(table.drop(columns=["run_id"], errors="ignore")
          .to_markdown(index=False, floatfmt=".4f"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = OneLineParser(
        prog="textclf",
        description="Run the study, predict with a logged model, compare the approaches.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n")[2])
    parser.add_argument("--log-level", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="how much to log, given before the command (textclf "
                             "--log-level DEBUG run); default: INFO, textclf's own "
                             "progress; DEBUG adds other libraries' logs and tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=OneLineParser)
    commands.add_parser("run", add_help=False,
                        help="every approach out of fold, the stack, the submission of the "
                             "best, tracked in MLflow unless --no-tracking (options: "
                             "textclf run --help)")
    predict = commands.add_parser("predict", help="a logged model + a test CSV -> submission")
    predict.add_argument("--model", required=True,
                         help="MLflow model URI, e.g. models:/textclf@champion or "
                              "runs:/<run id>/model")
    predict.add_argument("--input", required=True, help="Kaggle-format test CSV")
    predict.add_argument("--output", required=True, help="submission CSV to write")
    predict.add_argument("--overwrite", type=yes_no, nargs="?", const=True, default=False,
                         help="replace an existing output file (default: refuse)")
    compare = commands.add_parser("compare",
                                  help="the comparison table of an experiment's latest run")
    compare.add_argument("--experiment", default="textclf")

    args, rest = parser.parse_known_args(argv)
    configure_logging(args.log_level or "INFO")
    name = f"textclf {args.command}"
    if args.command == "run":
        return run_command(lambda: study.main(rest, prog=name), name)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    command = {"predict": _predict, "compare": _compare}[args.command]
    return run_command(lambda: command(args), name)


if __name__ == "__main__":
    sys.exit(main())
