"""The files a study leaves in ``<output dir>/<dataset>/``, each written atomically.

- ``submission.csv``: Kaggle's ``qid,prediction`` for every test row, in input order, from
  the approach with the best cross-fitted out-of-fold F1 at its out-of-fold threshold;
- ``comparison.csv`` and ``comparison.md``: the table of approaches, best first;
- ``oof.parquet``: ``qid``, ``target`` and each approach's out-of-fold probability;
- ``test.parquet``: ``qid`` and each approach's test probability (its fold models' mean).

An earlier study's files are never replaced unasked: ``check_free`` runs before any work.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .._io import atomic_write
from ..models import OofResult
from ..submission import write_submission
from ._data import StudyData

SUBMISSION = "submission.csv"
OUTPUTS = (SUBMISSION, "comparison.csv", "comparison.md", "oof.parquet", "test.parquet")


def check_free(folder: Path, *, overwrite: bool) -> None:
    """Raise FileExistsError when an output of a study already exists in ``folder`` and
    ``overwrite`` is false."""
    if overwrite:
        return
    for name in OUTPUTS:
        if (folder / name).exists():
            raise FileExistsError(f"{folder / name} already exists; pass --overwrite to "
                                  "replace it, or choose another --output-dir")


def write_outputs(folder: Path, data: StudyData, results: Mapping[str, OofResult],
                  table: pd.DataFrame, *, overwrite: bool) -> dict[str, Path]:
    """Every output of the study (see the module docstring); returns the paths written.

    ``table`` is the comparison of ``results``, best first: its first row's approach is
    submitted.
    """
    champion = results[table.loc[0, "approach"]]
    oof = data.train[["qid", "target"]].assign(
        **{name: result.oof for name, result in results.items()})
    test = data.test[["qid"]].assign(**{name: result.test for name, result in results.items()})
    markdown = table.to_markdown(index=False, floatfmt=".4f") + "\n"
    return {
        "submission": write_submission(data.test["qid"], champion.test_labels,
                                       folder / SUBMISSION, overwrite=overwrite),
        "comparison": atomic_write(folder / "comparison.csv",
                                   lambda tmp: table.to_csv(tmp, index=False),
                                   overwrite=overwrite),
        "comparison_md": atomic_write(folder / "comparison.md",
                                      lambda tmp: tmp.write_text(markdown, encoding="utf-8"),
                                      overwrite=overwrite),
        "oof": atomic_write(folder / "oof.parquet",
                            lambda tmp: oof.to_parquet(tmp, index=False), overwrite=overwrite),
        "test": atomic_write(folder / "test.parquet",
                             lambda tmp: test.to_parquet(tmp, index=False),
                             overwrite=overwrite),
    }
