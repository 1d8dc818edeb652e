"""Sentence vectors from word vectors: each text becomes the mean (optionally TF-IDF
weighted), the maximum and/or the minimum of the pre-trained vectors of its words.

A cheap, strong dense representation for short questions: it carries what the pre-trained
vectors learned about words the training set never saw, which bag-of-words features cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from .._param_validation import check_selection
from .._text_input import split_tokens
from ..embeddings import (
    FALLBACKS,
    EmbeddingCoverage,
    SharedVectorsMixin,
    check_embedding_source,
    check_fallbacks,
    coverage_report,
    find_keys,
    is_named_source,
    named_embeddings,
)
from ._base import TextFeatures

POOLINGS = ("mean", "max", "min")
# Token vectors gathered at once while pooling (float64 elements of the weighted copy):
# 64 MB whatever the dimension, so a million texts never need a (tokens x dim) array.
_ELEMENTS_AT_ONCE = 1 << 23
# Missing words listed in ``coverage_``.
_TOP_MISSING = 20


class MeanEmbedding(SharedVectorsMixin, TextFeatures):
    """Pooled pre-trained word vectors of each text: dense float32 features.

    Each text is split at white space (normalise it first, e.g. with
    ``EmbeddingNormalizer``) and every token is looked up in the embeddings as it is, then
    by the ``fallbacks`` (lower case, stems, lemma, ...; see ``resolve_words``), once per
    distinct word. The vectors found are pooled per text:

    - ``"mean"``: their average; with ``weighting="tfidf"`` the average weighted by each
      occurrence's inverse document frequency, ``sum(idf(w) * v(w)) / sum(idf(w))`` over the
      tokens, so frequent, uninformative words ("what", "the") count less;
    - ``"max"`` / ``"min"``: the largest / smallest value of each dimension.

    The output has ``dim * len(pooling)`` columns, named ``mean_0 ... mean_{dim-1}``, then
    ``max_0 ...`` and so on, in the order of ``pooling``. A text without a single word that
    has a vector (empty, or only unknown words) gets zeros in every column: the vector of
    "no evidence", which a linear model maps to its intercept. ``coverage_`` tells how many
    words and tokens of the training texts had a vector.

    Words seen in ``fit`` keep the vector they resolved to; words first seen in
    ``transform`` (a test set's new words) are resolved then, against the same embeddings,
    so they get their vector too, and for the TF-IDF mean the weight of a word found in
    no training text: ``ln(1 + n_texts) + 1``.

    Parameters
    ----------
    embeddings : "default", "word2vec", "fasttext", path or KeyedVectors, default="default"
        The word vectors.

        - ``"default"``: the GloVe 6B 50-d vectors shipped with textclf
          (``default_embeddings()``, loaded once per process and shared). Where their
          package is missing, ``fit`` trains word2vec vectors on its texts instead and logs
          a warning.
        - ``"word2vec"`` or ``"fasttext"``: vectors trained by gensim on the texts ``fit``
          sees (``train_embeddings``); words first met in ``transform`` get no vector.
        - A path to a GloVe, Paragram or word2vec file: ``fit`` reads only the vectors its
          words can use (the words and their fallback spellings, via
          ``load_embeddings(path, vocabulary=...)``), so even a 2.2M-word file costs little
          memory; ``transform`` reads the file again only when its texts hold words ``fit``
          did not see (a full pass over the file each time). For repeated transforms on a
          large file, load it once yourself and pass the KeyedVectors.
        - A ``KeyedVectors`` (or any object with ``key_to_index`` and ``vectors``): used as
          it is, read only. ``sklearn.base.clone`` (cross-validation, grid search) would
          deep-copy a plain parameter, gigabytes per fold for a large vocabulary, so this
          estimator's clones share the object instead (``SharedVectorsMixin``). Pickling the
          estimator (joblib workers with ``n_jobs > 1``, saving a model) still stores the
          vectors with it;
          ``"default"`` or a path keeps the pickle to the fitted vocabulary.
    fallbacks : sequence of str, default=FALLBACKS
        Spellings tried, in order, for a word the embeddings lack as it is:
        "lower", "upper", "title", "porter", "lancaster", "snowball", "lemma" (see
        ``textclf.embeddings.resolve_words``); ``()`` for exact look-ups only.
    weighting : {None, "tfidf"}, default=None
        How the mean weighs tokens: None equally; "tfidf" by the smoothed inverse document
        frequency learned from the training texts, ``ln((1 + n) / (1 + df)) + 1`` (as
        scikit-learn's ``TfidfVectorizer``), with each occurrence counting once, so a
        repeated word weighs by its term frequency. Max and min pooling ignore weights.
    pooling : str or sequence of {"mean", "max", "min"}, default=("mean",)
        The poolings whose results are concatenated, in this order.

    Attributes
    ----------
    column_states_ : list
        What was learned from each input column: its words, their vectors, IDF weights.
    coverage_ : list of EmbeddingCoverage
        Per input column, the coverage of the training texts by the embeddings.
    n_features_in_ : int
        Number of text columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when they are strings.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from textclf.text import EmbeddingNormalizer
    >>> features = make_pipeline(EmbeddingNormalizer(),
    ...                          MeanEmbedding(weighting="tfidf", pooling=("mean", "max")))
    >>> features.fit_transform(["Why is the sky blue?", ""]).shape
    (2, 100)
    """

    _parameter_constraints: dict = {
        # Names, paths and duck-typed vectors: check_embedding_source says what is allowed.
        "embeddings": "no_validation",
        "fallbacks": ["array-like"],
        "weighting": [StrOptions({"tfidf"}), None],
        "pooling": [StrOptions(set(POOLINGS)), "array-like"],
    }

    def __init__(self, *, embeddings="default", fallbacks=FALLBACKS, weighting=None,
                 pooling=("mean",)):
        self.embeddings = embeddings
        self.fallbacks = fallbacks
        self.weighting = weighting
        self.pooling = pooling

    @property
    def coverage_(self) -> list[EmbeddingCoverage]:
        """Per input column, how much of the training texts the embeddings covered."""
        check_is_fitted(self, "column_states_")
        return [state.coverage for state in self.column_states_]

    # --- per-column protocol ----------------------------------------------------------
    def _check_params(self) -> None:
        # Called by TextFeatures at fit and transform, after the parameter constraints.
        check_embedding_source(self.embeddings)
        check_fallbacks(self.fallbacks)
        self._poolings()

    def _poolings(self) -> tuple[str, ...]:
        # A single name is checked by the constraints; a sequence of them here.
        pooling = (self.pooling,) if isinstance(self.pooling, str) else self.pooling
        return check_selection("pooling", pooling, POOLINGS)

    def _fit_column(self, texts: pa.Array, y) -> _ColumnVectors:
        fallbacks = tuple(self.fallbacks)
        tokens, text_of_token = split_tokens(texts)
        encoded = pc.dictionary_encode(tokens)
        words = encoded.dictionary.cast(pa.large_string())
        word_of_token = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        word_list = words.to_pylist()
        embeddings, trained = self._embeddings_for(word_list, corpus=texts.to_pylist())

        vector_rows, vectors, found_by = _word_vectors(word_list, embeddings, fallbacks)
        counts = np.bincount(word_of_token, minlength=len(word_list))
        idf = None
        if self.weighting == "tfidf":
            # A word's document frequency: the texts in which it occurs at least once.
            pairs = np.unique(text_of_token * max(len(word_list), 1) + word_of_token)
            document_frequency = np.bincount(pairs % max(len(word_list), 1),
                                             minlength=len(word_list))
            idf = _smoothed_idf(document_frequency, len(texts))
        return _ColumnVectors(
            words=words, vector_rows=vector_rows, vectors=vectors, idf=idf,
            n_texts=len(texts), trained_vectors=trained,
            coverage=coverage_report(word_list, counts, found_by, fallbacks, _TOP_MISSING))

    def _transform_column(self, state: _ColumnVectors, texts: pa.Array) -> np.ndarray:
        if self.weighting == "tfidf" and state.idf is None:
            raise ValueError("weighting='tfidf' needs the IDF weights learned in fit, and "
                             "this MeanEmbedding was fitted with weighting=None: fit it again")
        tokens, text_of_token = split_tokens(texts)
        word_of_token = pc.index_in(tokens, value_set=state.words)
        seen = word_of_token.is_valid().to_numpy(zero_copy_only=False)
        seen_words = word_of_token.drop_null().to_numpy(zero_copy_only=False)
        row_of_token = np.full(len(tokens), -1, dtype=np.int64)
        row_of_token[seen] = state.vector_rows[seen_words]
        weight_of_token = None
        if state.idf is not None and self.weighting == "tfidf":
            weight_of_token = np.full(len(tokens), _smoothed_idf(0, state.n_texts))
            weight_of_token[seen] = state.idf[seen_words]

        vectors = state.vectors
        if not seen.all() and not state.trained_vectors:
            # Words fit never saw: resolve each distinct one against the embeddings now.
            # (Vectors trained on the fitted texts have none for them.)
            unseen = pc.dictionary_encode(tokens.filter(pa.array(~seen)))
            new_words = unseen.dictionary.to_pylist()
            embeddings, _ = self._embeddings_for(new_words)
            new_rows, new_vectors, _ = _word_vectors(new_words, embeddings,
                                                     tuple(self.fallbacks))
            if new_vectors.shape[1] != vectors.shape[1]:
                raise ValueError(f"the embeddings now have {new_vectors.shape[1]} dimensions, "
                                 f"but this MeanEmbedding was fitted with "
                                 f"{vectors.shape[1]}: fit it again")
            new_rows = np.where(new_rows >= 0, new_rows + len(vectors), -1)
            row_of_token[~seen] = new_rows[unseen.indices.to_numpy(zero_copy_only=False)]
            vectors = np.concatenate([vectors, new_vectors])

        known = row_of_token >= 0
        return _pool(len(texts), text_of_token[known], row_of_token[known],
                     None if weight_of_token is None else weight_of_token[known], vectors,
                     self._poolings())

    def _feature_names(self, state: _ColumnVectors) -> list[str]:
        dim = state.vectors.shape[1]
        return [f"{pooling}_{j}" for pooling in self._poolings() for j in range(dim)]

    # --- helpers --------------------------------------------------------------------------
    def _embeddings_for(self, words: list[str], corpus=None):
        """``(embeddings, trained)``: the vectors to look ``words`` up in (for a file: only
        what they can use), and whether they were trained on ``corpus``, the texts being
        fitted (see ``named_embeddings``)."""
        if is_named_source(self.embeddings):
            return named_embeddings(self.embeddings, words, corpus=corpus,
                                    fallbacks=self.fallbacks)
        return self.embeddings, False


@dataclass(frozen=True)
class _ColumnVectors:
    """What ``MeanEmbedding`` learns from one column.

    ``words`` are the distinct training words; ``vector_rows[i]`` is the row of
    ``vectors`` holding word i's vector, -1 when it has none; ``idf`` (None unless
    TF-IDF weighting) the IDF of each word; ``n_texts`` the number of training texts;
    ``trained_vectors`` whether the vectors were trained on those texts (then words fit
    did not see have none).
    """

    words: pa.Array
    vector_rows: np.ndarray
    vectors: np.ndarray
    idf: np.ndarray | None
    n_texts: int
    coverage: EmbeddingCoverage
    trained_vectors: bool = False


def _smoothed_idf(document_frequency, n_texts: int):
    return np.log((1.0 + n_texts) / (1.0 + np.asarray(document_frequency, np.float64))) + 1.0


def _word_vectors(words: list[str], embeddings, fallbacks: tuple[str, ...]):
    """For distinct ``words``: the row of each in the returned vectors (-1: none), those
    float32 vectors (one row per distinct key found), and the step that found each word."""
    keys, found_by = find_keys(words, embeddings.key_to_index, fallbacks)
    row_of_key: dict[str, int] = {}
    rows = np.full(len(words), -1, dtype=np.int64)
    for i, key in enumerate(keys):
        if key is not None:
            rows[i] = row_of_key.setdefault(key, len(row_of_key))
    source_rows = np.fromiter((embeddings.key_to_index[key] for key in row_of_key),
                              dtype=np.int64, count=len(row_of_key))
    all_vectors = np.asarray(embeddings.vectors)
    vectors = all_vectors[source_rows].astype(np.float32, copy=False)
    return rows, vectors.reshape(len(source_rows), all_vectors.shape[1]), found_by


def _pool(n_texts: int, text_of_token: np.ndarray, row_of_token: np.ndarray,
          weight_of_token: np.ndarray | None, vectors: np.ndarray,
          poolings: tuple[str, ...]) -> np.ndarray:
    """Pool the vectors of each text's tokens (given in text order, known tokens only)."""
    dim = vectors.shape[1]
    pooled = np.zeros((n_texts, dim * len(poolings)), dtype=np.float32)
    tokens_per_text = np.bincount(text_of_token, minlength=n_texts)
    token_end = np.cumsum(tokens_per_text)
    token_start = token_end - tokens_per_text
    budget = max(1, _ELEMENTS_AT_ONCE // max(dim, 1))
    first = 0
    while first < n_texts:
        # The texts whose tokens fit in the budget (at least one text, however long).
        last = max(first + 1, int(np.searchsorted(token_end, token_start[first] + budget,
                                                  side="right")))
        texts = first + np.flatnonzero(tokens_per_text[first:last])
        first = last
        if not len(texts):
            continue
        begin, end = token_start[texts[0]], token_end[texts[-1]]
        # Tokens are grouped by text, so each text's tokens are one run starting here.
        starts = token_start[texts] - begin
        gathered = vectors[row_of_token[begin:end]]
        for k, pooling in enumerate(poolings):
            columns = slice(k * dim, (k + 1) * dim)
            if pooling == "mean" and weight_of_token is None:
                sums = np.add.reduceat(gathered, starts, axis=0, dtype=np.float64)
                pooled[texts, columns] = sums / tokens_per_text[texts, None]
            elif pooling == "mean":
                weights = weight_of_token[begin:end]
                sums = np.add.reduceat(gathered * weights[:, None], starts, axis=0)
                pooled[texts, columns] = sums / np.add.reduceat(weights, starts)[:, None]
            elif pooling == "max":
                pooled[texts, columns] = np.maximum.reduceat(gathered, starts, axis=0)
            else:
                pooled[texts, columns] = np.minimum.reduceat(gathered, starts, axis=0)
    return pooled
