"""Pre-trained vectors for one corpus: only the words it can use, from one or more files.

A GloVe 840B or Paragram file holds 2.2M words; a corpus of questions uses a few hundred
thousand of them. Reading each file once, keeping only the words of the corpus and the
fallback spellings the look-up may try (lower case, stems, lemma), and combining the files
word by word gives every feature builder and the neural model the same small
``KeyedVectors``, loaded once per experiment instead of once per fold.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pyarrow.compute as pc

from .._text_input import as_text_array
from ._embedding_combine import combine_embeddings
from ._embedding_io import load_embeddings
from ._embedding_lookup import FALLBACKS, candidate_spellings, split_tokens


def load_embeddings_for(paths: Sequence[str | os.PathLike], texts, *,
                        weights: Sequence[float] | None = None, how: str = "mean",
                        fallbacks: Sequence[str] = FALLBACKS):
    """The vectors of ``paths`` that the words of ``texts`` can use, combined.

    Parameters
    ----------
    paths : sequence of path-like
        GloVe, Paragram, word2vec or fastText text files (any format ``load_embeddings``
        reads). One path gives its vectors; several are combined with
        ``combine_embeddings(..., weights, how)`` (the seed averaged GloVe and Paragram).
    texts : column of str
        The corpus as the model will see it, i.e. after the same normalisation (usually
        ``EmbeddingNormalizer``), train and test rows together; words are split at white
        space.
    weights, how
        Passed to ``combine_embeddings`` when there are several paths.
    fallbacks : sequence of str, default=FALLBACKS
        The look-up's fallback steps, whose spellings are kept too.

    Returns
    -------
    gensim KeyedVectors
    """
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not paths:
        raise ValueError("load_embeddings_for needs at least one embeddings file")
    tokens, _ = split_tokens(as_text_array(texts))
    vocabulary = candidate_spellings(pc.unique(tokens), fallbacks)
    sources = {os.fspath(path): load_embeddings(path, vocabulary=vocabulary) for path in paths}
    if len(sources) == 1:
        return next(iter(sources.values()))
    return combine_embeddings(sources, weights, how=how)
