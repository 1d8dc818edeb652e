"""Texts to integer sequences: a frequency-capped vocabulary with padding and
out-of-vocabulary ids, and variable-length sequences kept unpadded until batching.

Padding is left to the batches (``_batching``): a question of 12 tokens padded to 70 makes
the LSTMs run 58 steps for nothing, so sequences stay ragged here (one flat id array plus
offsets) and each batch is padded only as far as its own longest row.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils._param_validation import StrOptions, validate_parameter_constraints

from ..._param_validation import NonBoolInterval
from ..._text_input import as_text_array, split_tokens
from ...embeddings import check_fallbacks, resolve_words

PADDING_ID = 0
OOV_ID = 1
# Ids of the first vocabulary word: 0 and 1 are reserved.
FIRST_WORD_ID = 2
TRUNCATING = ("pre", "post")
# The tokenizer's parameters, also those of the classifiers that build one.
TOKENIZER_CONSTRAINTS: dict = {
    "max_features": [NonBoolInterval(numbers.Integral, 1, None, closed="left"), None],
    "max_len": [NonBoolInterval(numbers.Integral, 1, None, closed="left")],
    "truncating": [StrOptions(set(TRUNCATING))],
}


@dataclass(frozen=True, eq=False)
class TokenSequences:
    """Ragged integer sequences: row ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.

    Attributes
    ----------
    ids : ndarray of int32
        The token ids of all rows, one after the other.
    offsets : ndarray of int64, shape (n_rows + 1,)
    """

    ids: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        """Tokens per row (int64)."""
        return np.diff(self.offsets)

    def row(self, index: int) -> np.ndarray:
        return self.ids[self.offsets[index]:self.offsets[index + 1]]

    def padded(self, rows: np.ndarray | None = None, width: int | None = None) -> np.ndarray:
        """Rows (all by default) as an int32 matrix, right-padded with ``PADDING_ID``.

        ``width`` defaults to the longest of the rows (at least 1, so a batch of empty
        texts is still a valid input); rows longer than ``width`` are cut at ``width``.
        """
        rows = np.arange(len(self)) if rows is None else np.asarray(rows, dtype=np.int64)
        lengths = self.lengths[rows]
        if width is None:
            width = max(int(lengths.max(initial=0)), 1)
        lengths = np.minimum(lengths, width)
        matrix = np.full((len(rows), width), PADDING_ID, dtype=np.int32)
        # Every kept token's (row, column) and its position in ``ids``, without a Python loop.
        row_of_token = np.repeat(np.arange(len(rows)), lengths)
        column = np.arange(len(row_of_token)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        matrix[row_of_token, column] = self.ids[np.repeat(self.offsets[rows], lengths) + column]
        return matrix


class SequenceTokenizer:
    """Vocabulary of the ``max_features`` most frequent training tokens; texts to id sequences.

    Texts are split at white space (normalise them first: ``EmbeddingNormalizer`` splits
    punctuation off and keeps case, which is how pre-trained vectors spell words). Id 0 is
    padding (masked by the model), id 1 stands for every word outside the vocabulary, and
    words take ids 2, 3, ... from the most to the least frequent; equally frequent words keep
    the order of their first occurrence, so the vocabulary depends only on the texts.
    ``add_words`` appends further words (the classifier adds words of the pre-trained
    vectors, so that test words the training texts lack keep their vector).

    Parameters
    ----------
    max_features : int or None, default=95000
        Most words kept (the two reserved ids not counted); None keeps every word.
    max_len : int, default=70
        Longest sequence; longer texts are cut.
    truncating : {"pre", "post"}, default="pre"
        Which end of a long text is cut: "pre" drops the first tokens and keeps the last
        ``max_len`` (Keras ``pad_sequences``' default, which the Quora kernels used: a
        question's point is usually near its end), "post" keeps the first ``max_len``.
    fallbacks : sequence of str, default=()
        Spellings tried for a token outside the vocabulary before it becomes the
        out-of-vocabulary id, the steps of ``resolve_words`` (lower case, title case,
        stems, lemma): with the vocabulary's "paris", a new "Paris" takes its id, as the
        embedding matrix gave "Paris" the vector of "paris". Each distinct unknown token
        is resolved once per ``transform``. () keeps exact spellings only.
    """

    def __init__(self, max_features: int | None = 95_000, max_len: int = 70,
                 truncating: str = "pre", fallbacks: Sequence[str] = ()):
        validate_parameter_constraints(
            TOKENIZER_CONSTRAINTS,
            {"max_features": max_features, "max_len": max_len, "truncating": truncating},
            caller_name=type(self).__name__)
        self.max_features = max_features
        self.max_len = max_len
        self.truncating = truncating
        self.fallbacks = check_fallbacks(fallbacks)
        self.words_: list[str] | None = None
        self._vocabulary: pa.Array | None = None
        self._ids: dict[str, int] | None = None

    @classmethod
    def from_words(cls, words: Sequence[str], *, max_len: int = 70, truncating: str = "pre",
                   fallbacks: Sequence[str] = ()) -> SequenceTokenizer:
        """A fitted tokenizer whose word ``words[i]`` has id ``i + 2`` (see ``words_``)."""
        tokenizer = cls(max_features=len(words), max_len=max_len, truncating=truncating,
                        fallbacks=fallbacks)
        tokenizer._set_words(list(words))
        return tokenizer

    def add_words(self, words: Sequence[str]) -> list[str]:
        """Append ``words`` not in the vocabulary yet, with the next ids; returns those
        appended. Ids of the words already there do not change, so sequences transformed
        before stay valid."""
        if self.words_ is None:
            raise ValueError("this SequenceTokenizer is not fitted yet: call fit(texts) first")
        known = self._word_ids()
        added = [word for word in dict.fromkeys(words) if word not in known]
        if added:
            self._set_words(self.words_ + added)
        return added

    def fit(self, texts) -> SequenceTokenizer:
        tokens, _ = split_tokens(as_text_array(texts))
        if len(tokens) == 0:
            self._set_words([])
            return self
        encoded = pc.dictionary_encode(tokens)
        # Dictionary order is first-occurrence order; a stable sort by descending count
        # keeps it among equal counts.
        counts = np.bincount(encoded.indices.to_numpy(zero_copy_only=False),
                             minlength=len(encoded.dictionary))
        order = np.argsort(-counts, kind="stable")
        if self.max_features is not None:
            order = order[:self.max_features]
        words = encoded.dictionary.take(pa.array(order)).cast(pa.large_string())
        self._set_words(words.to_pylist())
        return self

    def transform(self, texts) -> TokenSequences:
        """Id sequences of ``texts``, each at most ``max_len`` long (none padded)."""
        if self._vocabulary is None:
            raise ValueError("this SequenceTokenizer is not fitted yet: call fit(texts) first")
        text_array = as_text_array(texts)
        tokens, text_of_token = split_tokens(text_array)
        found = pc.index_in(tokens, value_set=self._vocabulary)
        ids = pc.fill_null(pc.add(found, FIRST_WORD_ID), OOV_ID).to_numpy(
            zero_copy_only=False).astype(np.int32)
        if self.fallbacks and found.null_count:
            unknown = np.flatnonzero(ids == OOV_ID)
            ids[unknown] = self._fallback_ids(tokens.take(pa.array(unknown)))
        lengths = np.bincount(text_of_token, minlength=len(text_array))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        kept = np.minimum(lengths, self.max_len)
        # Position of each token within its text; keep the last (pre) or first (post) ones.
        within = np.arange(len(ids)) - np.repeat(starts, lengths)
        if self.truncating == "pre":
            keep = within >= np.repeat(lengths - kept, lengths)
        else:
            keep = within < np.repeat(kept, lengths)
        offsets = np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
        return TokenSequences(ids=ids[keep], offsets=offsets)

    def fit_transform(self, texts) -> TokenSequences:
        return self.fit(texts).transform(texts)

    @property
    def vocabulary_size(self) -> int:
        """Number of ids, the two reserved ones included: the embedding matrix's rows."""
        if self.words_ is None:
            raise ValueError("this SequenceTokenizer is not fitted yet: call fit(texts) first")
        return len(self.words_) + FIRST_WORD_ID

    def word_index(self) -> dict[str, int]:
        """``{word: id}`` for the vocabulary words (ids from 2)."""
        if self.words_ is None:
            raise ValueError("this SequenceTokenizer is not fitted yet: call fit(texts) first")
        return dict(self._word_ids())

    def _word_ids(self) -> dict[str, int]:
        if self._ids is None:
            self._ids = {word: position + FIRST_WORD_ID
                         for position, word in enumerate(self.words_)}
        return self._ids

    def _fallback_ids(self, unknown_tokens: pa.Array) -> np.ndarray:
        """Ids of tokens outside the vocabulary: that of the first fallback spelling the
        vocabulary holds, else the out-of-vocabulary id."""
        encoded = pc.dictionary_encode(unknown_tokens)
        distinct = encoded.dictionary.to_pylist()
        word_ids = self._word_ids()
        keys = resolve_words(distinct, word_ids, self.fallbacks)
        ids_of_distinct = np.fromiter(
            (OOV_ID if keys[word] is None else word_ids[keys[word]] for word in distinct),
            dtype=np.int32, count=len(distinct))
        return ids_of_distinct[encoded.indices.to_numpy(zero_copy_only=False)]

    def _set_words(self, words: list[str]) -> None:
        if len(set(words)) != len(words):
            raise ValueError("the vocabulary lists a word twice; every word needs one id")
        self.words_ = words
        self._vocabulary = pa.array(words, type=pa.large_string())
        self._ids = None

    def __getstate__(self):
        state = self.__dict__.copy()
        # Rebuilt from words_, which pickle as a plain list.
        state["_vocabulary"] = state["_ids"] = None
        return state

    def __setstate__(self, state):
        state.setdefault("fallbacks", ())  # pickled before unknown tokens had fallbacks
        state.setdefault("_ids", None)
        self.__dict__.update(state)
        if self.words_ is not None:
            self._vocabulary = pa.array(self.words_, type=pa.large_string())

