"""Meta features: how a text is written rather than what it says.

Length, stop words, capitals, punctuation and question or exclamation marks separate
insincere questions (often long, shouted, rhetorical) from ordinary ones a little, and
they are cheap: a dozen numbers per text that a tree model or a linear model takes next to
TF-IDF. The definitions follow the Quora seed kernel's ``pandas.apply`` one-liners, made
exact and vectorised over the whole column.
"""

from __future__ import annotations

import string
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._param_validation import check_selection
from ..nltk_resources import english_stopwords
from ._base import TextFeatures

# Output columns, in the default order. The docstring of MetaFeatures defines each one.
FEATURES = (
    "n_words",
    "n_unique_words",
    "n_chars",
    "n_stop_words",
    "n_punctuation",
    "n_upper_words",
    "n_title_words",
    "mean_word_length",
    "n_question_marks",
    "n_exclamation_marks",
    "unique_word_ratio",
    "stop_word_ratio",
    "upper_word_ratio",
    "title_word_ratio",
    "punctuation_ratio",
)

# Python's string.punctuation as an RE2 character class; every character escaped, which RE2
# allows for any punctuation character, so none of them ("]", "\\", "^", "-") is special.
_PUNCTUATION_CLASS = "[" + "".join("\\" + c for c in string.punctuation) + "]"


class MetaFeatures(TextFeatures):
    """Counts and ratios describing how each text is written, as a dense float64 array.

    Feed the **raw** texts: cleaning removes exactly what these features count (case,
    punctuation, stop words). Nothing is learned in ``fit``; the features of a text depend
    on that text alone.

    Definitions (``text`` is one string; None and NaN count as ""):

    - a **word** is a white-space token, ``text.split()`` in Python: a maximal run of
      characters that are not Unicode white space (``str.isspace``). Punctuation stays
      attached, so "Why?" and "Why" are two different words, as in the seed kernel.
    - ``n_words``: number of words.
    - ``n_unique_words``: number of distinct words, compared exactly (case and attached
      punctuation included): ``len(set(text.split()))``.
    - ``n_chars``: number of characters (Unicode code points, ``len(text)``), white space
      included; an emoji is one character.
    - ``n_stop_words``: words that, lower-cased, are one of NLTK's 179 English stop words
      (``textclf.nltk_resources.english_stopwords()``); a word with punctuation attached
      ("it?") is not a stop word.
    - ``n_punctuation``: characters of Python's ``string.punctuation``, the 32 ASCII
      punctuation and symbol characters ``!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~``. Non-ASCII
      punctuation (curly quotes, dashes, ellipsis) is not counted.
    - ``n_upper_words``: words with at least one cased character, all of them upper case
      (``str.isupper``): "I", "USA?", "A4" but not "UK's", "3" or "?".
    - ``n_title_words``: title-case words (``str.istitle``): an upper-case letter starts
      every run of letters, the rest of which are lower case: "What", "I", "O'Neil" but not
      "iPhone" or "USA".
    - ``mean_word_length``: mean number of characters per word; 0 for a text without words.
    - ``n_question_marks``, ``n_exclamation_marks``: occurrences of "?" and of "!".
    - ``unique_word_ratio`` = n_unique_words / n_words, ``stop_word_ratio`` = n_stop_words /
      n_words, ``upper_word_ratio`` = n_upper_words / n_words, ``title_word_ratio`` =
      n_title_words / n_words, ``punctuation_ratio`` = n_punctuation / n_chars; each is 0
      when its denominator is 0, so an empty text gives zeros, never NaN.

    Everything runs as Arrow kernels and numpy over the whole column: texts are split once,
    word properties are computed once per distinct word and summed per text through the
    list offsets (``python -m benchmarks.feature_speed`` measures the speed). Only the
    features asked for are computed.

    Output is float64: the counts are exact in it, and the ratios and means need floats;
    scikit-learn's models compute in float64 anyway.

    Parameters
    ----------
    features : sequence of str or None, default=None
        The features to compute, as names from ``FEATURES`` in the order wanted; None
        computes all of them in the order of ``FEATURES``.

    Examples
    --------
    >>> MetaFeatures(features=["n_words", "n_question_marks"]).fit_transform(
    ...     ["Why is the sky blue?", ""])
    array([[5., 1.],
           [0., 0.]])
    """

    _parameter_constraints: dict = {
        **TextFeatures._parameter_constraints,
        "features": ["array-like", None],
    }

    def __init__(self, *, features=None):
        self.features = features

    def _check_params(self) -> None:
        if self.features is not None:
            check_selection("features", self.features, FEATURES)

    def _selected_features(self) -> list[str]:
        return list(FEATURES) if self.features is None else list(self.features)

    def _transform_column(self, state, texts: pa.Array) -> np.ndarray:
        counts = _TextCounts(texts)
        columns = [getattr(counts, name) for name in self._selected_features()]
        return np.column_stack(columns).astype(np.float64, copy=False)

    def _feature_names(self, state) -> list[str]:
        return self._selected_features()


class _TextCounts:
    """The meta features of one column of texts, each computed on first use (so a subset
    costs only what it needs) and shared by the features built from it.

    Word properties are computed once per distinct word (the vocabulary of the column) and
    gathered to every occurrence; per-text totals are differences of a running sum taken at
    the list offsets, so no step loops over texts in Python.
    """

    def __init__(self, texts: pa.Array):
        self.texts = texts

    # --- words ---------------------------------------------------------------------------
    @cached_property
    def _words(self) -> pa.ListArray:
        # Arrow's Unicode splitter splits at exactly the characters for which Python's
        # str.isspace() is true, but unlike str.split() it leaves an empty string where
        # white space starts or ends a text (and for an empty text). The empty string is
        # not a word: every per-word value below is 0 for it.
        return pc.utf8_split_whitespace(self.texts)

    @cached_property
    def _word_offsets(self) -> np.ndarray:
        """Where each text's tokens start in the flattened tokens, plus the end: n+1 ints."""
        offsets = self._words.offsets.to_numpy()
        return offsets - offsets[0]

    @cached_property
    def _encoded_words(self) -> pa.DictionaryArray:
        """Every token as an index into the column's vocabulary of distinct tokens."""
        return pc.dictionary_encode(self._words.flatten())

    @cached_property
    def _vocabulary(self) -> pa.Array:
        return self._encoded_words.dictionary

    @cached_property
    def _word_ids(self) -> np.ndarray:
        return self._encoded_words.indices.to_numpy(zero_copy_only=False).astype(np.int64)

    @cached_property
    def _word_lengths(self) -> np.ndarray:
        """Characters in each vocabulary word; 0 marks the empty token, which is no word."""
        return _as_int(pc.utf8_length(self._vocabulary))

    @cached_property
    def _non_ascii_words(self) -> tuple[np.ndarray, list[str]]:
        """Positions in the vocabulary, and text, of the words with a non-ASCII character.

        Arrow's Unicode tables count fewer characters as lower case than Python's (which
        also counts "ª", "º", superscript and subscript letters), so its is_upper and
        is_title disagree with str.isupper and str.istitle on a few such words. Python
        decides for these, once per distinct non-ASCII word.
        """
        positions = np.flatnonzero(~pc.string_is_ascii(self._vocabulary).to_numpy(
            zero_copy_only=False))
        return positions, self._vocabulary.take(pa.array(positions)).to_pylist()

    def _word_property(self, arrow_test, python_test) -> np.ndarray:
        """0/1 for every vocabulary word: arrow_test over the vocabulary, python_test on the
        non-ASCII words."""
        flags = _as_int(arrow_test(self._vocabulary))
        positions, words = self._non_ascii_words
        flags[positions] = [python_test(word) for word in words]
        return flags

    def _words_per_text(self, vocabulary_values: np.ndarray) -> np.ndarray:
        """Sum over each text's tokens of an int64 value defined per vocabulary word."""
        running = np.zeros(len(self._word_ids) + 1, dtype=np.int64)
        np.cumsum(vocabulary_values[self._word_ids], out=running[1:])
        return running[self._word_offsets[1:]] - running[self._word_offsets[:-1]]

    @cached_property
    def n_words(self) -> np.ndarray:
        return self._words_per_text((self._word_lengths > 0).astype(np.int64))

    @cached_property
    def n_unique_words(self) -> np.ndarray:
        # (text, word id) pairs as one integer key; sorting the keys puts each text's
        # repeated words side by side, and a text's distinct words are the keys that
        # differ from their predecessor. Keys stay below n_texts * vocabulary size < 2**63.
        vocabulary_size = max(len(self._vocabulary), 1)
        tokens_per_text = np.diff(self._word_offsets)
        text_of_token = np.repeat(np.arange(len(self.texts), dtype=np.int64), tokens_per_text)
        is_word = self._word_lengths[self._word_ids] > 0
        keys = np.sort(text_of_token[is_word] * vocabulary_size + self._word_ids[is_word])
        distinct = np.ones(len(keys), dtype=bool)
        distinct[1:] = keys[1:] != keys[:-1]
        return np.bincount(keys[distinct] // vocabulary_size, minlength=len(self.texts))

    @cached_property
    def n_stop_words(self) -> np.ndarray:
        stop_words = english_stopwords()
        stop_word_array = pa.array(sorted(stop_words), type=self._vocabulary.type)
        is_stop_word = self._word_property(
            lambda words: pc.is_in(pc.utf8_lower(words), value_set=stop_word_array),
            lambda word: word.lower() in stop_words)
        return self._words_per_text(is_stop_word)

    @cached_property
    def n_upper_words(self) -> np.ndarray:
        return self._words_per_text(self._word_property(pc.utf8_is_upper, str.isupper))

    @cached_property
    def n_title_words(self) -> np.ndarray:
        return self._words_per_text(self._word_property(pc.utf8_is_title, str.istitle))

    @cached_property
    def mean_word_length(self) -> np.ndarray:
        return _ratio(self._words_per_text(self._word_lengths), self.n_words)

    # --- characters ----------------------------------------------------------------------
    @cached_property
    def n_chars(self) -> np.ndarray:
        return _as_int(pc.utf8_length(self.texts))

    @cached_property
    def n_punctuation(self) -> np.ndarray:
        # One regex pass; each match is a single character, so matches = characters.
        return _as_int(pc.count_substring_regex(self.texts, _PUNCTUATION_CLASS))

    @cached_property
    def n_question_marks(self) -> np.ndarray:
        return _as_int(pc.count_substring(self.texts, "?"))

    @cached_property
    def n_exclamation_marks(self) -> np.ndarray:
        return _as_int(pc.count_substring(self.texts, "!"))

    # --- ratios --------------------------------------------------------------------------
    @cached_property
    def unique_word_ratio(self) -> np.ndarray:
        return _ratio(self.n_unique_words, self.n_words)

    @cached_property
    def stop_word_ratio(self) -> np.ndarray:
        return _ratio(self.n_stop_words, self.n_words)

    @cached_property
    def upper_word_ratio(self) -> np.ndarray:
        return _ratio(self.n_upper_words, self.n_words)

    @cached_property
    def title_word_ratio(self) -> np.ndarray:
        return _ratio(self.n_title_words, self.n_words)

    @cached_property
    def punctuation_ratio(self) -> np.ndarray:
        return _ratio(self.n_punctuation, self.n_chars)


def _as_int(values: pa.Array) -> np.ndarray:
    """Arrow booleans or integers without nulls as an int64 numpy array."""
    return values.to_numpy(zero_copy_only=False).astype(np.int64)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, and 0 where the denominator is 0 (an empty text)."""
    return np.divide(numerator, denominator, out=np.zeros(len(numerator)),
                     where=denominator > 0)
