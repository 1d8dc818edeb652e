import pickle
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from textclf._text_input import split_words
from textclf.data import load_dataset
from textclf.features import LdaTopics
from textclf.features._lda import _bags_of_words
from textclf.text import TextCleaner

SPORTS = ["football", "goal", "match", "team", "player", "score", "league", "coach", "stadium",
          "referee"]
COOKING = ["recipe", "oven", "flour", "butter", "sugar", "bake", "dough", "sauce", "garlic",
           "onion"]


def two_subject_corpus(n_per_subject: int = 30, words_per_text: int = 6, seed: int = 0):
    """Texts about sports, then texts about cooking, with no word in common."""
    rng = random.Random(seed)
    texts = [" ".join(rng.choices(words, k=words_per_text))
             for words in (SPORTS, COOKING) for _ in range(n_per_subject)]
    labels = np.repeat(["sports", "cooking"], n_per_subject)
    return texts, labels


@pytest.fixture(scope="module")
def corpus():
    return two_subject_corpus()


@pytest.fixture(scope="module")
def fitted(corpus):
    texts, _ = corpus
    return LdaTopics(n_topics=2, passes=10, no_below=1, random_state=0).fit(texts)


@pytest.fixture(scope="module")
def sms_texts():
    """Real short texts, cleaned as LdaTopics expects them."""
    return TextCleaner().fit_transform(load_dataset("sms_spam")["question_text"])


def small_lda(**params):
    return LdaTopics(**{"n_topics": 3, "passes": 2, "no_below": 1, "random_state": 0,
                        **params})


def test_rows_are_topic_distributions(fitted, corpus):
    texts, _ = corpus
    topics = fitted.transform(texts)
    assert topics.shape == (len(texts), 2)
    assert np.all(topics >= 0)
    np.testing.assert_allclose(topics.sum(axis=1), 1.0)
    assert list(fitted.get_feature_names_out()) == ["topic_0", "topic_1"]


def test_top_words_separate_the_two_subjects(fitted):
    top = fitted.top_words(n=5)
    assert top.shape == (2, 5)
    assert list(top.index) == ["topic_0", "topic_1"]
    subjects = []
    for words in top.itertuples(index=False):
        assert set(words) <= set(SPORTS) or set(words) <= set(COOKING)
        subjects.append(set(words) <= set(SPORTS))
    assert sorted(subjects) == [False, True]


def test_top_words_stops_at_the_vocabulary_size(fitted):
    assert fitted.top_words(n=50).shape == (2, len(SPORTS) + len(COOKING))
    for n in (0, True):
        with pytest.raises(InvalidParameterError,
                           match="'n' parameter of LdaTopics.top_words must be an int"):
            fitted.top_words(n=n)


def test_each_class_leans_to_its_own_topic(fitted, corpus):
    texts, labels = corpus
    by_class = fitted.topic_distribution_by_class(texts, labels)
    assert by_class.shape == (2, 2)
    assert list(by_class.index) == ["cooking", "sports"]
    assert by_class.index.name == "class"
    assert list(by_class.columns) == ["topic_0", "topic_1"]
    np.testing.assert_allclose(by_class.sum(axis=1), 1.0)
    assert by_class.max(axis=1).min() > 0.8
    assert by_class.idxmax(axis=1).nunique() == 2


def test_vectorised_inference_agrees_with_gensim(fitted, corpus):
    texts, _ = corpus
    model = fitted.models_[0]
    bags = _bags_of_words(split_words(pa.array(texts, pa.large_string())),
                          fitted.column_states_[0].words)
    gensim_topics = np.array([
        [weight for _, weight in model.get_document_topics(
            list(zip(bags[i].indices.tolist(), bags[i].data.tolist(), strict=True)),
            minimum_probability=0)]
        for i in range(len(texts))])
    np.testing.assert_allclose(fitted.transform(texts), gensim_topics, atol=1e-3)


def test_bags_of_words_count_known_words_only():
    token_lists = split_words(pa.array(["b a b", "", "zz a"], pa.large_string()))
    bags = _bags_of_words(token_lists, pa.array(["a", "b"], pa.large_string()))
    np.testing.assert_array_equal(bags.toarray(), [[1, 2], [0, 0], [1, 0]])


def test_texts_without_known_words_get_the_prior(fitted):
    topics = fitted.transform(["", None, "unseen words only", "   "])
    np.testing.assert_allclose(topics, 0.5)
    empty_bag = fitted.models_[0].get_document_topics([], minimum_probability=0)
    np.testing.assert_allclose(topics[0], [weight for _, weight in empty_bag])


def test_an_asymmetric_prior_is_what_empty_texts_get(corpus):
    texts, _ = corpus
    lda = small_lda(alpha="asymmetric").fit(texts)
    alpha = lda.models_[0].alpha
    np.testing.assert_allclose(lda.transform([""])[0], alpha / alpha.sum(), rtol=1e-6)
    assert not np.allclose(alpha, alpha[0])


def test_same_seed_same_topics_other_seed_other_topics():
    texts, _ = two_subject_corpus(words_per_text=3)
    first = small_lda(random_state=1).fit_transform(texts)
    np.testing.assert_array_equal(first, small_lda(random_state=1).fit_transform(texts))
    assert not np.allclose(first, small_lda(random_state=2).fit_transform(texts))


def test_random_state_instance_is_accepted(corpus):
    texts, _ = corpus
    rng = np.random.RandomState(0)
    topics = small_lda(random_state=rng).fit_transform(texts)
    np.testing.assert_allclose(topics.sum(axis=1), 1.0)


def test_a_text_gets_the_same_topics_in_any_batch(fitted, corpus):
    texts, _ = corpus
    topics = fitted.transform(texts)
    np.testing.assert_array_equal(fitted.transform(texts[::-1]), topics[::-1])
    np.testing.assert_array_equal(fitted.transform(texts[5:7]), topics[5:7])
    np.testing.assert_array_equal(fitted.transform(texts), topics)


def test_pickle_round_trip_gives_identical_topics(fitted, corpus):
    texts, _ = corpus
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(texts), fitted.transform(texts))
    assert restored.top_words(3).equals(fitted.top_words(3))


def test_one_model_per_column():
    texts, _ = two_subject_corpus()
    table = pd.DataFrame({"title": texts, "body": texts[::-1]})
    lda = small_lda(n_topics=2).fit(table)
    assert lda.transform(table).shape == (len(texts), 4)
    names = ["title__topic_0", "title__topic_1", "body__topic_0", "body__topic_1"]
    assert list(lda.get_feature_names_out()) == names
    assert list(lda.top_words(2).index) == names
    assert len(lda.models_) == 2


def test_series_name_does_not_prefix_a_single_column():
    texts, _ = two_subject_corpus()
    lda = small_lda().fit(pd.Series(texts, name="question_text"))
    assert list(lda.get_feature_names_out()) == ["topic_0", "topic_1", "topic_2"]


def test_filters_that_leave_no_word_name_the_parameters_to_relax():
    with pytest.raises(ValueError, match="no_below=5.*no_above=0.5.*Lower no_below"):
        LdaTopics().fit(["0.548813", "0.715189", "0.602763"])
    with pytest.raises(ValueError, match="n_samples=1"):
        LdaTopics(no_below=1).fit(["a single text"])


def test_texts_without_any_word_are_an_error():
    with pytest.raises(ValueError, match="no words.*expects cleaned text"):
        LdaTopics().fit(["", "  ", None])


def test_vocabulary_filters_are_gensims(corpus):
    texts, _ = corpus
    extra = texts + ["rare"]
    assert "rare" not in small_lda(no_below=2).fit(extra).models_[0].id2word.token2id
    assert len(small_lda(keep_n=4).fit(texts).models_[0].id2word) == 4


@pytest.mark.parametrize("params, message", [
    ({"n_topics": 0}, "n_topics"),
    ({"passes": 1.5}, "passes"),
    ({"no_below": -1}, "no_below"),
    ({"no_above": 0}, "no_above"),
    ({"no_above": 1.5}, "no_above"),
    ({"keep_n": 0}, "keep_n"),
    ({"max_docs": 0}, "max_docs"),
    ({"max_docs": -100}, "max_docs"),
    ({"max_docs": 1000.0}, "max_docs"),
    ({"max_docs": True}, "max_docs"),
    ({"n_topics": True}, "n_topics"),
    ({"no_above": True}, "no_above"),
    ({"alpha": [0.5, -0.5]}, "alpha"),
    ({"random_state": "seed"}, "random_state"),
    ({"n_jobs": True}, "n_jobs"),
    ({"alpha": "flat"}, "alpha"),
    ({"alpha": -1.0}, "alpha"),
    ({"eta": "asymmetric"}, "eta"),
    ({"n_jobs": 0}, "n_jobs"),
    ({"alpha": "auto", "n_jobs": 2}, "alpha='auto'"),
])
def test_invalid_parameters_are_rejected_at_fit(params, message):
    lda = LdaTopics(**params)
    with pytest.raises(ValueError, match=message):
        lda.fit(["some words", "other words"])


def test_max_docs_learns_from_a_sample_and_transforms_every_text(sms_texts):
    lda = LdaTopics(n_topics=3, passes=1, max_docs=300, random_state=0).fit(sms_texts)
    assert lda.n_docs_fitted_ == 300
    # The vocabulary is learned from the sample too, not only the topics.
    assert lda.models_[0].id2word.num_docs == 300
    topics = lda.transform(sms_texts)
    assert topics.shape == (len(sms_texts), 3)
    np.testing.assert_allclose(topics.sum(axis=1), 1.0)


def test_the_sample_is_seeded_by_random_state(sms_texts):
    def fit(seed):
        return LdaTopics(n_topics=3, passes=1, max_docs=300, random_state=seed).fit(sms_texts)

    first, again, other = fit(1), fit(1), fit(2)
    np.testing.assert_array_equal(first.transform(sms_texts), again.transform(sms_texts))
    assert first.models_[0].id2word.token2id == again.models_[0].id2word.token2id
    assert first.models_[0].id2word.token2id != other.models_[0].id2word.token2id
    assert not np.allclose(first.transform(sms_texts), other.transform(sms_texts))


def test_a_cap_of_at_least_the_texts_fits_on_all_of_them(sms_texts):
    texts = sms_texts[:500]
    uncapped = LdaTopics(n_topics=3, passes=1, max_docs=None, random_state=0).fit(texts)
    assert uncapped.n_docs_fitted_ == len(texts)
    expected = uncapped.transform(sms_texts)
    for max_docs in (len(texts), len(texts) + 1):
        capped = LdaTopics(n_topics=3, passes=1, max_docs=max_docs, random_state=0).fit(texts)
        assert capped.n_docs_fitted_ == len(texts)
        np.testing.assert_array_equal(capped.transform(sms_texts), expected)


def test_a_sample_too_small_for_the_vocabulary_filter_says_to_raise_max_docs(sms_texts):
    with pytest.raises(ValueError, match="sampled by max_docs=3.*raise max_docs"):
        LdaTopics(max_docs=3, random_state=0).fit(sms_texts)


def test_learned_priors(corpus):
    texts, _ = corpus
    lda = small_lda(alpha="auto", eta="auto").fit(texts)
    np.testing.assert_allclose(lda.transform(texts).sum(axis=1), 1.0)


def test_multicore_training(corpus):
    from gensim.models import LdaMulticore

    texts, _ = corpus
    lda = LdaTopics(n_topics=2, passes=10, no_below=1, random_state=0, n_jobs=2).fit(texts)
    assert isinstance(lda.models_[0], LdaMulticore)
    topics = lda.transform(texts)
    assert topics.shape == (len(texts), 2)
    np.testing.assert_allclose(topics.sum(axis=1), 1.0)


def test_in_a_pipeline_with_the_cleaner_and_a_classifier():
    data = load_dataset("sms_spam")
    train, test = data.iloc[:4000], data.iloc[4000:]
    model = make_pipeline(TextCleaner(), LdaTopics(n_topics=5, passes=2, random_state=0),
                          LogisticRegression())
    model.fit(train["question_text"], train["target"])
    spam_probability = model.predict_proba(test["question_text"])[:, 1]
    assert roc_auc_score(test["target"], spam_probability) > 0.6
    assert list(model[:-1].get_feature_names_out()) == [f"topic_{i}" for i in range(5)]
