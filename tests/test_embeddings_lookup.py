import numpy as np
import pyarrow as pa
import pytest
from gensim.models import KeyedVectors

from textclf.embeddings import FALLBACKS, candidate_spellings, resolve_words
from textclf.embeddings import _lookup as lookup


@pytest.mark.parametrize("word, vocabulary, key", [
    ("Paris", {"paris"}, "paris"),            # lower
    ("nasa", {"NASA"}, "NASA"),               # upper
    ("PARIS", {"Paris"}, "Paris"),            # title
    ("Running", {"run"}, "run"),              # Porter stem
    ("maximum", {"maxim"}, "maxim"),          # Lancaster stem (Porter keeps "maximum")
    ("generously", {"generous"}, "generous"),  # Snowball stem (Porter "gener", Lancaster "gen")
    ("Geese", {"goose"}, "goose"),            # WordNet lemma of the lower-cased word
])
def test_each_fallback_finds_what_the_earlier_steps_miss(word, vocabulary, key):
    assert resolve_words([word], vocabulary) == {word: key}


def test_the_word_as_it_is_comes_first_then_the_fallbacks_in_order():
    vocabulary = {"PARIS", "paris", "Paris"}
    assert resolve_words(["PARIS", "Paris", "pARIS"], vocabulary) == {
        "PARIS": "PARIS", "Paris": "Paris", "pARIS": "paris"}
    # Porter makes "gees" of "geese", the lemma "goose": the earlier step wins.
    assert resolve_words(["geese"], {"gees", "goose"}, ("porter", "lemma")) == {
        "geese": "gees"}
    assert resolve_words(["geese"], {"gees", "goose"}, ("lemma", "porter")) == {
        "geese": "goose"}


def test_no_fallbacks_means_exact_spellings_only():
    assert resolve_words(["Paris", "paris", "cities"], {"paris", "city"}, fallbacks=()) == {
        "Paris": None, "paris": "paris", "cities": None}


def test_unknown_words_resolve_to_none():
    assert resolve_words(["qwzx", "QWZX"], {"paris"}) == {"qwzx": None, "QWZX": None}


def test_each_distinct_word_is_resolved_once(monkeypatch):
    seen_by_step = {}

    def recording(step):
        original = lookup.FALLBACK_SPELLINGS[step]

        def spell(words):
            seen_by_step.setdefault(step, []).extend(words)
            return original(words)
        return spell

    for step in FALLBACKS:
        monkeypatch.setitem(lookup.FALLBACK_SPELLINGS, step, recording(step))
    words = ["Running"] * 50 + ["the"] * 100 + ["The"] * 20 + ["qwzx"] * 10
    resolved = resolve_words(words, {"the", "run"})
    assert resolved == {"Running": "run", "the": "the", "The": "the", "qwzx": None}
    # Each step sees each word still unresolved once, and never a word already found.
    assert seen_by_step["lower"] == ["Running", "The", "qwzx"]
    assert seen_by_step["upper"] == ["Running", "qwzx"]
    assert seen_by_step["porter"] == ["Running", "qwzx"]
    assert seen_by_step["lancaster"] == ["qwzx"]
    assert seen_by_step["lemma"] == ["qwzx"]


def test_keyed_vectors_and_arrow_arrays_are_accepted():
    vectors = KeyedVectors(vector_size=2)
    vectors.add_vectors(["paris", "city"], np.ones((2, 2), dtype=np.float32))
    words = pa.array(["Paris", "cities", "Paris"], type=pa.large_string())
    assert resolve_words(words, vectors) == {"Paris": "paris", "cities": "city"}


@pytest.mark.parametrize("fallbacks, error, message", [
    (("lower", "stem"), ValueError, r"fallbacks names unknown \['stem'\]"),
    (("lower", "lower"), ValueError, r"fallbacks lists \['lower'\] more than once"),
    ("lower", TypeError, "sequence of step names"),
    (None, TypeError, "sequence of step names"),
])
def test_invalid_fallbacks_are_rejected(fallbacks, error, message):
    with pytest.raises(error, match=message):
        resolve_words(["Paris"], {"paris"}, fallbacks)


def test_candidate_spellings_hold_every_spelling_the_fallbacks_try():
    spellings = candidate_spellings(["Geese", "Geese"], ("lower", "porter", "lemma"))
    assert spellings == {"Geese", "geese", "gees", "goose"}
    assert candidate_spellings(["Geese"], ()) == {"Geese"}
