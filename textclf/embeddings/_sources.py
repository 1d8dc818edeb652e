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

from .._text_input import as_text_array, split_tokens
from ._combine import combine_embeddings
from ._io import (
    TRAINING_METHODS,
    default_embeddings,
    load_embeddings,
    logger,
    train_embeddings,
)
from ._lookup import FALLBACKS, candidate_spellings


def load_embeddings_for(paths: Sequence[str | os.PathLike], texts, *,
                        weights: Sequence[float] | None = None, how: str = "mean",
                        fallbacks: Sequence[str] = FALLBACKS):
    """The vectors of ``paths`` that the words of ``texts`` can use, combined.

    Parameters
    ----------
    paths : sequence of path-like
        GloVe, Paragram, word2vec or fastText text files (any format ``load_embeddings``
        reads). One path gives its vectors; several are combined with
        ``combine_embeddings(..., weights, how, words=<the corpus's words>)`` (the seed
        averaged GloVe and Paragram), each file finding each word by its own fallbacks.
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
    words = pc.unique(tokens).to_pylist()
    vocabulary = candidate_spellings(words, fallbacks)
    sources = {os.fspath(path): load_embeddings(path, vocabulary=vocabulary) for path in paths}
    if len(sources) == 1:
        return next(iter(sources.values()))
    # Each file looks the corpus's words up with its own fallbacks before they are
    # combined: a cased and a lower-cased file then both give "Trump" its vector.
    return combine_embeddings(sources, weights, how=how, words=words, fallbacks=fallbacks)


def is_named_source(source) -> bool:
    """True for "default", "word2vec", "fasttext" or a path: vectors named, not passed."""
    return isinstance(source, (str, os.PathLike))


def is_vectors(source) -> bool:
    """True for gensim KeyedVectors, or any object with their ``key_to_index`` and
    ``vectors``."""
    return hasattr(source, "key_to_index") and hasattr(source, "vectors")


def check_embedding_source(source, *, where: str = "") -> None:
    """ValueError naming what ``embeddings`` (``where`` says which item) may be."""
    if not (is_named_source(source) or is_vectors(source)):
        raise ValueError(f"embeddings{where} must be 'default', 'word2vec', 'fasttext', a "
                         f"path to a GloVe, Paragram or word2vec file, or gensim "
                         f"KeyedVectors; got {type(source).__name__}: {source!r:.80}")


def named_embeddings(source: str | os.PathLike, words, *, corpus=None,
                     fallbacks: Sequence[str] = FALLBACKS, seed: int = 0):
    """The vectors a feature builder or model names by a string: what ``embeddings="..."``
    means wherever textclf takes it. Returns ``(vectors, trained)``, ``trained`` telling
    whether the vectors were learned from ``corpus`` rather than read.

    - ``"default"``: the shipped GloVe 6B 50-d (``default_embeddings()``). When its package
      is not installed and there is a ``corpus`` to learn from, word2vec vectors are trained
      on it instead and a warning says so: a model still gets word vectors, from its own
      texts. Without a corpus the missing package is an error.
    - ``"word2vec"`` or ``"fasttext"``: vectors trained on ``corpus`` with gensim
      (``train_embeddings(corpus, method=source, seed=seed)``), for text whose words no
      pre-trained vectors know, or when none are at hand; they need a ``corpus``.
    - any other string or path: an embeddings file, of which only the vectors of ``words``
      and of their fallback spellings are kept (``load_embeddings(path, vocabulary=...)``).

    ``corpus`` is the training text, normalised as the model sees it.
    """
    if isinstance(source, str) and source in TRAINING_METHODS:
        if corpus is None:
            raise ValueError(f"embeddings={source!r} trains vectors on the training texts, "
                             "and none were given")
        return train_embeddings(corpus, method=source, seed=seed), True
    if isinstance(source, str) and source == "default":
        try:
            return default_embeddings(), False
        except (ModuleNotFoundError, FileNotFoundError) as error:
            if corpus is None:
                raise
            corpus = list(corpus)
            logger.warning("no pre-trained vectors: %s. Training word2vec vectors on the %d "
                           "training texts instead.", error, len(corpus))
            return train_embeddings(corpus, seed=seed), True
    return load_embeddings(source, vocabulary=candidate_spellings(words, fallbacks)), False
