import pickle

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils._param_validation import InvalidParameterError

from textclf.data import load_dataset
from textclf.text import EmbeddingNormalizer
from textclf.text import _embedding_normalizer as module


def normalize(text, **params):
    return EmbeddingNormalizer(**params).fit_transform([text])[0]


@pytest.mark.parametrize("text, expected", [
    ("Don't you know?", "Do not you know ?"),
    ("It's 2018", "It is 2018"),
    ("I can't, WON'T and shan't", "I cannot , WILL NOT and shall not"),
    ("It's what they're doing; I'm sure we'd've",
     "It is what they are doing ; I am sure we would have"),
    ("Let's go, y'all", "Let us go , you all"),
    ("John's dog", "John ' s dog"),
    ("Don\u2019t \u201cquote\u201d me\u2026", 'Do not " quote " me . . .'),
])
def test_contractions_quotes_and_punctuation(text, expected):
    assert normalize(text) == expected


def test_case_is_kept_and_punctuation_split_off():
    assert normalize("Why is NASA's budget so HIGH?!") == "Why is NASA ' s budget so HIGH ? !"


def test_digit_runs_become_hashes():
    assert normalize("In 2018, 5 of 120 users paid $1000", min_masked_digits=2) == \
        "In #### , 5 of ### users paid $ ####"
    assert normalize("In 2018, 5 of 120", min_masked_digits=4) == "In #### , 5 of 120"
    assert normalize("In 2018") == "In 2018"


def test_misspellings_are_fixed_whole_words_only_keeping_case():
    assert normalize("Qoura users and QOURA, but not Qouraish") == \
        "Quora users and QUORA , but not Qouraish"
    assert normalize("howdo I recieve it") == "how do I receive it"
    assert normalize("my colour", misspellings={"colour": "color"}) == "my color"
    assert normalize("Qoura", fix_misspellings=False) == "Qoura"


def test_switches_turn_steps_off():
    text = "Don't stop?"
    assert normalize(text, expand_contractions=False) == "Don ' t stop ?"
    assert normalize(text, isolate_punctuation=False) == "Do not stop?"


@pytest.mark.parametrize("params, message", [
    ({"min_masked_digits": 0},
     (r"'min_masked_digits' parameter of EmbeddingNormalizer must be an int in the range "
      r"\[1, inf\) \(not a bool\) or None")),
    ({"misspellings": ["a", "b"]},
     ("'misspellings' parameter of EmbeddingNormalizer must be an instance of "
      "'collections.abc.Mapping'")),
])
def test_invalid_parameters_are_explained(params, message):
    with pytest.raises(InvalidParameterError, match=message):
        EmbeddingNormalizer(**params).fit_transform(["text"])
    # Stateless, so transform checks them as well when it comes without fit.
    with pytest.raises(InvalidParameterError, match=message):
        EmbeddingNormalizer(**params).transform(["text"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=300),
                          st.text(alphabet="Don't 12345?!’ Qoura", max_size=100)), max_size=20))
def test_one_normalised_string_per_input_and_idempotent(texts):
    normalizer = EmbeddingNormalizer(min_masked_digits=2)
    once = normalizer.fit_transform(texts).tolist()
    assert len(once) == len(texts)
    assert all(text == " ".join(text.split()) for text in once)
    assert normalizer.fit_transform(once).tolist() == once


def test_each_distinct_text_is_normalised_once(monkeypatch):
    calls = []
    original = module.EmbeddingNormalizer._normalize_text

    def counting(self, text, corrections):
        calls.append(text)
        return original(self, text, corrections)

    monkeypatch.setattr(module.EmbeddingNormalizer, "_normalize_text", counting)
    output = EmbeddingNormalizer().fit_transform(["Why?", "How?", "Why?", None, "Why?"])
    assert output.tolist() == ["Why ?", "How ?", "Why ?", "", "Why ?"]
    assert sorted(calls) == ["", "How?", "Why?"]


def test_series_in_series_out_and_pickle_round_trip():
    texts = load_dataset("sms_spam")["question_text"].head(200)
    normalizer = EmbeddingNormalizer(misspellings={"wkly": "weekly"}).fit(texts)
    restored = pickle.loads(pickle.dumps(normalizer))
    output = restored.transform(texts)
    assert isinstance(output, pd.Series) and output.index.equals(texts.index)
    assert output.tolist() == normalizer.transform(texts).tolist()
    assert "weekly" in " ".join(output)


def test_row_order_and_subsets_do_not_change_a_rows_output():
    texts = load_dataset("sms_spam")["question_text"].head(300)
    full = EmbeddingNormalizer().fit_transform(texts)
    assert EmbeddingNormalizer().fit_transform(texts[::-1])[::-1].tolist() == full.tolist()
    assert EmbeddingNormalizer().fit_transform(texts[50:90]).tolist() == full[50:90].tolist()
