"""The comparison of approaches: one row per ``OofResult``, best first.

Every table textclf prints, writes or logs (``textclf run``, the benchmarks) is this one,
so a figure means the same wherever it appears: ``oof_f1`` is the cross-fitted out-of-fold
F1 and ranks the rows, ``oof_f1_tuned`` the optimistic one at the threshold tuned on all
out-of-fold rows, ``holdout_f1`` (with held-back test labels) the test rows at that
threshold. Approaches are comparable only when scored on the same folds.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ._oof import OofResult


def comparison_table(results: Mapping[str, OofResult], test_labels=None) -> pd.DataFrame:
    """``approach`` and :meth:`OofResult.summary` per result, by ``oof_f1`` descending
    (ties keep the input order)."""
    if not results:
        raise ValueError("comparison_table needs at least one approach's OofResult")
    rows = [{"approach": name, **result.summary(test_labels)}
            for name, result in results.items()]
    return (pd.DataFrame(rows).sort_values("oof_f1", ascending=False, kind="stable",
                                           ignore_index=True))
