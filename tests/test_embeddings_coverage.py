"""The coverage report: shares of words and tokens with a vector, what each fallback
rescued, the most frequent missing words."""

import math

import pandas as pd
import pyarrow as pa
import pytest

from textclf.embeddings import EmbeddingCoverage, embedding_coverage

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
    with pytest.raises(ValueError, match="'top' parameter"):
        embedding_coverage(TEXTS, VOCABULARY, top=-1)
    with pytest.raises(ValueError, match="one column"):
        embedding_coverage(pd.DataFrame({"a": ["x"], "b": ["y"]}), VOCABULARY)
    with pytest.raises(ValueError, match="fallbacks names unknown"):
        embedding_coverage(TEXTS, VOCABULARY, fallbacks=("stem",))


def test_coverage_of_an_arrow_column():
    texts = pa.chunked_array([["The cat sat"], ["the cat", None], ["", "Dogs sat sat"]])
    assert embedding_coverage(texts, VOCABULARY) == embedding_coverage(TEXTS, VOCABULARY)
