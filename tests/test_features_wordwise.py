"""WordwiseTfidfVectorizer gives scikit-learn's TfidfVectorizer matrix, n-gram for n-gram.

scikit-learn's common estimator checks skip estimators that take raw strings, so these tests
hold it to the estimator it replaces instead: same parameters, same vocabulary, same matrix.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from textclf.data import load_dataset
from textclf.features import WordwiseTfidfVectorizer, tfidf_vectorizer
from textclf.features._vectorizers import TFIDF_PRESETS

# Accents, compatibility characters (U+00A8 decomposes to a space and a diaeresis), runs of
# white space of several kinds, case, a capital sigma, digits, a text with no words.
AWKWARD = ["Café  au\tlait?", "na\u00efve r\u00e9sum\u00e9\u00a8s", "ΟΔΟΣ  Σ",
           "I\u00a0love  NY\n\nand LA", "", "   ", "x", "ab ab ab", "2019 vs 2020?"]


def assert_same_as_scikit_learn(params, fit_texts, other_texts):
    theirs = TfidfVectorizer(**params)
    ours = WordwiseTfidfVectorizer(**params)
    fitted = (theirs.fit_transform(fit_texts), ours.fit_transform(fit_texts))
    assert ours.vocabulary_ == theirs.vocabulary_
    np.testing.assert_array_equal(ours.idf_, theirs.idf_)
    for expected, got in [fitted, (theirs.transform(other_texts), ours.transform(other_texts))]:
        assert type(got) is type(expected) and got.dtype == expected.dtype
        assert got.indices.dtype == expected.indices.dtype
        np.testing.assert_array_equal(got.indptr, expected.indptr)
        np.testing.assert_array_equal(got.indices, expected.indices)
        np.testing.assert_array_equal(got.data, expected.data)


@pytest.mark.parametrize("params", [
    TFIDF_PRESETS["char"],
    dict(TFIDF_PRESETS["char"], min_df=1, max_features=300, sublinear_tf=False),
    {"analyzer": "char_wb", "ngram_range": (1, 3), "lowercase": False,
     "strip_accents": "ascii", "binary": True, "norm": "l1", "dtype": np.float64},
    {"analyzer": "char_wb", "ngram_range": (3, 6), "preprocessor": str.upper, "max_df": 0.5},
    # Other analysers are counted by scikit-learn itself.
    TFIDF_PRESETS["word"],
    {"analyzer": "char", "ngram_range": (2, 3)},
], ids=["char preset", "limits", "ascii binary", "callable preprocessor", "word", "char"])
def test_same_matrix_as_scikit_learn(params):
    texts = load_dataset("sms_spam")["question_text"].tolist()
    assert_same_as_scikit_learn(params, texts[:4000] + AWKWARD, texts[4000:] + AWKWARD[::-1])


def test_same_matrix_as_scikit_learn_on_real_questions(quora_dir):
    texts = pd.read_csv(quora_dir / "train_natural.csv", nrows=20_000)["question_text"]
    assert_same_as_scikit_learn(TFIDF_PRESETS["char"], texts[:15_000], texts[15_000:])


def test_fixed_vocabulary_and_bytes_input():
    vocabulary = [" c", "ca", "at", "t ", "zz"]
    params = {"analyzer": "char_wb", "ngram_range": (2, 2), "vocabulary": vocabulary}
    documents = [b"a cat", b"cat cat", b"dog"]
    assert_same_as_scikit_learn(params, documents, documents[::-1])


def test_texts_without_words_leave_empty_rows():
    features = WordwiseTfidfVectorizer(analyzer="char_wb").fit_transform(["ab", "", "ab cd"])
    assert features.getnnz(axis=1).tolist()[1] == 0
    with pytest.raises(ValueError, match="empty vocabulary"):
        WordwiseTfidfVectorizer(analyzer="char_wb").fit(["", "  "])


def test_presets_use_it_and_it_clones_and_pickles():
    vectorizer = tfidf_vectorizer("char", min_df=1)
    assert type(vectorizer) is WordwiseTfidfVectorizer
    assert clone(vectorizer).get_params() == vectorizer.get_params()
    fitted = vectorizer.fit(AWKWARD)
    restored = pickle.loads(pickle.dumps(fitted))
    assert (restored.transform(AWKWARD) != fitted.transform(AWKWARD)).nnz == 0
