"""Character n-gram TF-IDF that analyses each distinct word once.

scikit-learn's ``char_wb`` analyser cuts every word of every text into its n-grams (about
180 per question for 2- to 5-grams) and looks each one up in a dictionary, one at a time in
Python: most of the time of a word + character TF-IDF. But ``char_wb`` n-grams never cross a
word boundary (each word is padded with spaces and cut on its own), so a text's n-gram
counts are the sum of its words' n-gram counts. With ``W`` the texts' word counts and ``G``
each distinct word's n-gram counts, the text's n-gram counts are the sparse product
``W @ G``: Python touches each word of each text once and each distinct word's n-grams once,
and the product runs in compiled code. Words repeat (a few hundred thousand distinct words
in a million questions), so this is several times faster and gives the same matrix, n-gram
for n-gram, as scikit-learn's own counting.

``WordwiseTfidfVectorizer`` is a ``TfidfVectorizer`` with only its counting replaced, and only
for ``analyzer="char_wb"``; vocabulary limits, idf weighting and normalisation are
scikit-learn's own. Every other analyser counts as scikit-learn does.
"""

from __future__ import annotations

from array import array
from collections import defaultdict

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer


class WordwiseTfidfVectorizer(TfidfVectorizer):
    """``TfidfVectorizer`` whose ``char_wb`` counting cuts each distinct word once.

    Takes every parameter of scikit-learn's ``TfidfVectorizer`` and returns the same
    vocabulary and matrix for the same input; only ``analyzer="char_wb"`` (with a built-in
    preprocessor, or a callable one) is counted word by word.

    >>> vectorizer = WordwiseTfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3))
    >>> vectorizer.fit_transform(["a cat", "the cat"]).shape
    (2, 11)
    """

    def _count_vocab(self, raw_documents, fixed_vocab):
        if self.analyzer != "char_wb":
            return super()._count_vocab(raw_documents, fixed_vocab)
        word_counts, words = self._word_counts(raw_documents)
        if fixed_vocab:
            vocabulary = self.vocabulary_
        else:
            # A new n-gram takes the next column, as scikit-learn numbers them before sorting.
            vocabulary = defaultdict()
            vocabulary.default_factory = vocabulary.__len__
        ngram_counts = self._ngram_counts(words, vocabulary)
        if not fixed_vocab:
            vocabulary = dict(vocabulary)
            if not vocabulary:
                raise ValueError("empty vocabulary; perhaps the documents only contain "
                                 "stop words")
        # Counted in the output dtype (float32 counts are exact up to 2**24), so the product,
        # the largest array here, is never copied to convert it.
        counts = word_counts.astype(self.dtype) @ ngram_counts.astype(self.dtype)
        counts.sum_duplicates()   # also sorts each row's columns, as scikit-learn's are
        return vocabulary, counts

    def _word_counts(self, raw_documents):
        """The texts' word counts (rows: texts, columns: distinct words) and the words."""
        preprocess = self.build_preprocessor()
        word_columns: dict[str, int] = {}
        columns, row_ends = array("q"), array("q", [0])
        for document in raw_documents:
            # The analyser's own steps: decode, preprocess, then split on white space.
            for word in preprocess(self.decode(document)).split():
                column = word_columns.get(word)
                if column is None:
                    column = word_columns[word] = len(word_columns)
                columns.append(column)
            row_ends.append(len(columns))
        return _csr(columns, row_ends, len(word_columns)), list(word_columns)

    def _ngram_counts(self, words, vocabulary):
        """Each word's ``char_wb`` n-gram counts over ``vocabulary`` (rows: ``words``);
        n-grams missing from a fixed vocabulary are skipped, as scikit-learn skips them."""
        columns, row_ends = array("q"), array("q", [0])
        for word in words:
            # scikit-learn's own cutting of one word (padding, short words counted once).
            for ngram in self._char_wb_ngrams(word):
                try:
                    columns.append(vocabulary[ngram])
                except KeyError:
                    continue
            row_ends.append(len(columns))
        return _csr(columns, row_ends, len(vocabulary))


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
