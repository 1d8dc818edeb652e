"""The wordwise vectorisers give scikit-learn's matrices, n-gram for n-gram.

scikit-learn's common estimator checks skip estimators that take raw strings, so these tests
hold each one to the estimator it replaces instead: same parameters, same vocabulary, same
matrix, on awkward text and on real questions.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from textclf.data import load_dataset
from textclf.features import (
    WordwiseCountVectorizer,
    WordwiseTfidfVectorizer,
    count_vectorizer,
    tfidf_vectorizer,
)
from textclf.features._vectorizers import COUNT_PRESETS, TFIDF_PRESETS

# Accents, compatibility characters (U+00A8 decomposes to a space and a diaeresis), runs of
# white space of several kinds, case, a capital sigma, digits, repeated words and n-grams,
# one-word texts and texts with no words.
AWKWARD = ["Café  au\tlait?", "na\u00efve r\u00e9sum\u00e9\u00a8s", "ΟΔΟΣ  Σ",
           "I\u00a0love  NY\n\nand LA", "", "   ", "x", "ab ab ab", "2019 vs 2020?",
           "why why why do do", "?!", "a b a b a b c"]

PAIRS = {"tfidf": (TfidfVectorizer, WordwiseTfidfVectorizer),
         "count": (CountVectorizer, WordwiseCountVectorizer)}


def assert_same_as_scikit_learn(kind, params, fit_texts, other_texts):
    theirs, ours = (vectorizer(**params) for vectorizer in PAIRS[kind])
    fitted = (theirs.fit_transform(fit_texts), ours.fit_transform(fit_texts))
    assert ours.vocabulary_ == theirs.vocabulary_
    if kind == "tfidf":
        np.testing.assert_array_equal(ours.idf_, theirs.idf_)
    for expected, got in [fitted, (theirs.transform(other_texts), ours.transform(other_texts))]:
        assert type(got) is type(expected) and got.dtype == expected.dtype
        assert got.indices.dtype == expected.indices.dtype
        np.testing.assert_array_equal(got.indptr, expected.indptr)
        np.testing.assert_array_equal(got.indices, expected.indices)
        np.testing.assert_array_equal(got.data, expected.data)


SETTINGS = {
    "char preset": ("tfidf", TFIDF_PRESETS["char"]),
    "word preset": ("tfidf", TFIDF_PRESETS["word"]),
    "count preset": ("count", COUNT_PRESETS["word"]),
    "binary preset": ("count", COUNT_PRESETS["binary"]),
    "char limits": ("tfidf", dict(TFIDF_PRESETS["char"], min_df=1, max_features=300,
                                  sublinear_tf=False)),
    "word limits": ("count", dict(COUNT_PRESETS["word"], max_features=500, max_df=0.2)),
    "char ascii binary": ("tfidf", {"analyzer": "char_wb", "ngram_range": (1, 3),
                                    "lowercase": False, "strip_accents": "ascii",
                                    "binary": True, "norm": "l1", "dtype": np.float64}),
    "char callable preprocessor": ("tfidf", {"analyzer": "char_wb", "ngram_range": (3, 6),
                                             "preprocessor": str.upper, "max_df": 0.5}),
    "word trigrams only": ("count", {"ngram_range": (2, 3), "min_df": 2}),
    "word stop words": ("tfidf", {"ngram_range": (1, 2), "stop_words": "english"}),
    # A tokenizer whose tokens hold spaces: a token "a b" and the bigram of "a" and "b"
    # are one vocabulary entry, as in scikit-learn.
    "word spaced tokens": ("count", {"ngram_range": (1, 2), "lowercase": False,
                                     "token_pattern": r"[a-z]+ [a-z]+|[a-z]+"}),
    # Counted by scikit-learn itself.
    "char": ("tfidf", {"analyzer": "char", "ngram_range": (2, 3)}),
}


@pytest.mark.parametrize("kind, params", SETTINGS.values(), ids=SETTINGS)
def test_same_matrix_as_scikit_learn(kind, params):
    texts = load_dataset("sms_spam")["question_text"].tolist()
    assert_same_as_scikit_learn(kind, params, texts[:4000] + AWKWARD,
                                texts[4000:] + AWKWARD[::-1])


@pytest.mark.parametrize("kind, params", [("tfidf", TFIDF_PRESETS["char"]),
                                          ("tfidf", TFIDF_PRESETS["word"])],
                         ids=["char", "word"])
def test_same_matrix_as_scikit_learn_on_real_questions(kind, params, quora_dir):
    texts = pd.read_csv(quora_dir / "train_natural.csv", nrows=20_000)["question_text"]
    assert_same_as_scikit_learn(kind, params, texts[:15_000], texts[15_000:])


@pytest.mark.parametrize("analyzer, vocabulary", [
    ("char_wb", [" c", "ca", "at", "t ", "zz"]), ("word", ["cat", "a cat", "cat cat", "zz"])])
def test_fixed_vocabulary_and_bytes_input(analyzer, vocabulary):
    params = {"analyzer": analyzer, "ngram_range": (1, 2), "vocabulary": vocabulary}
    documents = [b"a cat", b"cat cat", b"dog"]
    assert_same_as_scikit_learn("count", params, documents, documents[::-1])


@pytest.mark.parametrize("analyzer", ["char_wb", "word"])
def test_texts_without_words_leave_empty_rows(analyzer):
    vectorizer = WordwiseTfidfVectorizer(analyzer=analyzer)
    features = vectorizer.fit_transform(["ab", "", "ab cd"])
    assert features.getnnz(axis=1).tolist()[1] == 0
    assert vectorizer.transform(["", "   "]).nnz == 0
    with pytest.raises(ValueError, match="empty vocabulary"):
        WordwiseTfidfVectorizer(analyzer=analyzer).fit(["", "  "])


@pytest.mark.parametrize("vectorizer", [tfidf_vectorizer("char", min_df=1),
                                        count_vectorizer("word", min_df=1)],
                         ids=["tfidf", "count"])
def test_it_clones_and_pickles(vectorizer):
    assert clone(vectorizer).get_params() == vectorizer.get_params()
    fitted = vectorizer.fit(AWKWARD)
    restored = pickle.loads(pickle.dumps(fitted))
    assert (restored.transform(AWKWARD) != fitted.transform(AWKWARD)).nnz == 0
