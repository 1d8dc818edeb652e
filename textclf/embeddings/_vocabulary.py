"""An embedding layer's starting weights for a model's own vocabulary, from whichever
pre-trained vectors the user names: the shipped GloVe 6B 50-d, files, loaded KeyedVectors,
or several of them averaged (the Quora seed averaged GloVe and Paragram).

Three steps, so that a model can grow its vocabulary between them: ``load_sources`` reads
each source for the training vocabulary, ``pretrained_words`` lists the sources' words the
vocabulary lacks (added so that test words keep their vector), and ``vocabulary_matrix``
combines the sources word by word and fills the rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._combine import combine_embeddings
from ._lookup import check_fallbacks, resolve_words
from ._matrix import build_embedding_matrix
from ._sources import check_embedding_source, is_named_source, named_embeddings


def check_embeddings_param(embeddings, weights) -> list:
    """``embeddings`` as a list of sources; ValueError naming what is wrong."""
    sources = list(embeddings) if isinstance(embeddings, (list, tuple)) else [embeddings]
    if not sources:
        raise ValueError("embeddings is an empty sequence: give 'default', a path, "
                         "KeyedVectors, or a list of them")
    for position, source in enumerate(sources):
        check_embedding_source(source, where="" if len(sources) == 1 else f" (item {position})")
    if weights is not None and len(sources) < 2:
        raise ValueError("embedding_weights weigh several embeddings against each other; "
                         "give a list of embeddings or leave embedding_weights=None")
    return sources


def load_sources(embeddings, words: list[str], *, weights=None, fallbacks: Sequence[str] = (),
                 corpus=None, seed: int = 0) -> list:
    """Each of ``embeddings`` as KeyedVectors: a file only for ``words`` and their fallback
    spellings (so a 2.2M-word file costs little memory), ``"word2vec"``/``"fasttext"``
    (and ``"default"`` without its package) trained on ``corpus``, the normalised training
    texts (``named_embeddings``); loaded KeyedVectors as they are."""
    fallbacks = check_fallbacks(fallbacks)
    sources = []
    for source in check_embeddings_param(embeddings, weights):
        if is_named_source(source):
            source, _ = named_embeddings(source, words, corpus=corpus, fallbacks=fallbacks,
                                         seed=seed)
        sources.append(source)
    return sources


def pretrained_words(sources: list, known, limit: int | None, *, weights=None) -> list[str]:
    """Up to ``limit`` (None: all) words of ``sources`` not in ``known``: the first
    source's in its order (GloVe and word2vec files list the most frequent first), then
    each further source's new ones. A source of weight 0 contributes none, as in
    ``combine_embeddings``."""
    if limit is not None and limit <= 0:
        return []
    shares = [1.0] * len(sources) if weights is None else list(weights)
    seen = set(known)
    added: list[str] = []
    for source, share in zip(sources, shares):
        if share <= 0:
            continue
        for word in source.index_to_key:
            if word not in seen:
                seen.add(word)
                added.append(word)
                if limit is not None and len(added) == limit:
                    return added
    return added


def vocabulary_matrix(words: Sequence[str], sources: list, *, first_id: int,
                      weights=None, fallbacks: Sequence[str] = (), seed: int | None = 0
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(matrix, found): float32 weights whose row ``first_id + i`` is the vector of
    ``words[i]`` (distinct), and which rows came from the pre-trained vectors.

    The rows before ``first_id``, reserved ids such as padding and out-of-vocabulary, are
    zeros. A word is looked up as it is, then by the ``fallbacks`` (``resolve_words``: lower
    case first, since the shipped GloVe is lower-case while the normalised text keeps case),
    and a word found by no step gets a random row of the vectors' scale
    (``build_embedding_matrix``).

    Several ``sources`` are averaged word by word after each has looked the vocabulary up
    with its own fallbacks (``combine_embeddings(..., words=...)``): with a cased and a
    lower-cased source, "Trump" is the mean of the first's "Trump" and the second's
    "trump", where combining identical spellings only would give it the first's alone.
    """
    fallbacks = check_fallbacks(fallbacks)
    combined = (sources[0] if len(sources) == 1 else
                combine_embeddings(sources, weights, words=words, fallbacks=fallbacks))
    word_rows = {word: first_id + position for position, word in enumerate(words)}
    matrix, found = build_embedding_matrix(
        word_rows, combined, unknown="random", seed=seed,
        lookup=lambda missing, keyed: resolve_words(missing, keyed, fallbacks),
        return_found=True)
    if len(matrix) < first_id:  # an empty vocabulary still needs the reserved rows
        matrix = np.zeros((first_id, combined.vector_size), dtype=np.float32)
        found = np.zeros(first_id, dtype=bool)
    return matrix, found
