"""The weights of a neural model's embedding layer: row ``i`` is the vector of the word
with index ``i`` in the model's vocabulary.

Words the embeddings lack get random rows drawn from a normal distribution with the mean
and standard deviation of the embedding values (the Quora kernels' recipe, so the layer
starts from vectors of the usual scale, which training then moves) or zero rows.
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

logger = logging.getLogger("textclf.embeddings")

UNKNOWN_ROWS = ("random", "zero")
# Rows summed at a time for the statistics: a 2.2M x 300 float64 copy would be 5 GB.
_ROWS_AT_ONCE = 1 << 16


@validate_params({"unknown": [StrOptions(set(UNKNOWN_ROWS))], "lookup": [callable, None]},
                 prefer_skip_nested_validation=True)
def build_embedding_matrix(vocabulary: Sequence[str] | Mapping[str, int], embeddings, *,
                           unknown: str = "random", seed: int | None = 0,
                           padding_index: int | None = None,
                           lookup: Callable[[list[str], object], Mapping[str, str | None]]
                           | None = None,
                           return_found: bool = False):
    """The embedding-layer weights for ``vocabulary``: a float32 array (rows, dim).

    Parameters
    ----------
    vocabulary : sequence of str, or mapping of str to int
        A sequence gives word ``vocabulary[i]`` row ``i``. A mapping gives each word its
        row (e.g. a Keras Tokenizer's ``word_index``, which starts at 1); the matrix then
        has ``max(index) + 1`` rows, and rows no word maps to are zeros (row 0 of such a
        vocabulary is the padding row). When several words map to one row, the first of
        them (in the mapping's order) that has a vector fills it.
    embeddings : gensim KeyedVectors
        The word vectors (see load_embeddings, combine_embeddings).
    unknown : {"random", "zero"}, default="random"
        Rows of words without a vector: "random" draws them from a normal distribution
        with the mean and standard deviation of all values in ``embeddings.vectors``;
        "zero" leaves them zero.
    seed : int or None, default=0
        Seed for the random rows: the same vocabulary, embeddings and seed give the same
        matrix. None draws fresh ones.
    padding_index : int, optional
        A row kept at zeros whatever word maps to it: the row sequences are padded with.
    lookup : callable, optional
        Finds other spellings of the words ``embeddings`` lacks as spelled: called once as
        ``lookup(words, embeddings)`` with those words (distinct), it returns a mapping
        ``{word: key or None}`` giving the key whose vector each word takes (e.g. its
        lower-case form), None or no entry where there is none. ``resolve_words``
        (lower/upper/title case, stems, lemma) has this form. Without it words are looked
        up exactly as given.
    return_found : bool, default=False
        Also return a boolean array, True for the rows filled from ``embeddings``
        (``found.sum()`` words were found).

    Returns
    -------
    matrix : ndarray of float32, shape (rows, embeddings.vector_size)
    found : ndarray of bool, shape (rows,)
        Only when ``return_found`` is true.
    """
    words, rows, n_rows = _word_rows(vocabulary)
    if padding_index is not None and (
            not isinstance(padding_index, numbers.Integral) or isinstance(padding_index, bool)
            or not 0 <= padding_index < n_rows):
        raise ValueError(f"padding_index must be a row of the matrix, 0 to {n_rows - 1}, "
                         f"got {padding_index!r}")

    key_to_index = embeddings.key_to_index
    sources = [key_to_index.get(word) for word in words]
    if lookup is not None:
        missing = list(dict.fromkeys(w for w, source in zip(words, sources) if source is None))
        spellings = lookup(missing, embeddings) if missing else {}
        for position, word in enumerate(words):
            key = spellings.get(word) if sources[position] is None else None
            if key is not None:
                sources[position] = key_to_index.get(key)

    matrix = np.zeros((n_rows, embeddings.vector_size), dtype=np.float32)
    found = np.zeros(n_rows, dtype=bool)
    has_word = np.zeros(n_rows, dtype=bool)
    target_rows, source_rows = [], []
    for row, source in zip(rows, sources):
        has_word[row] = True
        if source is not None and not found[row]:  # several words, one row: the first wins
            found[row] = True
            target_rows.append(row)
            source_rows.append(source)
    if target_rows:
        matrix[np.asarray(target_rows)] = embeddings.vectors[np.asarray(source_rows)]
    if padding_index is not None:
        matrix[padding_index] = 0
        found[padding_index] = False
        has_word[padding_index] = False
    unknown_rows = np.flatnonzero(has_word & ~found)
    if unknown == "random" and len(unknown_rows):
        mean, std = _value_statistics(embeddings.vectors)
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal((len(unknown_rows), matrix.shape[1]), dtype=np.float32)
        matrix[unknown_rows] = noise * np.float32(std) + np.float32(mean)
    words_with_rows = int(has_word.sum())
    logger.info("embedding matrix: %d of %d words found (%.1f%%), %d %s rows", found.sum(),
                words_with_rows, 100 * found.sum() / max(words_with_rows, 1), len(unknown_rows),
                unknown)
    return (matrix, found) if return_found else matrix


def _word_rows(vocabulary) -> tuple[list[str], np.ndarray, int]:
    """The words, the row of each, and the number of rows."""
    if isinstance(vocabulary, (str, bytes)):
        raise TypeError("vocabulary must be a sequence of words or a word -> index mapping, "
                        "not a single string")
    if isinstance(vocabulary, Mapping):
        words = list(vocabulary.keys())
        for word, value in vocabulary.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"a vocabulary mapping must map words to integer rows; "
                                f"{word!r} maps to {value!r}")
        rows = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(words))
        if len(rows) and rows.min() < 0:
            word = words[int(np.argmin(rows))]
            raise ValueError(f"a vocabulary mapping must map words to non-negative rows; "
                             f"{word!r} maps to {rows.min()}")
        n_rows = int(rows.max()) + 1 if len(rows) else 0
    else:
        words = list(vocabulary)
        rows = np.arange(len(words))
        n_rows = len(words)
    wrong = next((word for word in words if not isinstance(word, str)), None)
    if wrong is not None:
        raise TypeError(f"vocabulary must hold words (str), found {type(wrong).__name__}: "
                        f"{wrong!r:.60}")
    return words, rows.tolist(), n_rows


def _value_statistics(vectors: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of all values, summed in float64 a block at a time."""
    if vectors.size == 0:
        raise ValueError("the embeddings hold no vectors, so random rows have no scale to "
                         "follow; use unknown='zero' or non-empty embeddings")
    total = squares = 0.0
    for start in range(0, len(vectors), _ROWS_AT_ONCE):
        block = vectors[start:start + _ROWS_AT_ONCE].astype(np.float64)
        total += block.sum()
        squares += np.square(block).sum()
    mean = total / vectors.size
    return mean, float(np.sqrt(max(squares / vectors.size - mean * mean, 0.0)))
