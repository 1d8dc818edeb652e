"""The embedding layer's starting weights for a tokenizer's vocabulary, from whichever
pre-trained vectors the user names: the shipped GloVe 6B 50-d, files, loaded KeyedVectors,
or several of them averaged (the Quora seed averaged GloVe and Paragram).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...features._embedding_lookup import check_fallbacks, resolve_words
from ...features._embedding_sources import (
    check_embedding_source,
    is_named_source,
    named_embeddings,
)
from ._tokenizer import FIRST_WORD_ID, OOV_ID, PADDING_ID, SequenceTokenizer


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


def embedding_matrix(tokenizer: SequenceTokenizer, embeddings, *, weights=None,
                     fallbacks: Sequence[str] = (), seed: int | None = 0, corpus=None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(matrix, found): float32 weights with one row per id of ``tokenizer``, and which
    rows came from the pre-trained vectors.

    Row 0 (padding) and row 1 (out-of-vocabulary) are zeros; a vocabulary word is looked up
    as it is, then by the ``fallbacks`` (``resolve_words``: lower case first, since the
    shipped GloVe is lower-case while the normalised text keeps case), and a word found by
    no step gets a random row of the vectors' scale (``build_embedding_matrix``).
    ``corpus``, the normalised training texts, is what ``"word2vec"``/``"fasttext"`` (and
    ``"default"`` without its package) train vectors on (``named_embeddings``).
    """
    from ...features import build_embedding_matrix, combine_embeddings

    fallbacks = check_fallbacks(fallbacks)
    words = tokenizer.words_
    vectors = [_load(source, words, fallbacks, corpus, seed or 0)
               for source in check_embeddings_param(embeddings, weights)]
    combined = vectors[0] if len(vectors) == 1 else combine_embeddings(vectors, weights)
    word_index = {"": PADDING_ID, **tokenizer.word_index()}
    matrix, found = build_embedding_matrix(
        word_index, combined, unknown="random", seed=seed, padding_index=PADDING_ID,
        lookup=lambda missing, keyed: resolve_words(missing, keyed, fallbacks),
        return_found=True)
    if len(matrix) < FIRST_WORD_ID:  # an empty vocabulary still needs the reserved rows
        matrix = np.zeros((FIRST_WORD_ID, combined.vector_size), dtype=np.float32)
        found = np.zeros(FIRST_WORD_ID, dtype=bool)
    matrix[OOV_ID] = 0.0
    return matrix, found


def _load(source, words: list[str], fallbacks: tuple[str, ...], corpus, seed: int):
    if is_named_source(source):
        # Only the vectors the vocabulary can use: a 2.2M-word file then costs little memory.
        vectors, _ = named_embeddings(source, words, corpus=corpus, fallbacks=fallbacks,
                                      seed=seed)
        return vectors
    return source
