import numpy as np
import pytest
from gensim.test.utils import datapath

from textclf.features import load_embeddings, load_embeddings_for

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
