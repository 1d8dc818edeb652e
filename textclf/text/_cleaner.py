"""The classical view of a text: lower-cased, punctuation and digits removed, stop words and
short tokens dropped, words reduced to their lemma. What TF-IDF, counts, LDA and naive
Bayes see.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from numbers import Integral

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils._param_validation import StrOptions

from .._param_validation import NonBoolInterval
from ..nltk_resources import english_stopwords
from ._base import TextNormalizer
from ._stemmers import stemmer
from ._wordnet_lemmas import lemmatize

# Python's [^\w\s] in RE2 (Arrow's regex engine): Python's \w is Unicode letters, digits
# and '_'; its \s is Unicode white space, which RE2's \s (ASCII only) is not.
_PUNCTUATION = r"[^\p{L}\p{N}_\s\p{Z}\x0b\x1c-\x1f\x85]"
_DIGITS = r"[0-9]"
# White space for Python's str.split() that Arrow's ASCII splitter does not split at.
_OTHER_SPACE = r"[\p{Z}\x85\x1c-\x1f]"
_MAYBE_OTHER_SPACE = r"[^\x00-\x1b\x20-\x7f]"


class TextCleaner(TextNormalizer):
    """Classical text cleaning, vectorised over the column and the vocabulary.

    The default reproduces the Quora seed kernel's steps, in its order: lower-case, remove
    punctuation (``[^\\w\\s]``), remove digits, drop stop words and tokens shorter than
    ``min_token_length``, then lemmatise. String operations run as Arrow kernels over the
    whole column; lemmas and stems are computed once per distinct token, not per occurrence.

    Parameters
    ----------
    lowercase : bool, default=True
    remove_punctuation : bool, default=True
        Delete every character that is neither a word character nor white space, so
        ``don't -> dont`` and ``U.S. -> US``, as the seed did.
    remove_digits : bool, default=True
        Delete the digits 0-9.
    stop_words : "english", iterable of str or None, default="english"
        "english" is NLTK's list of 179 words (shorter than scikit-learn's 318, which also
        drops words like "never" or "nobody"). Matched case-insensitively. None keeps all.
    min_token_length : int, default=3
        Tokens shorter than this are dropped (the seed kept ``len(word) > 2``); 0 keeps all.
    lemmatizer : {"wordnet", "wordnet-verb", "spacy"} or None, default="wordnet"
        "wordnet": WordNet's verb lemma, or its noun lemma when the verb pass leaves the word
        unchanged (``ran -> run``, ``difficulties -> difficulty``); WordNet only knows
        lower-case words. "wordnet-verb": the verb lemma only, exactly the seed's
        ``WordNetLemmatizer().lemmatize(word, "v")``. "spacy": spaCy's English lookup table
        (``geese -> goose``, ``were -> be``), from the spacy-lookups-data package.
    stemmer : {"porter"} or None, default=None
        Porter stemming after lemmatisation.
    """

    _parameter_constraints: dict = {
        "lowercase": ["boolean"],
        "remove_punctuation": ["boolean"],
        "remove_digits": ["boolean"],
        "stop_words": [StrOptions({"english"}), "array-like", None],
        "min_token_length": [NonBoolInterval(Integral, 0, None, closed="left")],
        "lemmatizer": [StrOptions({"wordnet", "wordnet-verb", "spacy"}), None],
        "stemmer": [StrOptions({"porter"}), None],
    }

    def __init__(self, *, lowercase: bool = True, remove_punctuation: bool = True,
                 remove_digits: bool = True, stop_words: str | Iterable[str] | None = "english",
                 min_token_length: int = 3, lemmatizer: str | None = "wordnet",
                 stemmer: str | None = None):
        self.lowercase = lowercase
        self.remove_punctuation = remove_punctuation
        self.remove_digits = remove_digits
        self.stop_words = stop_words
        self.min_token_length = min_token_length
        self.lemmatizer = lemmatizer
        self.stemmer = stemmer

    def _normalize(self, texts: pa.Array) -> pa.Array:
        # Every step works within a white-space token, so each distinct token is cleaned
        # once and the column is only split, encoded and re-joined.
        token_lists = pc.ascii_split_whitespace(_unicode_spaces_to_ascii(texts))
        tokens = pc.dictionary_encode(token_lists.flatten())
        cleaned_words, cleaned_word_of = self._clean_vocabulary(tokens.dictionary)

        word_ids = cleaned_word_of[tokens.indices.to_numpy()]
        kept = word_ids >= 0
        # Row i's kept tokens end where the running count of kept tokens stands at the end
        # of row i's original tokens.
        kept_so_far = np.concatenate([[0], np.cumsum(kept, dtype=np.int64)])
        offsets = kept_so_far[token_lists.offsets.to_numpy()]
        kept_lists = pa.LargeListArray.from_arrays(
            pa.array(offsets), cleaned_words.take(pa.array(word_ids[kept])))
        return pc.binary_join(kept_lists, pa.scalar(" ", pa.large_string()))

    def _clean_vocabulary(self, vocabulary: pa.Array) -> tuple[pa.Array, np.ndarray]:
        """The distinct cleaned words, and for each vocabulary token the position of its
        cleaned word among them (-1 for a token that is dropped)."""
        words = vocabulary
        if self.lowercase:
            words = pc.utf8_lower(words)
        removed = [p for p, on in ((_PUNCTUATION, self.remove_punctuation),
                                   (_DIGITS, self.remove_digits)) if on]
        if removed:
            # Only tokens with something besides letters can change: the regex, the slow
            # part, runs on those alone.
            changes = pc.invert(pc.utf8_is_alpha(words))
            replaced = pc.replace_substring_regex(words.filter(changes), "|".join(removed), "")
            words = pc.replace_with_mask(words, changes, replaced)
        # A token emptied by the removals disappears, as it would when the text is re-split.
        keep = pc.not_equal(words, "").to_numpy(zero_copy_only=False)
        if self.stop_words is not None:
            stop_words = _stop_word_set(self.stop_words)
            keep &= ~pc.is_in(pc.utf8_lower(words), value_set=stop_words).to_numpy(
                zero_copy_only=False)
        if self.min_token_length:
            keep &= pc.utf8_length(words).to_numpy() >= self.min_token_length
        # Tokens that differ only in case or punctuation are now equal: reduce each once.
        kept = pc.dictionary_encode(words.filter(pa.array(keep)))
        distinct = kept.dictionary
        if self.lemmatizer in ("wordnet", "wordnet-verb"):
            distinct = lemmatize(distinct, "v+n" if self.lemmatizer == "wordnet" else "v")
        elif self.lemmatizer == "spacy":
            table = _spacy_lemma_table()
            distinct = pa.array([table.get(w, w) for w in distinct.to_pylist()], pa.large_string())
        if self.stemmer == "porter":
            stem = stemmer("porter").stem
            distinct = pa.array([stem(w, to_lowercase=False) for w in distinct.to_pylist()],
                                pa.large_string())
        cleaned_word_of = np.full(len(vocabulary), -1, dtype=np.int64)
        cleaned_word_of[keep] = kept.indices.to_numpy()
        return distinct, cleaned_word_of


def _unicode_spaces_to_ascii(texts: pa.Array) -> pa.Array:
    """Python's other white space (Unicode spaces, \\x1c-\\x1f, \\x85) as plain spaces.

    Arrow splits at ASCII white space much faster than at Unicode white space, and only
    rows with a non-ASCII character or an ASCII separator can hold the rest, so only those
    rows are rewritten.
    """
    rewrite = pc.match_substring_regex(texts, _MAYBE_OTHER_SPACE)
    if not pc.any(rewrite).as_py():
        return texts
    rewritten = pc.replace_substring_regex(texts.filter(rewrite), _OTHER_SPACE, " ")
    return pc.replace_with_mask(texts, rewrite, rewritten)


def _stop_word_set(stop_words: str | Iterable[str]) -> pa.Array:
    words = english_stopwords() if stop_words == "english" else stop_words
    return pa.array(sorted({w.lower() for w in words}), type=pa.large_string())


@cache
def _spacy_lemma_table():
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")

