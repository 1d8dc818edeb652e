"""Bag-of-n-gram counting that looks up each word of a text once, the rest in compiled code.

scikit-learn's vectorisers build every n-gram of every text as a Python string and look it
up in a dictionary, one at a time: most of the time of a TF-IDF or count matrix, and most
of a million-question study. Both kinds of n-gram can be counted from the words alone:

- Character n-grams inside word boundaries (``analyzer="char_wb"``) never cross a word:
  each word is padded with spaces and cut on its own. So a text's n-gram counts are the sum
  of its words' counts, the sparse product ``W @ G`` of the texts' word counts ``W`` and
  each *distinct* word's n-gram counts ``G``. Words repeat (a few hundred thousand distinct
  words in a million questions), so each is cut once.
- Word n-grams (``analyzer="word"``) are runs of consecutive tokens. Each token becomes an
  integer id (one dictionary look-up per token); a run of n tokens is numbered by pairing
  the number of its first n - 1 tokens with its last token's id, and ``numpy.unique`` of
  those pairs numbers every distinct n-gram at once. Only the distinct n-grams are joined
  into strings, to be named in the vocabulary.

``WordwiseCountVectorizer`` and ``WordwiseTfidfVectorizer`` are scikit-learn's
``CountVectorizer`` and ``TfidfVectorizer`` with only this counting replaced: for the same
parameters and texts they give the same vocabulary and the same matrix, n-gram for n-gram
(tests/test_features_wordwise.py holds them to it). Vocabulary limits, idf weighting and
normalisation are scikit-learn's own; a callable analyser and ``analyzer="char"`` are
counted by scikit-learn itself.
"""

from __future__ import annotations

from array import array
from collections import defaultdict

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer


class _WordwiseCounting:
    """Replaces ``CountVectorizer._count_vocab`` for the "word" and "char_wb" analysers."""

    def _count_vocab(self, raw_documents, fixed_vocab):
        if self.analyzer not in ("word", "char_wb"):
            return super()._count_vocab(raw_documents, fixed_vocab)
        # A new n-gram takes the next column, as scikit-learn numbers them before sorting.
        vocabulary = self.vocabulary_ if fixed_vocab else _numbering()
        if self.analyzer == "char_wb":
            counts = self._count_char_wb_ngrams(raw_documents, vocabulary)
        else:
            counts = self._count_word_ngrams(raw_documents, vocabulary)
        if not fixed_vocab:
            vocabulary = dict(vocabulary)
            if not vocabulary:
                raise ValueError("empty vocabulary; perhaps the documents only contain "
                                 "stop words")
        counts.sum_duplicates()   # also sorts each row's columns, as scikit-learn's are
        return vocabulary, counts

    def _count_char_wb_ngrams(self, raw_documents, vocabulary) -> sp.csr_array:
        preprocess = self.build_preprocessor()
        word_columns = _numbering()
        columns, row_ends = array("q"), array("q", [0])
        for document in raw_documents:
            # The analyser's own steps: decode, preprocess, then split on white space.
            columns.extend(map(word_columns.__getitem__,
                               preprocess(self.decode(document)).split()))
            row_ends.append(len(columns))
        word_counts = _csr(columns, row_ends, len(word_columns))

        columns, row_ends = array("q"), array("q", [0])
        for word in word_columns:
            # scikit-learn's own cutting of one word (padding, short words counted once);
            # n-grams missing from a fixed vocabulary are skipped, as scikit-learn skips them.
            for ngram in self._char_wb_ngrams(word):
                try:
                    columns.append(vocabulary[ngram])
                except KeyError:
                    continue
            row_ends.append(len(columns))
        ngram_counts = _csr(columns, row_ends, len(vocabulary))
        # Counted in the output dtype (float32 counts are exact up to 2**24), so the
        # product, the largest array here, is never copied to convert it.
        return word_counts.astype(self.dtype) @ ngram_counts.astype(self.dtype)

    def _count_word_ngrams(self, raw_documents, vocabulary) -> sp.csr_array:
        # The analyser's own steps (and its stop-word consistency warning), token by token.
        self.build_analyzer()
        preprocess, tokenize = self.build_preprocessor(), self.build_tokenizer()
        stop_words = self.get_stop_words()
        token_ids = _numbering()
        ids, row_ends = array("q"), array("q", [0])
        for document in raw_documents:
            tokens = tokenize(preprocess(self.decode(document)))
            if stop_words is not None:
                tokens = [token for token in tokens if token not in stop_words]
            ids.extend(map(token_ids.__getitem__, tokens))
            row_ends.append(len(ids))
        ids = np.frombuffer(ids, dtype=np.int64)
        row_of_token = np.repeat(np.arange(len(row_ends) - 1),
                                 np.diff(np.frombuffer(row_ends, dtype=np.int64)))
        tokens = list(token_ids)

        min_n, max_n = self.ngram_range
        # Each n's occurrences: the start (token position) of every run of n tokens within a
        # text, and the number of its n-gram; then where each n-gram first starts.
        occurrences = []
        ngram_ids = ids   # the number of the n-gram starting at each token; -1: none
        for n in range(1, max_n + 1):
            if n > 1:
                n_starts = max(len(ids) - n + 1, 0)
                starts = np.flatnonzero(ngram_ids[:n_starts] >= 0)
                starts = starts[row_of_token[starts] == row_of_token[starts + n - 1]]
                pairs = ngram_ids[starts] * len(token_ids) + ids[starts + n - 1]
                _, first, numbers = np.unique(pairs, return_index=True, return_inverse=True)
                ngram_ids = np.full(n_starts, -1, dtype=np.int64)
                ngram_ids[starts] = numbers
                first_starts = starts[first]
            else:
                starts, numbers = np.arange(len(ids)), ids
                first_starts = np.unique(ids, return_index=True)[1]
            if n >= min_n:
                occurrences.append((n, starts, numbers, first_starts))

        # Columns are given in scikit-learn's order of first appearance (text by text; in a
        # text, its unigrams, then its bigrams, ...), so that sorting the vocabulary later
        # stores each row's entries in the order scikit-learn's do. Strings name the
        # columns: a tokenizer that keeps spaces can give two runs one string, one column.
        first_rows = np.concatenate([row_of_token[first] for *_, first in occurrences])
        sizes = np.concatenate([np.full(len(first), n) for n, *_, first in occurrences])
        first_starts = np.concatenate([first for *_, first in occurrences])
        column_of = np.empty(len(first_starts), dtype=np.int64)
        for position in np.lexsort((first_starts, sizes, first_rows)):
            n, start = sizes[position], first_starts[position]
            ngram = " ".join([tokens[token_id] for token_id in ids[start:start + n]])
            try:
                column_of[position] = vocabulary[ngram]
            except KeyError:
                column_of[position] = -1

        rows, columns, offset = [], [], 0
        for _, starts, numbers, first in occurrences:
            found = column_of[offset + numbers]
            rows.append(row_of_token[starts][found >= 0])
            columns.append(found[found >= 0])
            offset += len(first)
        rows, columns = np.concatenate(rows), np.concatenate(columns)
        index_dtype = sp.get_index_dtype(maxval=max(len(vocabulary), len(rows)))
        return sp.csr_array((np.ones(len(rows), dtype=self.dtype),
                             (rows.astype(index_dtype), columns.astype(index_dtype))),
                            shape=(len(row_ends) - 1, len(vocabulary)))


class WordwiseCountVectorizer(_WordwiseCounting, CountVectorizer):
    """scikit-learn's ``CountVectorizer``, counting "word" and "char_wb" n-grams from each
    text's words (see the module): the same vocabulary and matrix, sooner.

    >>> sorted(WordwiseCountVectorizer(ngram_range=(1, 2)).fit(["the cat", "a cat"]).vocabulary_)
    ['cat', 'the', 'the cat']
    """


class WordwiseTfidfVectorizer(_WordwiseCounting, TfidfVectorizer):
    """scikit-learn's ``TfidfVectorizer``, counting "word" and "char_wb" n-grams from each
    text's words (see the module): the same vocabulary and matrix, sooner.

    >>> vectorizer = WordwiseTfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3))
    >>> vectorizer.fit_transform(["a cat", "the cat"]).shape
    (2, 17)
    """


def _numbering() -> defaultdict:
    """A dictionary that numbers each new key it is asked for 0, 1, 2, ... in compiled code
    (``map(numbering.__getitem__, keys)`` runs no Python per key)."""
    numbering = defaultdict()
    numbering.default_factory = numbering.__len__
    return numbering


def _csr(columns: array, row_ends: array, n_columns: int) -> sp.csr_array:
    """A 0/1 matrix with a one at each listed column of each row (repeats add up later).

    Indices are 32-bit whenever they fit, as scikit-learn's are: the product inherits their
    width, and 64-bit indices would double the size of a matrix of 200M+ non-zeros.
    """
    index_dtype = sp.get_index_dtype(maxval=max(n_columns, len(columns)))
    return sp.csr_array((np.ones(len(columns), dtype=np.int8),
                         np.frombuffer(columns, dtype=np.int64).astype(index_dtype),
                         np.frombuffer(row_ends, dtype=np.int64).astype(index_dtype)),
                        shape=(len(row_ends) - 1, n_columns))
