"""Batches of id sequences with dynamic padding and length bucketing.

A batch padded to the fixed maximum length makes the recurrent layers run every padded
step; most questions are far shorter than the cap (on the real Quora rows the median is
about 13 tokens against a cap of 70). Two measures cut that waste:

- dynamic padding: each batch is padded only to its own longest row (capped at the
  maximum length);
- length bucketing: rows of similar length go into the same batch, so that longest row is
  close to the others. Rows are shuffled, cut into chunks of ``bucket_batches`` batches,
  sorted by length within each chunk, cut into batches, and the batches shuffled. Batches
  stay random from one epoch to the next (the chunks differ each time), unlike a global
  sort, whose fixed batches would bias the gradient steps.

``BucketedBatches`` feeds these batches to Keras through ``keras.utils.PyDataset``, which
every Keras backend accepts. ``python -m benchmarks.neural_speed`` measures the speed-up.
"""

from __future__ import annotations

import bisect
import math
import numbers
from collections.abc import Sequence

import keras
import numpy as np
from sklearn.utils._param_validation import validate_parameter_constraints

from ..._param_validation import NonBoolInterval
from ._tokenizer import TokenSequences

_POSITIVE_INT = NonBoolInterval(numbers.Integral, 1, None, closed="left")
_CONSTRAINTS: dict = {
    "batch_size": [_POSITIVE_INT],
    "max_len": [_POSITIVE_INT],
    "pad_multiple": [_POSITIVE_INT],
    "bucket_batches": [_POSITIVE_INT, None],
    "widths": ["array-like", None],
}


def plan_batches(lengths: np.ndarray, batch_size: int, *, bucket_batches: int | None = 20,
                 shuffle: bool = True, rng: np.random.Generator | None = None
                 ) -> list[np.ndarray]:
    """Row positions of each batch, every row in exactly one batch.

    Parameters
    ----------
    lengths : ndarray of int
        Length of each row.
    batch_size : int
    bucket_batches : int or None, default=20
        Batches per sorted chunk. None (or with ``shuffle=False``) sorts all rows by length
        at once: the least padding, the right choice for prediction. 1 keeps the shuffled
        order unsorted (plain random batches).
    shuffle : bool, default=True
        Shuffle the rows before chunking and the batches after; False gives a reproducible
        order without randomness (prediction).
    rng : numpy Generator, optional
        The randomness when shuffling.
    """
    n_rows = len(lengths)
    lengths = np.asarray(lengths)
    if not shuffle:
        order = np.argsort(lengths, kind="stable")
        return [order[start:start + batch_size] for start in range(0, n_rows, batch_size)]
    rng = rng if rng is not None else np.random.default_rng()
    order = rng.permutation(n_rows)
    chunk = n_rows if bucket_batches is None else batch_size * bucket_batches
    batches = []
    for start in range(0, n_rows, chunk):
        rows = order[start:start + chunk]
        rows = rows[np.argsort(lengths[rows], kind="stable")]
        batches += [rows[first:first + batch_size] for first in range(0, len(rows), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def width_ladder(max_len: int) -> tuple[int, ...]:
    """Batch widths up to ``max_len`` whose steps grow with the width: multiples of 4 up to
    32, of 8 up to 64, of 16 up to 128, and so on, and ``max_len`` itself.

    Padding to the next rung wastes at most about a fifth of a batch above 16 columns,
    like rounding up to multiples of 4, with about as few distinct widths as multiples of
    8: each width is one compilation on backends that compile per shape (XLA).
    """
    widths, step = [], 4
    width = step
    while width < max_len:
        widths.append(width)
        if width >= 8 * step:
            step *= 2
        width += step
    return (*widths, max_len)


class BucketedBatches(keras.utils.PyDataset):
    """Batches of padded id sequences (and targets) for ``model.fit`` / ``model.predict``.

    Parameters
    ----------
    sequences : TokenSequences
    y : array-like of shape (n_rows,), optional
        0/1 targets; without them the batches hold the inputs only (prediction).
    batch_size : int, default=512
    max_len : int, default=70
        Widest batch.
    dynamic : bool, default=True
        Pad each batch to its own longest row (rounded up to ``pad_multiple``); False pads
        every batch to ``max_len``, the fixed padding of the Quora kernels.
    bucket_batches : int or None, default=20
        See ``plan_batches``.
    shuffle : bool, default=True
        A new random arrangement each epoch; False sorts all rows by length once (use
        ``row_order`` to put predictions back in input order).
    pad_multiple : int, default=1
        Round batch widths up to a multiple of this. Backends that compile one program per
        input shape (JAX, TensorFlow with XLA) then compile at most ``max_len / pad_multiple``
        widths instead of up to ``max_len``.
    widths : sequence of int, optional
        With ``dynamic``, the only widths a batch may take, instead of rounding up to
        ``pad_multiple``: each batch is padded to the smallest that holds its longest row
        (``max_len`` when none does), e.g. ``width_ladder(max_len)``.
    seed : int or None
        Seeds the arrangements.
    **kwargs
        ``workers``, ``use_multiprocessing``, ``max_queue_size`` of ``PyDataset``.
    """

    def __init__(self, sequences: TokenSequences, y=None, *, batch_size: int = 512,
                 max_len: int = 70, dynamic: bool = True, bucket_batches: int | None = 20,
                 shuffle: bool = True, pad_multiple: int = 1,
                 widths: Sequence[int] | None = None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        validate_parameter_constraints(
            _CONSTRAINTS, {"batch_size": batch_size, "max_len": max_len,
                           "pad_multiple": pad_multiple, "bucket_batches": bucket_batches,
                           "widths": widths}, caller_name=type(self).__name__)
        if widths is not None:
            if not len(widths) or not all(_POSITIVE_INT.is_satisfied_by(width)
                                          for width in widths):
                raise ValueError(f"widths must be positive ints, got {widths!r}")
            widths = sorted(int(width) for width in widths)
        if len(sequences) == 0:
            raise ValueError("no rows to batch")
        self.sequences = sequences
        self.y = None if y is None else np.asarray(y, dtype=np.float32).reshape(-1, 1)
        if self.y is not None and len(self.y) != len(sequences):
            raise ValueError(f"{len(sequences)} sequences but {len(self.y)} targets")
        self.batch_size = batch_size
        self.max_len = max_len
        self.dynamic = dynamic
        self.bucket_batches = bucket_batches
        self.shuffle = shuffle
        self.pad_multiple = pad_multiple
        self.widths = widths
        self._rng = np.random.default_rng(seed)
        self._lengths = np.minimum(sequences.lengths, max_len)
        self._arrange()

    def _arrange(self) -> None:
        self.batches = plan_batches(self._lengths, self.batch_size,
                                    bucket_batches=self.bucket_batches, shuffle=self.shuffle,
                                    rng=self._rng)
        # Keras's TensorFlow backend reads the input signature of a PyDataset from its first
        # two batches and fixes every dimension on which they agree: two first batches of
        # one width would make any later batch of another width an error. A batch of
        # another width second leaves the length dimension open; the swap changes nothing
        # else (batch order is random, or irrelevant when predicting).
        widths = [self.batch_width(i) for i in range(len(self.batches))]
        if len(widths) > 2 and widths[1] == widths[0]:
            other = next((i for i in range(2, len(widths)) if widths[i] != widths[0]), None)
            if other is not None:
                self.batches[1], self.batches[other] = self.batches[other], self.batches[1]

    def __len__(self) -> int:
        return math.ceil(len(self.sequences) / self.batch_size)

    def batch_width(self, index: int) -> int:
        """Columns of batch ``index``."""
        if not self.dynamic:
            return self.max_len
        longest = max(int(self._lengths[self.batches[index]].max(initial=0)), 1)
        if self.widths is not None:
            rung = bisect.bisect_left(self.widths, longest)
            return min(self.widths[rung], self.max_len) if rung < len(self.widths) \
                else self.max_len
        return min(math.ceil(longest / self.pad_multiple) * self.pad_multiple, self.max_len)

    def __getitem__(self, index: int):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} out of range: there are {len(self)} batches")
        rows = self.batches[index]
        x = self.sequences.padded(rows, self.batch_width(index))
        return x if self.y is None else (x, self.y[rows])

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._arrange()

    def row_order(self) -> np.ndarray:
        """Input row of each output row when predicting batch after batch, in order."""
        return np.concatenate(self.batches)

    def padded_cells(self) -> tuple[int, int]:
        """(cells fed to the model, token cells among them) over one arrangement."""
        total = sum(len(batch) * self.batch_width(i) for i, batch in enumerate(self.batches))
        return total, int(self._lengths.sum())
