import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from textclf.data import load_dataset
from textclf.features import MetaFeatures, cache_features, tfidf_vectorizer
from textclf.models import oof_predict
from textclf.text import TextCleaner


@pytest.fixture(scope="module")
def sample():
    data = load_dataset("sms_spam").head(600)
    return data["question_text"], data["target"].to_numpy()


def tfidf_lr():
    return make_pipeline(TextCleaner(), tfidf_vectorizer("word"), LogisticRegression())


def test_every_nested_pipeline_gets_the_cache_and_the_original_is_left_alone(tmp_path):
    model = make_pipeline(make_union(MetaFeatures(), make_pipeline(TextCleaner(),
                                                                   tfidf_vectorizer("word"))),
                          StandardScaler(with_mean=False), LogisticRegression())
    cached = cache_features(model, tmp_path / "cache")
    pipelines = [cached] + [value for value in cached.get_params().values()
                            if isinstance(value, Pipeline)]
    assert len(pipelines) == 2
    assert all(pipeline.memory.location == str(tmp_path / "cache") for pipeline in pipelines)
    assert model.memory is None and cache_features(model, None).memory is None


def test_a_rerun_reuses_the_fitted_features_of_every_fold(tmp_path, sample, monkeypatch):
    texts, y = sample
    first = oof_predict(cache_features(tfidf_lr(), tmp_path), texts, y, n_splits=3)

    def refit(*args, **kwargs):
        raise AssertionError("the cleaner was fitted again despite the cache")

    # A hit loads each fold's fitted cleaner and its output: nothing is fitted twice.
    monkeypatch.setattr(TextCleaner, "fit", refit)
    monkeypatch.setattr(TextCleaner, "fit_transform", refit)
    again = oof_predict(cache_features(tfidf_lr(), tmp_path), texts, y, n_splits=3)
    np.testing.assert_array_equal(again.oof, first.oof)


def test_changed_parameters_or_data_miss_and_a_deleted_cache_is_rebuilt(tmp_path, sample):
    import shutil

    texts, y = sample
    plain = oof_predict(tfidf_lr(), texts, y, n_splits=3)
    cached = oof_predict(cache_features(tfidf_lr(), tmp_path), texts, y, n_splits=3)
    np.testing.assert_array_equal(cached.oof, plain.oof)
    other = tfidf_lr().set_params(textcleaner__stop_words=None)
    uncached_other = oof_predict(other, texts, y, n_splits=3)
    cached_other = oof_predict(cache_features(other, tmp_path), texts, y, n_splits=3)
    np.testing.assert_array_equal(cached_other.oof, uncached_other.oof)
    assert not np.array_equal(cached_other.oof, plain.oof)
    shutil.rmtree(tmp_path)
    rebuilt = oof_predict(cache_features(tfidf_lr(), tmp_path), texts, y, n_splits=3)
    np.testing.assert_array_equal(rebuilt.oof, plain.oof)


def test_an_estimator_without_a_pipeline_is_refused(tmp_path):
    with pytest.raises(TypeError, match="holds no Pipeline"):
        cache_features(LogisticRegression(), tmp_path)


def test_code_that_caches_what_it_can_gets_a_plain_clone_back(tmp_path):
    model = LogisticRegression(C=3.0)
    cached = cache_features(model, tmp_path, require_pipeline=False)
    assert cached is not model and cached.get_params() == model.get_params()
