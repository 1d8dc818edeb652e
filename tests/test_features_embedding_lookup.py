import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from gensim.models import KeyedVectors

from textclf.features import _embedding_lookup as lookup
from textclf.features import embedding_coverage
from textclf.features._embedding_lookup import (
    FALLBACKS,
    EmbeddingCoverage,
    candidate_spellings,
    resolve_words,
    split_tokens,
)


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
    (("lower", "stem"), ValueError, "unknown fallback"),
    (("lower", "lower"), ValueError, "twice"),
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


def test_tokens_are_split_like_str_split():
    texts = ["  Why\u00a0is\tthe sky  blue ? ", "", "one", "a\u2003b\x1cc"]
    tokens, text_of_token = split_tokens(pa.array(texts, type=pa.large_string()))
    expected = [(i, token) for i, text in enumerate(texts) for token in text.split()]
    assert list(zip(text_of_token.tolist(), tokens.to_pylist())) == expected


# --- coverage -------------------------------------------------------------------------------

TEXTS = ["The cat sat", "the cat", "", None, "Dogs sat sat"]
VOCABULARY = {"the", "cat", "dog"}


def test_coverage_numbers_computed_by_hand():
    report = embedding_coverage(TEXTS, VOCABULARY)
    # Tokens: The cat sat the cat Dogs sat sat (8); distinct: The cat sat the Dogs (5).
    # Found: "the" and "cat" as they are, "The" by lower case, "Dogs" by Porter ("dog").
    assert (report.vocabulary_size, report.n_tokens) == (5, 8)
    assert (report.covered_words, report.covered_tokens) == (4, 5)
    assert report.vocabulary_coverage == pytest.approx(4 / 5)
    assert report.token_coverage == pytest.approx(5 / 8)
    assert report.found_as_is == 2
    assert report.rescued_by == {"lower": 1, "upper": 0, "title": 0, "porter": 1,
                                 "lancaster": 0, "snowball": 0, "lemma": 0}
    assert report.top_missing == [("sat", 3)]


def test_coverage_without_fallbacks():
    report = embedding_coverage(pd.Series(TEXTS), VOCABULARY, fallbacks=())
    assert (report.covered_words, report.covered_tokens) == (2, 3)
    assert report.rescued_by == {}
    assert report.top_missing == [("sat", 3), ("Dogs", 1), ("The", 1)]


def test_top_missing_is_by_count_then_alphabetical_and_limited():
    texts = ["b a c c", "d d d b"]
    report = embedding_coverage(texts, set(), top=3)
    assert report.top_missing == [("d", 3), ("b", 2), ("c", 2)]
    assert embedding_coverage(texts, set(), top=0).top_missing == []


def test_coverage_report_reads_as_markdown():
    text = str(embedding_coverage(TEXTS, VOCABULARY))
    assert text.startswith("Embedding coverage: 80.00% of 5 distinct words, 62.50% of 8 tokens")
    assert "| porter | 1 |" in text
    assert "| (missing) | 1 |" in text
    assert "| `sat` | 3 |" in text
    assert embedding_coverage(["a|b"], set()).to_markdown().endswith("| `a\\|b` | 1 |")


def test_coverage_of_no_words_is_undefined():
    report = embedding_coverage(["", None], VOCABULARY)
    assert isinstance(report, EmbeddingCoverage)
    assert report.vocabulary_size == report.n_tokens == 0
    assert math.isnan(report.vocabulary_coverage) and math.isnan(report.token_coverage)
    assert "n/a of 0 distinct words" in report.to_markdown()


def test_coverage_rejects_bad_arguments():
    with pytest.raises(ValueError, match="top must be"):
        embedding_coverage(TEXTS, VOCABULARY, top=-1)
    with pytest.raises(ValueError, match="one column"):
        embedding_coverage(pd.DataFrame({"a": ["x"], "b": ["y"]}), VOCABULARY)
    with pytest.raises(ValueError, match="unknown fallback"):
        embedding_coverage(TEXTS, VOCABULARY, fallbacks=("stem",))


def test_coverage_of_an_arrow_column():
    texts = pa.chunked_array([["The cat sat"], ["the cat", None], ["", "Dogs sat sat"]])
    assert embedding_coverage(texts, VOCABULARY) == embedding_coverage(TEXTS, VOCABULARY)
