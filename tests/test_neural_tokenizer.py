import numpy as np
import pytest

from textclf.models.neural import SequenceTokenizer
from textclf.models.neural._tokenizer import FIRST_WORD_ID, OOV_ID, PADDING_ID


def test_vocabulary_is_ordered_by_frequency_then_first_occurrence_and_capped():
    texts = ["b a c", "a b", "a d", "e"]
    tokenizer = SequenceTokenizer(max_features=3).fit(texts)
    # a: 3, b: 2, then c, d, e once each in order of first occurrence; cap at 3 words.
    assert tokenizer.words_ == ["a", "b", "c"]
    assert tokenizer.word_index() == {"a": 2, "b": 3, "c": 4}
    assert tokenizer.vocabulary_size == 3 + FIRST_WORD_ID


def test_unknown_words_share_the_oov_id_and_padding_is_never_a_word():
    tokenizer = SequenceTokenizer(max_features=2).fit(["a a b b c", "a"])
    sequences = tokenizer.transform(["a zzz b", "", "c"])
    assert sequences.row(0).tolist() == [2, OOV_ID, 3]
    assert sequences.row(1).tolist() == []
    assert sequences.row(2).tolist() == [OOV_ID]  # c fell outside max_features
    assert PADDING_ID not in sequences.ids


@pytest.mark.parametrize("truncating, kept", [("pre", ["c", "d", "e"]), ("post", ["a", "b", "c"])])
def test_long_texts_are_cut_at_max_len_from_the_chosen_end(truncating, kept):
    tokenizer = SequenceTokenizer(max_len=3, truncating=truncating).fit(["a b c d e"])
    sequences = tokenizer.transform(["a b c d e", "a b"])
    index = tokenizer.word_index()
    assert sequences.row(0).tolist() == [index[w] for w in kept]
    assert sequences.lengths.tolist() == [3, 2]


def test_padded_matrix_is_right_padded_to_the_longest_row():
    tokenizer = SequenceTokenizer().fit(["a b c", "a"])
    sequences = tokenizer.transform(["a b c", "a", ""])
    matrix = sequences.padded()
    assert matrix.dtype == np.int32
    assert matrix.tolist() == [[2, 3, 4], [2, 0, 0], [0, 0, 0]]
    assert sequences.padded(np.array([1, 2])).tolist() == [[2], [0]]
    assert sequences.padded(np.array([0]), width=5).tolist() == [[2, 3, 4, 0, 0]]


def test_missing_texts_are_empty_and_case_is_kept():
    tokenizer = SequenceTokenizer().fit(["Why why ?", None])
    assert tokenizer.words_ == ["Why", "why", "?"]
    assert tokenizer.transform([None, float("nan")]).lengths.tolist() == [0, 0]


def test_from_words_restores_a_vocabulary_and_tokenizer_pickles():
    import pickle

    fitted = SequenceTokenizer(max_len=4).fit(["x y z", "y"])
    restored = SequenceTokenizer.from_words(fitted.words_, max_len=4)
    again = pickle.loads(pickle.dumps(fitted))
    texts = ["z y q x", "y y y y y"]
    for other in (restored, again):
        assert other.transform(texts).padded().tolist() == fitted.transform(texts).padded().tolist()


@pytest.mark.parametrize("params, message", [
    ({"max_features": 0}, "max_features"), ({"max_len": 0}, "max_len"),
    ({"max_len": True}, "'max_len' parameter"), ({"truncating": "middle"}, "truncating")])
def test_invalid_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        SequenceTokenizer(**params)


def test_any_integer_is_a_length():
    tokenizer = SequenceTokenizer(max_features=np.int64(5), max_len=np.int32(2)).fit(["a b c"])
    assert tokenizer.transform(["a b c"]).padded().shape == (1, 2)


def test_transform_before_fit_says_so():
    with pytest.raises(ValueError, match="not fitted"):
        SequenceTokenizer().transform(["a"])


def test_unknown_tokens_take_the_id_of_a_fallback_spelling_in_the_vocabulary():
    tokenizer = SequenceTokenizer(fallbacks=("lower", "title")).fit(["paris is Big"])
    index = tokenizer.word_index()
    sequences = tokenizer.transform(["Paris IS big zzz", "PARIS"])
    assert sequences.row(0).tolist() == [index["paris"], index["is"], index["Big"], OOV_ID]
    assert sequences.row(1).tolist() == [index["paris"]]
    # Without fallbacks only exact spellings count.
    exact = SequenceTokenizer().fit(["paris is Big"])
    assert exact.transform(["Paris"]).row(0).tolist() == [OOV_ID]


def test_added_words_take_the_next_ids_and_keep_the_others():
    import pickle

    tokenizer = SequenceTokenizer(fallbacks=("lower",)).fit(["b a", "a"])
    before = tokenizer.transform(["a b"]).row(0).tolist()
    assert tokenizer.add_words(["c", "a", "d", "c"]) == ["c", "d"]
    assert tokenizer.words_ == ["a", "b", "c", "d"]
    assert tokenizer.transform(["a b"]).row(0).tolist() == before
    assert tokenizer.transform(["D c"]).row(0).tolist() == [5, 4]
    restored = pickle.loads(pickle.dumps(tokenizer))
    assert restored.fallbacks == ("lower",)
    assert restored.transform(["D c"]).row(0).tolist() == [5, 4]
