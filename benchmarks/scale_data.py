"""Kaggle-sized Quora files, resampled from the real Quora questions, for scale benchmarks.

Kaggle's Quora Insincere Questions training set has 1,306,122 rows (6.19% positive) and its
stage-1 test set 56,370 rows. The real rows at hand are fewer (``train_natural.csv``:
48,820 labelled questions; ``test.csv``: the complete 56,370-row test set), so a file of
N training rows is drawn from them with replacement, seeded, stratified so that exactly
``round(N * 6.2%)`` rows are positive, each row given a fresh unique 20-hex-digit qid.
The test file is ``test.csv``'s questions (resampled to ``--test-rows`` when that
differs), also with fresh qids. Texts repeat (about 27 copies of each question at 1.31M
rows): the distinct-text work of the Arrow cleaning kernels stays at the real
vocabulary, which is realistic for the vocabulary (a real 1.3M-row vocabulary grows
further, so vectoriser widths here are a lower bound) and exact for every per-row cost.

Files go to a cache outside the repository, ``$XDG_CACHE_HOME/textclf/scale`` (else
``~/.cache/textclf/scale``) or ``--cache-dir``, named by size and seed, and are written
once (atomically) and reused.

    python -m benchmarks.scale_data [--sizes 10000 100000 1310000] [--seed 42]
        [--quora DIR] [--cache-dir DIR] [--test-rows 56370]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._common import QUORA, benchmark_cache
from textclf._io import atomic_write

SIZES = (10_000, 100_000, 1_310_000)
POSITIVE_SHARE = 0.062
KAGGLE_TEST_ROWS = 56_370


@dataclass(frozen=True)
class ScaleFiles:
    train: Path
    test: Path
    rows: int


def _fresh_qids(rng: np.random.Generator, n: int, taken: set[str] = frozenset()) -> np.ndarray:
    """``n`` distinct 20-hex-digit qids (Kaggle's format), none of them in ``taken``."""
    qids: list[str] = []
    seen = set(taken)
    while len(qids) < n:
        draw = rng.integers(0, 2**63, size=(n - len(qids), 2), dtype=np.int64)
        for high, low in draw:
            qid = f"{int(high) & 0xFFFFFFFFFF:010x}{int(low) & 0xFFFFFFFFFF:010x}"
            if qid not in seen:
                seen.add(qid)
                qids.append(qid)
    return np.asarray(qids, dtype=object)


def resample_train(source: pd.DataFrame, rows: int, seed: int,
                   positive_share: float = POSITIVE_SHARE) -> pd.DataFrame:
    """``rows`` labelled rows drawn with replacement from ``source``, ``positive_share``
    of them positive, in shuffled order, with fresh unique qids."""
    rng = np.random.default_rng(seed)
    labels = source["target"].to_numpy()
    positives, negatives = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    n_pos = round(rows * positive_share)
    picked = np.concatenate([rng.choice(positives, n_pos, replace=True),
                             rng.choice(negatives, rows - n_pos, replace=True)])
    rng.shuffle(picked)
    return pd.DataFrame({"qid": _fresh_qids(rng, rows),
                         "question_text": source["question_text"].to_numpy()[picked],
                         "target": labels[picked]})


def resample_test(source: pd.DataFrame, rows: int, seed: int, taken=()) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    picked = (np.arange(len(source)) if rows == len(source)
              else rng.choice(len(source), rows, replace=True))
    return pd.DataFrame({"qid": _fresh_qids(rng, rows, set(taken)),
                         "question_text": source["question_text"].to_numpy()[picked]})


def scale_files(rows: int, *, seed: int = 42, quora: Path = QUORA,
                cache_dir: Path | None = None, test_rows: int = KAGGLE_TEST_ROWS
                ) -> ScaleFiles:
    """The train and test files of ``rows`` training rows, generated once into the cache."""
    from textclf.data import read_test, read_train

    cache = Path(cache_dir) if cache_dir is not None else benchmark_cache("scale")
    train_path = cache / f"train_{rows}_seed{seed}.csv"
    test_path = cache / f"test_{test_rows}_seed{seed}.csv"
    if not (train_path.is_file() and test_path.is_file()):
        source = Path(quora)
        for name in ("train_natural.csv", "test.csv"):
            if not (source / name).is_file():
                raise FileNotFoundError(
                    f"{source / name} not found: the scale files are resampled from the real "
                    "Quora rows; pass --quora DIR or set TEXTCLF_QUORA_DIR")
        train = resample_train(read_train(source / "train_natural.csv"), rows, seed)
        if not train_path.is_file():
            atomic_write(train_path, lambda tmp: train.to_csv(tmp, index=False),
                         overwrite=True)
        if not test_path.is_file():
            test = resample_test(read_test(source / "test.csv"), test_rows, seed,
                                 taken=train["qid"])
            atomic_write(test_path, lambda tmp: test.to_csv(tmp, index=False),
                         overwrite=True)
    return ScaleFiles(train_path, test_path, rows)


def main(argv: list[str] | None = None) -> list[ScaleFiles]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quora", type=Path, default=QUORA)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--test-rows", type=int, default=KAGGLE_TEST_ROWS)
    args = parser.parse_args(argv)
    made = []
    for rows in args.sizes:
        files = scale_files(rows, seed=args.seed, quora=args.quora, cache_dir=args.cache_dir,
                            test_rows=args.test_rows)
        print(f"{rows:>9,} rows: {files.train}  ({files.train.stat().st_size / 1e6:.0f} MB)"
              f"  test: {files.test}", flush=True)
        made.append(files)
    return made


if __name__ == "__main__":
    main()
