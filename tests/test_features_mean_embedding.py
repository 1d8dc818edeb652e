import math
import pickle

import numpy as np
import pandas as pd
import pytest
from gensim.models import KeyedVectors
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline

from textclf.data import load_dataset
from textclf.embeddings import _sources, default_embeddings
from textclf.features import MeanEmbedding, _mean_embedding
from textclf.text import EmbeddingNormalizer

A, B, C, D, E = [1, 0, 0], [0, 2, 0], [0, 0, 3], [1, 1, 1], [2, 2, 2]


@pytest.fixture(scope="module")
def vectors():
    """Five 3-d vectors; "e" is in the embeddings but in none of the training texts."""
    keyed = KeyedVectors(vector_size=3)
    keyed.add_vectors(["a", "b", "c", "d", "e"], np.array([A, B, C, D, E], dtype=np.float32))
    return keyed


def mean_embedding(vectors, **params):
    return MeanEmbedding(embeddings=vectors, **params)


def test_mean_max_and_min_computed_by_hand(vectors):
    texts = ["a b", "c c d"]
    features = mean_embedding(vectors, pooling=("mean", "max", "min")).fit_transform(texts)
    assert features.dtype == np.float32 and features.shape == (2, 9)
    np.testing.assert_allclose(features, [
        # mean              max        min
        [0.5, 1, 0, 1, 2, 0, 0, 0, 0],
        [1 / 3, 1 / 3, 7 / 3, 1, 1, 3, 0, 0, 1],
    ], rtol=1e-6)


def test_feature_names_follow_the_pooling_order(vectors):
    fitted = mean_embedding(vectors, pooling=("max", "mean")).fit(["a"])
    assert list(fitted.get_feature_names_out()) == [
        "max_0", "max_1", "max_2", "mean_0", "mean_1", "mean_2"]
    assert list(mean_embedding(vectors, pooling="min").fit(["a"]).get_feature_names_out()) == [
        "min_0", "min_1", "min_2"]


def test_tfidf_weighted_mean_computed_by_hand(vectors):
    train = ["a b", "a c", "c d"]
    fitted = mean_embedding(vectors, weighting="tfidf").fit(train)
    # Smoothed IDF over 3 texts: a and c in 2 texts, b and d in 1.
    idf_common, idf_rare = math.log(4 / 3) + 1, math.log(4 / 2) + 1
    idf_unseen = math.log(4) + 1  # "e" is in no training text
    expected = [
        (idf_common * np.array(A) + idf_rare * np.array(B)) / (idf_common + idf_rare),
        (2 * idf_common * np.array(C) + idf_rare * np.array(D)) / (2 * idf_common + idf_rare),
        (idf_common * np.array(A) + idf_unseen * np.array(E)) / (idf_common + idf_unseen),
    ]
    np.testing.assert_allclose(fitted.transform(["a b", "c c d", "a e"]), expected, rtol=1e-6)


def test_idf_matches_scikit_learns_tfidf_vectorizer(vectors):
    train = ["a b", "a c", "c d", "a a e", ""]
    state = mean_embedding(vectors, weighting="tfidf").fit(train).column_states_[0]
    reference = TfidfVectorizer(token_pattern=r"\S+", lowercase=False).fit(train)
    ours = dict(zip(state.words.to_pylist(), state.idf))
    assert ours == pytest.approx(dict(zip(reference.get_feature_names_out(), reference.idf_)))


def test_max_pooling_ignores_weights(vectors):
    train = ["a b", "a c", "c d"]
    plain = mean_embedding(vectors, pooling="max").fit(train).transform(["a b d"])
    weighted = mean_embedding(vectors, pooling="max", weighting="tfidf").fit(train)
    np.testing.assert_array_equal(weighted.transform(["a b d"]), plain)
    np.testing.assert_array_equal(plain, [[1, 2, 1]])


def test_texts_without_a_known_word_are_zeros(vectors):
    fitted = mean_embedding(vectors, pooling=("mean", "max", "min"),
                            weighting="tfidf").fit(["a b", "zzz"])
    features = fitted.transform(["", None, "zzz", "qqq   www", "a"])
    np.testing.assert_array_equal(features[:4], np.zeros((4, 9)))
    np.testing.assert_array_equal(features[4], A * 3)


def test_unknown_words_do_not_dilute_the_mean(vectors):
    fitted = mean_embedding(vectors).fit(["a zzz zzz"])
    np.testing.assert_array_equal(fitted.transform(["a zzz", "zzz b"]), [A, B])


def test_words_unseen_in_fit_get_their_vectors_at_transform(vectors):
    fitted = mean_embedding(vectors).fit(["a"])
    # "e" and, through the lower-case fallback, "E" were not in the training texts.
    np.testing.assert_array_equal(fitted.transform(["e", "E a", "unknown"]),
                                  [E, [1.5, 1, 1], [0, 0, 0]])
    exact = mean_embedding(vectors, fallbacks=()).fit(["a"])
    np.testing.assert_array_equal(exact.transform(["E"]), [[0, 0, 0]])


def test_fallbacks_apply_to_training_words(vectors):
    fitted = mean_embedding(vectors, fallbacks=("lower",)).fit(["A B", "Bs"])
    np.testing.assert_array_equal(fitted.transform(["A B"]), [[0.5, 1, 0]])
    coverage = fitted.coverage_[0]
    assert (coverage.vocabulary_size, coverage.covered_words) == (3, 2)
    assert coverage.rescued_by == {"lower": 2}
    assert coverage.top_missing == [("Bs", 1)]


def test_long_inputs_are_pooled_in_chunks_with_the_same_result(vectors, monkeypatch):
    rng = np.random.default_rng(0)
    words = np.array(["a", "b", "c", "d", "e", "zzz"])
    texts = [" ".join(rng.choice(words, size=rng.integers(0, 8))) for _ in range(300)]
    model = mean_embedding(vectors, pooling=("mean", "max", "min"), weighting="tfidf")
    whole = model.fit(texts).transform(texts)
    monkeypatch.setattr(_mean_embedding, "_ELEMENTS_AT_ONCE", 7)  # two tokens at a time
    np.testing.assert_allclose(model.transform(texts), whole, rtol=1e-6)
    for text, row in zip(texts[:30], whole):
        known = [vectors[w] for w in text.split() if w in vectors]
        expected = np.max(known, axis=0) if known else np.zeros(3)
        np.testing.assert_array_equal(row[3:6], expected)


def test_output_is_deterministic_and_independent_of_row_order(vectors):
    texts = ["a b", "c c d", "", "e zzz", "b"]
    model = mean_embedding(vectors, weighting="tfidf", pooling=("mean", "max"))
    first = model.fit_transform(texts)
    np.testing.assert_array_equal(clone(model).fit(texts).transform(texts), first)
    order = [4, 2, 0, 3, 1]
    np.testing.assert_array_equal(model.transform([texts[i] for i in order]), first[order])


def test_each_column_of_a_table_gets_its_own_features(vectors):
    table = pd.DataFrame({"title": ["a", "b"], "body": ["c", ""]})
    fitted = mean_embedding(vectors).fit(table)
    np.testing.assert_array_equal(fitted.transform(table), [A + C, B + [0, 0, 0]])
    assert list(fitted.get_feature_names_out()) == [
        "title__mean_0", "title__mean_1", "title__mean_2",
        "body__mean_0", "body__mean_1", "body__mean_2"]


def test_pickle_round_trip(vectors):
    fitted = mean_embedding(vectors, weighting="tfidf", pooling=("mean", "min")).fit(
        ["a b", "c d"])
    restored = pickle.loads(pickle.dumps(fitted))
    texts = ["a b", "e", "", "zzz c"]
    np.testing.assert_array_equal(restored.transform(texts), fitted.transform(texts))


def test_clones_share_the_embeddings_instead_of_copying_them(vectors):
    model = mean_embedding(vectors, weighting="tfidf").fit(["a"])
    copied = clone(model)
    assert copied.embeddings is vectors
    assert copied.get_params()["weighting"] == "tfidf"
    assert not hasattr(copied, "column_states_")
    assert clone(MeanEmbedding()).embeddings == "default"


def test_embeddings_from_a_file(vectors, write_file, monkeypatch):
    path = write_file("tiny.glove.txt", "paris 1 0 0\ncity 0 1 0\nlondon 0 0 1\n")
    asked_for = []
    load = _sources.load_embeddings

    def recording_load(path, vocabulary=None, **options):
        asked_for.append(set(vocabulary))
        return load(path, vocabulary=vocabulary, **options)

    monkeypatch.setattr(_sources, "load_embeddings", recording_load)
    fitted = MeanEmbedding(embeddings=str(path)).fit(["Paris cities"])
    # Only the spellings the training words can use are read: theirs and the fallbacks'.
    assert {"Paris", "paris", "cities", "city"} <= asked_for[0]
    assert "london" not in asked_for[0]
    np.testing.assert_array_equal(fitted.transform(["Paris cities"]), [[0.5, 0.5, 0]])
    # A word fit did not see sends transform back to the file; seen words do not.
    np.testing.assert_array_equal(fitted.transform(["London"]), [[0, 0, 1]])
    assert len(asked_for) == 2
    fitted.transform(["paris"])  # not seen in fit either: lower-case "Paris" was
    fitted.transform(["Paris"])
    assert len(asked_for) == 3


@pytest.mark.parametrize("params, message", [
    ({"pooling": "median"}, "'pooling' parameter of MeanEmbedding must be a str among"),
    ({"pooling": ()}, "pooling is empty"),
    ({"pooling": ("mean", "mean")}, r"pooling lists \['mean'\] more than once"),
    ({"weighting": "bm25"}, "'weighting' parameter of MeanEmbedding must be"),
    ({"fallbacks": ("stem",)}, r"fallbacks names unknown \['stem'\]"),
    ({"embeddings": 3}, "embeddings must be"),
])
def test_invalid_parameters_are_rejected(params, message):
    with pytest.raises(ValueError, match=message):
        MeanEmbedding(**params).fit(["a"])


def test_tfidf_weighting_needs_a_fit_with_it(vectors):
    fitted = mean_embedding(vectors).fit(["a"])
    fitted.set_params(weighting="tfidf")
    with pytest.raises(ValueError, match="fit it again"):
        fitted.transform(["a"])


def test_default_glove_on_real_texts():
    glove = default_embeddings()
    texts = ["Why is the sky blue?", "How do I learn Python in 2018?", ""]
    features = make_pipeline(EmbeddingNormalizer(min_masked_digits=None),
                             MeanEmbedding()).fit_transform(texts)
    assert features.shape == (3, 50) and features.dtype == np.float32
    # GloVe 6B is lower-case: "Why", "How", "I", "Python" are found by the lower-case step.
    expected = np.mean([glove[w] for w in ["why", "is", "the", "sky", "blue", "?"]], axis=0)
    np.testing.assert_allclose(features[0], expected, rtol=1e-5, atol=1e-6)
    words = ["how", "do", "i", "learn", "python", "in", "2018", "?"]
    expected = np.mean([glove[w] for w in words], axis=0)
    np.testing.assert_allclose(features[1], expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(features[2], np.zeros(50))


def test_in_a_pipeline_with_logistic_regression():
    data = load_dataset("sms_spam")
    train, test = data.iloc[:3000], data.iloc[3000:]
    model = make_pipeline(EmbeddingNormalizer(),
                          MeanEmbedding(weighting="tfidf", pooling=("mean", "max")),
                          LogisticRegression(max_iter=1000))
    model.fit(train["question_text"], train["target"])
    scores = model.predict_proba(test["question_text"])[:, 1]
    assert roc_auc_score(test["target"], scores) > 0.9
