"""Bag-of-n-grams features: named, documented settings of scikit-learn's TF-IDF and count
vectorisers, tuned for short questions.

Every preset returns ``WordwiseCountVectorizer`` or ``WordwiseTfidfVectorizer`` (or a
``FeatureUnion`` of two): scikit-learn's ``CountVectorizer`` and ``TfidfVectorizer`` with a
faster counting that gives the same matrix (``textclf.features._wordwise``), so everything
scikit-learn documents for them holds. Output
is a sparse CSR matrix of float32 from end to end: a million questions times a million
n-grams fits in memory only as long as nothing is densified, and float32 halves it again.

Choices shared by the presets:

- ``token_pattern=r"(?u)\\b\\w+\\b"`` keeps one-character tokens, which scikit-learn's default
  pattern (two or more characters) drops. In questions they carry meaning: "I" (first-person
  questions), "a", "u" for "you", digits ("top 5"), and the "x" and "y" of maths questions;
  in bigrams they give "am i", "do i", "i think". Punctuation is not a token.
- ``lowercase=True`` and ``strip_accents="unicode"``: questions are written casually ("Why"
  and "why"), and accents are spelt inconsistently ("café", "cafe"). "unicode" handles every
  accented letter ("ascii" only those with a direct ASCII form) and costs nothing for ASCII
  text, which scikit-learn passes through untouched.
- ``min_df=3``: an n-gram in one or two questions cannot generalise and, with bigrams, such
  n-grams are most of the vocabulary; dropping them shrinks the matrix and the model.

The word TF-IDF settings are those of the widely used Kaggle "NB-SVM strong linear baseline"
kernel (J. Howard, Toxic Comment Classification, also adapted to Quora Insincere Questions):
``ngram_range=(1, 2), min_df=3, max_df=0.9, strip_accents="unicode", sublinear_tf=True``.
"""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import FeatureUnion
from sklearn.utils._param_validation import StrOptions, validate_params

from ._wordwise import WordwiseCountVectorizer, WordwiseTfidfVectorizer

# Words of one character or more; see the module docstring.
WORD_TOKENS = r"(?u)\b\w+\b"

_SHARED = {"lowercase": True, "strip_accents": "unicode", "dtype": np.float32}

TFIDF_PRESETS = {
    # Unigrams and bigrams; sublinear tf (1 + log tf) so a word repeated in one question
    # does not dominate it; max_df=0.9 drops n-grams in nearly every question.
    "word": dict(_SHARED, analyzer="word", token_pattern=WORD_TOKENS, ngram_range=(1, 2),
                 min_df=3, max_df=0.9, sublinear_tf=True),
    # Character 2- to 5-grams inside word boundaries (char_wb pads each word with spaces):
    # robust to misspellings, inflections and unseen words ("trumpist", "stupidest"), which
    # word n-grams miss. Sublinear tf as for words. About 180 non-zeros per Quora question
    # (word: about 18).
    "char": dict(_SHARED, analyzer="char_wb", ngram_range=(2, 5), min_df=3,
                 sublinear_tf=True),
}
COUNT_PRESETS = {
    # Raw unigram and bigram counts for multinomial naive Bayes, which models counts;
    # bigrams help naive Bayes most on short texts (Wang & Manning, "Baselines and Bigrams",
    # ACL 2012).
    "word": dict(_SHARED, analyzer="word", token_pattern=WORD_TOKENS, ngram_range=(1, 2),
                 min_df=3),
    # Word presence (0/1) for Bernoulli naive Bayes, which models presence and absence of
    # every vocabulary word; unigrams only, since Bernoulli NB does best with a smaller
    # vocabulary (McCallum & Nigam, "A Comparison of Event Models for Naive Bayes Text
    # Classification", 1998).
    "binary": dict(_SHARED, analyzer="word", token_pattern=WORD_TOKENS, ngram_range=(1, 1),
                   min_df=3, binary=True),
}
# Presets made of other presets: FeatureUnion part name -> preset name.
TFIDF_UNIONS = {"word+char": {"word": "word", "char": "char"}}


@validate_params({"preset": [StrOptions({*TFIDF_PRESETS, *TFIDF_UNIONS})]},
                 prefer_skip_nested_validation=True)
def tfidf_vectorizer(preset: str = "word",
                     **overrides) -> WordwiseTfidfVectorizer | FeatureUnion:
    """A ``TfidfVectorizer`` configured by a named preset; keyword arguments override it.

    It is a ``WordwiseTfidfVectorizer``: the same matrix as scikit-learn's, counted
    faster (``textclf.features._wordwise``).

    Presets (all lower-case, strip accents, ``min_df=3``, float32 output):

    - ``"word"``: word 1-2-grams, one-character words kept, ``max_df=0.9``,
      ``sublinear_tf=True``.
    - ``"char"``: ``char_wb`` 2-5-grams, ``sublinear_tf=True``.
    - ``"word+char"``: a ``FeatureUnion`` of the two, parts named "word" and "char"; its
      columns are the word features, then the character features (sparse float32). An
      override ``name=value`` applies to both parts, ``word__name=value`` or
      ``char__name=value`` to one.

    >>> tfidf_vectorizer("word", min_df=5).min_df
    5

    Raises ValueError for an unknown preset (naming the presets) or an unknown parameter.
    """
    if preset in TFIDF_UNIONS:
        parts = TFIDF_UNIONS[preset]
        union = FeatureUnion([(part, WordwiseTfidfVectorizer(**TFIDF_PRESETS[name]))
                              for part, name in parts.items()])
        # A plain name is meant for every part; "part__name" already addresses one.
        nested = {}
        for name, value in overrides.items():
            if "__" in name:
                nested[name] = value
            else:
                nested.update({f"{part}__{name}": value for part in parts})
        return union.set_params(**nested)
    # set_params rejects a misspelt parameter with the list of valid ones.
    return WordwiseTfidfVectorizer(**TFIDF_PRESETS[preset]).set_params(**overrides)


@validate_params({"preset": [StrOptions(set(COUNT_PRESETS))]},
                 prefer_skip_nested_validation=True)
def count_vectorizer(preset: str = "word", **overrides) -> WordwiseCountVectorizer:
    """A ``CountVectorizer`` configured by a named preset; keyword arguments override it.

    It is a ``WordwiseCountVectorizer``: the same matrix as scikit-learn's, counted
    faster (``textclf.features._wordwise``).

    Presets (all lower-case, strip accents, one-character words kept, ``min_df=3``, float32
    output, which scikit-learn's naive Bayes models take as they are):

    - ``"word"``: word 1-2-gram counts, for multinomial naive Bayes.
    - ``"binary"``: word presence (1 or 0), unigrams, for Bernoulli naive Bayes.

    Raises ValueError for an unknown preset (naming the presets) or an unknown parameter.
    """
    return WordwiseCountVectorizer(**COUNT_PRESETS[preset]).set_params(**overrides)
