"""What the benchmarks share, each defined once: where the real Quora rows and the results
live, how a measurement is timed and its peak memory read, the options of the benchmarks
that time work on questions, and the hidden options of a benchmark's fresh process."""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")

# Where the benchmarks write their tables and reports (benchmarks/README.md cites them).
RESULTS = Path(__file__).resolve().parent / "results"

# The real Quora competition rows (never shipped): Kaggle's train_natural.csv and test.csv
# in the folder TEXTCLF_QUORA_DIR names, by default ../shared/data/quora beside the project.
# The tests that need them read the same folder.
QUORA = Path(os.environ.get(
    "TEXTCLF_QUORA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data" / "quora"))
# The name the benchmarks give the real Quora training rows beside the shipped datasets.
QUORA_NAME = "quora_train_natural"
# The shipped labelled datasets, in the order the benchmarks report them.
SHIPPED = ("sms_spam", "womens_clothing_not_recommended")


def labelled_datasets(names: list[str], quora: Path) -> dict[str, pd.DataFrame]:
    """The labelled rows of each of ``names``: a shipped dataset, or ``QUORA_NAME`` for
    ``quora/train_natural.csv``, skipped with a message where that file is absent."""
    from textclf.data import load_dataset, read_train

    frames = {}
    for name in names:
        if name == QUORA_NAME:
            path = quora / "train_natural.csv"
            if not path.is_file():
                print(f"Real Quora rows not found at {path} (they are not shipped); skipped. "
                      "Pass --quora DIR or set TEXTCLF_QUORA_DIR.")
                continue
            frames[name] = read_train(path)
        else:
            frames[name] = load_dataset(name)
    return frames


def add_question_options(parser: argparse.ArgumentParser) -> None:
    """``--train``/``--test`` (by default the real Quora files), ``--rows`` and
    ``--repeats``: the options of a benchmark that times work on a column of questions."""
    parser.add_argument("--train", default=QUORA / "train_natural.csv")
    parser.add_argument("--test", default=QUORA / "test.csv")
    parser.add_argument("--rows", type=int, default=None, help="use only the first N rows")
    parser.add_argument("--repeats", type=int, default=3)


def add_split_dataset_options(parser: argparse.ArgumentParser, quora_help: str) -> None:
    """``--datasets`` (the shipped ones and ``quora``) and ``--quora`` (the Quora training
    file, by default the real rows): the options of a benchmark that scores a network on one
    train/test split of each dataset."""
    parser.add_argument("--datasets", nargs="+", default=[*SHIPPED, "quora"],
                        choices=[*SHIPPED, "quora"])
    parser.add_argument("--quora", type=Path, default=QUORA / "train_natural.csv",
                        help=quora_help)


def questions_of(args: argparse.Namespace) -> pd.Series:
    """The questions of ``--train`` then ``--test``, only the first ``--rows`` if given."""
    import pandas as pd

    from textclf.data import read_test, read_train

    questions = pd.concat([read_train(args.train)["question_text"],
                           read_test(args.test)["question_text"]], ignore_index=True)
    return questions.head(args.rows) if args.rows else questions


def write_report(path: Path, lines: list[str], table: pd.DataFrame) -> Path:
    """Write the Markdown ``lines`` to ``path``, then print ``table`` and where they went."""
    from textclf._io import atomic_write

    written = atomic_write(path, lambda tmp: tmp.write_text("\n".join(lines)), overwrite=True)
    print(table.to_markdown(index=False, floatfmt=".4f"))
    print(f"written: {written}")
    return written


def benchmark_cache(*parts: str) -> Path:
    """Where benchmarks keep the large inputs they generate: ``$XDG_CACHE_HOME/textclf``
    (``~/.cache/textclf``), under ``parts``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base, "textclf", *parts)


def best_time(function: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The fewest seconds of ``repeats`` calls of ``function``, and what its last call
    returned."""
    timings, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def peak_rss_bytes(*, children: bool = False) -> int:
    """This process's peak resident memory in bytes; with ``children``, the larger of it
    and the largest peak of the child processes it has waited for."""
    who = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) if children else (
        resource.RUSAGE_SELF,)
    peak = max(resource.getrusage(whose).ru_maxrss for whose in who)
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB (what the tables call MB)."""
    return peak_rss_bytes() / 2**20


def add_fresh_process_options(parser: argparse.ArgumentParser, run_option: str,
                              **run_settings) -> None:
    """The hidden options on which a benchmark measures one thing in this process, as the
    fresh process ``benchmarks._fresh_process`` starts: ``run_option`` (with argparse's
    ``run_settings``) says what, ``--train-file`` and ``--test-file`` the files it reads."""
    parser.add_argument(run_option, help=argparse.SUPPRESS, **run_settings)
    parser.add_argument("--train-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--test-file", type=Path, help=argparse.SUPPRESS)
