"""Several sets of word vectors as one: the (weighted) mean of same-sized vectors, as the
Quora solutions did with GloVe and Paragram, or their concatenation.

The Quora seed averaged the GloVe and Paragram embedding matrices; the first-place
solution weighted them 0.7 and 0.3. Both averaged whole matrices, so a word missing from
one source was averaged with that source's random filler row. Here a word is averaged over
the sources that have it, so its vector is never part noise.

Sources spell words differently: GloVe 840B is cased, Paragram lower-cased, so combining
identical spellings only would give every capitalised word ("Trump") the cased source's
vector alone. Given the words to combine (a vocabulary, a corpus's tokens), each source
first looks each word up with its own fallbacks (``resolve_words``: lower case, title case,
stems, lemma), and what the sources found is combined: "Trump" is the mean of GloVe's
"Trump" and Paragram's "trump".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ._io import keyed_vectors
from ._lookup import FALLBACKS, check_fallbacks, resolve_words

COMBINATIONS = ("mean", "concat")
# Rows added at a time: bounds the temporary arrays while summing millions of vectors.
_ROWS_AT_ONCE = 1 << 16


def combine_embeddings(sources, weights: Sequence[float] | None = None, *, how: str = "mean",
                       words=None, fallbacks: Sequence[str] = FALLBACKS):
    """One KeyedVectors from several, e.g. ``combine_embeddings([glove, paragram], [0.7, 0.3])``.

    Parameters
    ----------
    sources : sequence of KeyedVectors, or mapping of name to KeyedVectors
        The vectors to combine; with a mapping, error messages use the names. Sources are
        only read.
    weights : sequence of float, optional
        One non-negative weight per source, for ``how="mean"``; normalised to sum to 1.
        None weights all sources equally. A source of weight 0 contributes nothing, not
        even its words.
    how : {"mean", "concat"}, default="mean"
        "mean": all sources must have the same dimension. Each word's vector is the
        weighted mean over the sources that have it, the weights renormalised over those
        sources: a word only in the second source gets that source's vector as it is.
        "concat": the vectors side by side, ``sum(dims)`` wide, in the order of the
        sources; a word missing from a source has zeros in that source's part.
    words : iterable of str, optional
        The words that will be looked up in the result (a model's vocabulary, a corpus's
        distinct tokens). A source that lacks such a word as spelled contributes the
        vector of the first of its ``fallbacks`` spellings it has, so a word counts as
        present in every source that finds it in its own way, and the result holds it
        under its own spelling. None combines identical spellings only.
    fallbacks : sequence of str, default=FALLBACKS
        The look-up steps for ``words`` (see ``resolve_words``).

    Returns
    -------
    gensim.models.KeyedVectors
        float32 vectors for the union of the sources' words and of the ``words`` some
        source finds: the first source's in its order (its own keys, then the words it
        found by a fallback), then each further source's new ones in the same way.
    """
    if how not in COMBINATIONS:
        raise ValueError(f"how must be one of {COMBINATIONS}, got {how!r}")
    names, vector_sets = _named_sources(sources)
    fallbacks = check_fallbacks(fallbacks)
    if how == "concat":
        if weights is not None:
            raise ValueError("weights apply to how='mean' only; concatenation keeps each "
                             "source's vectors as they are")
        return _concatenate(vector_sets, _entries(vector_sets, words, fallbacks))
    dims = {source.vector_size for source in vector_sets}
    if len(dims) > 1:
        described = ", ".join(f"{name} ({source.vector_size}-d)"
                              for name, source in zip(names, vector_sets))
        raise ValueError(f"how='mean' needs vectors of one dimension, but the sources have "
                         f"different ones: {described}. Use how='concat' to put them side by "
                         "side, or vectors of one size")
    shares = _normalised_weights(weights, len(vector_sets))
    used = [(source, share) for source, share in zip(vector_sets, shares) if share > 0]
    used_sets = [source for source, _ in used]
    return _weighted_mean(used_sets, [share for _, share in used],
                          _entries(used_sets, words, fallbacks))


def _named_sources(sources) -> tuple[list[str], list]:
    from gensim.models import KeyedVectors

    if isinstance(sources, KeyedVectors):
        raise TypeError("sources must be a sequence (or mapping) of KeyedVectors, not one "
                        "KeyedVectors")
    if isinstance(sources, Mapping):
        names, vector_sets = [str(name) for name in sources], list(sources.values())
    else:
        vector_sets = list(sources)
        names = [f"source {position}" for position in range(len(vector_sets))]
    if not vector_sets:
        raise ValueError("sources is empty: give at least one KeyedVectors")
    for name, source in zip(names, vector_sets):
        if not isinstance(source, KeyedVectors):
            raise TypeError(f"{name} is a {type(source).__name__}, expected gensim "
                            "KeyedVectors (see load_embeddings)")
    return names, vector_sets


def _normalised_weights(weights, count: int) -> np.ndarray:
    if weights is None:
        return np.full(count, 1 / count)
    shares = np.asarray(weights, dtype=np.float64)
    if shares.ndim != 1 or len(shares) != count:
        raise ValueError(f"weights must hold one number per source: {count} sources, got "
                         f"{list(np.atleast_1d(shares))}")
    if not np.isfinite(shares).all() or (shares < 0).any():
        raise ValueError(f"weights must be finite and non-negative, got {shares.tolist()}")
    if shares.sum() == 0:
        raise ValueError("weights are all zero: at least one source must count")
    return shares / shares.sum()


def _entries(vector_sets, words, fallbacks: tuple[str, ...]) -> list[tuple[list[str], np.ndarray]]:
    """Per source, the words it contributes and the row of its vectors each takes: its own
    keys, then those of ``words`` it lacks as spelled but finds by a fallback (their rows
    are the rows of the spellings found)."""
    distinct = None if words is None else _distinct_words(words)
    entries = []
    for source in vector_sets:
        keys = list(source.index_to_key)
        rows = np.arange(len(keys), dtype=np.int64)
        if distinct:
            key_to_index = source.key_to_index
            missing = [word for word in distinct if word not in key_to_index]
            found = [(word, key_to_index[key])
                     for word, key in resolve_words(missing, source, fallbacks).items()
                     if key is not None]
            if found:
                keys += [word for word, _ in found]
                rows = np.concatenate([rows, np.fromiter((row for _, row in found),
                                                         dtype=np.int64, count=len(found))])
        entries.append((keys, rows))
    return entries


def _distinct_words(words) -> list[str]:
    if isinstance(words, str):
        raise TypeError("words must be an iterable of words, not a single string")
    distinct = list(dict.fromkeys(words))
    wrong = next((word for word in distinct if not isinstance(word, str)), None)
    if wrong is not None:
        raise TypeError(f"words must hold words (str), found {type(wrong).__name__}: "
                        f"{wrong!r:.60}")
    return distinct


def _union(entries) -> tuple[list[str], dict[str, int], list[np.ndarray]]:
    """The union of the words, and for each source the union row of each of its entries."""
    # The first source's words are distinct: taken whole, without a loop per word.
    first_keys = entries[0][0]
    words = list(first_keys)
    index = dict(zip(first_keys, range(len(first_keys))))
    rows_of = [np.arange(len(words), dtype=np.int64)]
    for keys, _ in entries[1:]:
        rows = np.empty(len(keys), dtype=np.int64)
        for position, word in enumerate(keys):
            row = index.get(word)
            if row is None:
                row = index[word] = len(words)
                words.append(word)
            rows[position] = row
        rows_of.append(rows)
    return words, index, rows_of


def _weighted_mean(vector_sets, shares, entries):
    words, index, rows_of = _union(entries)
    # Each word's weights renormalised over the sources that have it, computed first so
    # that a word of one source is scaled by exactly 1 and keeps its vector unchanged.
    weight = np.zeros(len(words), dtype=np.float64)
    for rows, share in zip(rows_of, shares):
        weight[rows] += share
    total = np.zeros((len(words), vector_sets[0].vector_size), dtype=np.float32)
    for source, rows, (_, source_rows), share in zip(vector_sets, rows_of, entries, shares):
        # Union rows are distinct within a source, so buffered += adds each once.
        for start in range(0, len(rows), _ROWS_AT_ONCE):
            part = rows[start:start + _ROWS_AT_ONCE]
            factor = (share / weight[part]).astype(np.float32)
            total[part] += factor[:, None] * _source_rows(source, source_rows, start)
    return keyed_vectors(words, total, index)


def _concatenate(vector_sets, entries):
    words, index, rows_of = _union(entries)
    combined = np.zeros((len(words), sum(s.vector_size for s in vector_sets)), dtype=np.float32)
    column = 0
    for source, rows, (_, source_rows) in zip(vector_sets, rows_of, entries):
        width = source.vector_size
        for start in range(0, len(rows), _ROWS_AT_ONCE):
            combined[rows[start:start + _ROWS_AT_ONCE], column:column + width] = \
                _source_rows(source, source_rows, start)
        column += width
    return keyed_vectors(words, combined, index)


def _source_rows(source, rows: np.ndarray, start: int) -> np.ndarray:
    """The source's vectors for ``rows[start:start + _ROWS_AT_ONCE]``: a slice while those
    are its own keys in order (no copy), gathered for the words found by a fallback."""
    stop = min(start + _ROWS_AT_ONCE, len(rows))
    if stop <= len(source.index_to_key):
        return source.vectors[start:stop]
    return source.vectors[rows[start:stop]]
