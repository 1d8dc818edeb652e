import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.pipeline import FeatureUnion
from sklearn.utils._param_validation import InvalidParameterError

from textclf.data import load_dataset
from textclf.features import (
    WordwiseCountVectorizer,
    WordwiseTfidfVectorizer,
    count_vectorizer,
    tfidf_vectorizer,
)

QUESTIONS = [
    "Why do I feel tired after 5 hours of sleep?",
    "Why do I feel tired after a long walk?",
    "Why do I feel tired all the time?",
    "What is the best café in Paris?",
    "What is the best cafe in Rome?",
    "What is the best way to learn x and y?",
]


@pytest.fixture(scope="module")
def questions():
    return load_dataset("sms_spam")["question_text"]


@pytest.mark.parametrize("build, preset, kind", [
    (tfidf_vectorizer, "word", WordwiseTfidfVectorizer),
    (tfidf_vectorizer, "char", WordwiseTfidfVectorizer),
    (tfidf_vectorizer, "word+char", FeatureUnion),
    (count_vectorizer, "word", WordwiseCountVectorizer),
    (count_vectorizer, "binary", WordwiseCountVectorizer),
])
def test_presets_give_sparse_float32(build, preset, kind, questions):
    vectorizer = build(preset)
    assert type(vectorizer) is kind
    features = vectorizer.fit_transform(questions)
    assert sp.issparse(features)
    assert features.format == "csr"
    assert features.dtype == np.float32
    assert features.shape[0] == len(questions)


def test_default_presets_are_word():
    assert tfidf_vectorizer().get_params() == tfidf_vectorizer("word").get_params()
    assert count_vectorizer().get_params() == count_vectorizer("word").get_params()


@pytest.mark.parametrize("vectorizer, analyzer, ngram_range", [
    (tfidf_vectorizer("word"), "word", (1, 2)),
    (tfidf_vectorizer("char"), "char_wb", (2, 5)),
    (count_vectorizer("word"), "word", (1, 2)),
    (count_vectorizer("binary"), "word", (1, 1)),
])
def test_preset_ngrams(vectorizer, analyzer, ngram_range):
    assert vectorizer.analyzer == analyzer
    assert vectorizer.ngram_range == ngram_range


def test_word_ngrams_keep_one_character_words():
    vocabulary = tfidf_vectorizer("word", min_df=1).fit(QUESTIONS).vocabulary_
    for ngram in ("i", "5", "x", "do i", "i feel", "why do"):
        assert ngram in vocabulary
    assert not any(len(ngram.split()) > 2 for ngram in vocabulary)


def test_word_tfidf_settings():
    vectorizer = tfidf_vectorizer("word")
    assert vectorizer.sublinear_tf
    assert (vectorizer.min_df, vectorizer.max_df) == (3, 0.9)


def test_char_ngrams_stay_inside_words():
    vocabulary = tfidf_vectorizer("char", min_df=1).fit(["ab cd"]).vocabulary_
    assert " ab" in vocabulary and "cd " in vocabulary
    assert "b c" not in vocabulary
    assert all(2 <= len(ngram) <= 5 for ngram in vocabulary)


def test_case_and_accents_are_folded():
    features = tfidf_vectorizer("word", min_df=1, max_df=1.0).fit_transform(
        ["Café", "cafe", "CAFE"])
    np.testing.assert_allclose(features.toarray(), features[0].toarray().repeat(3, axis=0))


def test_counts_and_presence():
    text = ["spam spam spam eggs"]
    counts = count_vectorizer("word", min_df=1).fit(text)
    assert counts.transform(text)[0, counts.vocabulary_["spam"]] == 3
    assert counts.transform(text)[0, counts.vocabulary_["spam spam"]] == 2
    presence = count_vectorizer("binary", min_df=1).fit(text)
    assert set(presence.transform(text).data) == {1.0}


def test_min_df_drops_ngrams_in_fewer_than_three_texts():
    vocabulary = tfidf_vectorizer("word").fit(QUESTIONS).vocabulary_
    assert "tired" in vocabulary and "the best" in vocabulary
    assert "paris" not in vocabulary and "sleep" not in vocabulary


def test_overrides_win():
    vectorizer = tfidf_vectorizer("word", ngram_range=(1, 3), min_df=1, dtype=np.float64)
    assert (vectorizer.ngram_range, vectorizer.min_df) == ((1, 3), 1)
    assert vectorizer.fit_transform(QUESTIONS).dtype == np.float64
    assert vectorizer.sublinear_tf  # the rest of the preset stays
    assert count_vectorizer("binary", ngram_range=(1, 2)).ngram_range == (1, 2)


def test_each_call_builds_a_new_vectorizer():
    first = tfidf_vectorizer("word", min_df=7)
    assert first is not tfidf_vectorizer("word")
    assert tfidf_vectorizer("word").min_df == 3


@pytest.mark.parametrize("build, presets", [
    (tfidf_vectorizer, ["word", "char", "word+char"]),
    (count_vectorizer, ["word", "binary"]),
])
def test_unknown_preset_lists_the_presets(build, presets):
    with pytest.raises(InvalidParameterError,
                       match=f"'preset' parameter of {build.__name__} must be a str among "
                             r"\{.*\}\. Got 'bigram' instead") as error:
        build("bigram")
    listed = str(error.value).split("{")[1].split("}")[0]
    assert sorted(listed.split(", ")) == sorted(repr(preset) for preset in presets)


def test_unknown_parameter_is_an_error():
    with pytest.raises(ValueError, match="min_dff"):
        tfidf_vectorizer("word", min_dff=2)
    with pytest.raises(ValueError, match="min_dff"):
        tfidf_vectorizer("word+char", min_dff=2)


def test_word_and_char_union_is_both_side_by_side(questions):
    union = tfidf_vectorizer("word+char")
    features = union.fit_transform(questions)
    word = tfidf_vectorizer("word").fit_transform(questions)
    char = tfidf_vectorizer("char").fit_transform(questions)
    assert features.shape == (len(questions), word.shape[1] + char.shape[1])
    assert (features[:, :word.shape[1]] != word).nnz == 0
    assert (features[:, word.shape[1]:] != char).nnz == 0
    names = union.get_feature_names_out()
    assert names[0].startswith("word__") and names[-1].startswith("char__")


def test_union_overrides_reach_one_part_or_both():
    union = tfidf_vectorizer("word+char", min_df=1, char__ngram_range=(3, 3))
    params = union.get_params()
    assert params["word__min_df"] == params["char__min_df"] == 1
    assert params["char__ngram_range"] == (3, 3)
    assert params["word__ngram_range"] == (1, 2)
