"""Combining word vectors: mean, weighted mean, concatenation."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from gensim.models import KeyedVectors

from textclf.embeddings import combine_embeddings


def keyed(vectors: dict[str, list[float]]) -> KeyedVectors:
    words = list(vectors)
    values = np.asarray([vectors[word] for word in words], dtype=np.float32)
    result = KeyedVectors(values.shape[1])
    result.add_vectors(words, values)
    return result


@pytest.fixture
def glove():
    return keyed({"the": [1.0, 2.0], "cat": [3.0, 4.0], "dog": [5.0, 6.0]})


@pytest.fixture
def paragram():
    return keyed({"cat": [10.0, 20.0], "the": [30.0, 40.0], "mouse": [7.0, 8.0]})


def test_mean_over_the_union_of_words(glove, paragram):
    combined = combine_embeddings([glove, paragram])
    assert combined.index_to_key == ["the", "cat", "dog", "mouse"]
    assert combined.vectors.dtype == np.float32
    np.testing.assert_allclose(combined["the"], [(1 + 30) / 2, (2 + 40) / 2])
    np.testing.assert_allclose(combined["cat"], [(3 + 10) / 2, (4 + 20) / 2])
    # A word in one source keeps that source's vector: it is not averaged with nothing.
    np.testing.assert_array_equal(combined["dog"], [5.0, 6.0])
    np.testing.assert_array_equal(combined["mouse"], [7.0, 8.0])


def test_weighted_mean_as_the_first_place_solution(glove, paragram):
    combined = combine_embeddings({"glove": glove, "paragram": paragram}, [0.7, 0.3])
    np.testing.assert_allclose(combined["the"], [0.7 * 1 + 0.3 * 30, 0.7 * 2 + 0.3 * 40],
                               rtol=1e-6)
    np.testing.assert_allclose(combined["cat"], [0.7 * 3 + 0.3 * 10, 0.7 * 4 + 0.3 * 20],
                               rtol=1e-6)
    np.testing.assert_array_equal(combined["mouse"], [7.0, 8.0])
    # Weights are normalised: 7 and 3 mean the same as 0.7 and 0.3.
    np.testing.assert_allclose(combine_embeddings([glove, paragram], [7, 3]).vectors,
                               combined.vectors, rtol=1e-6)


def test_a_source_of_weight_zero_adds_no_words(glove, paragram):
    combined = combine_embeddings([glove, paragram], [1, 0])
    assert combined.index_to_key == glove.index_to_key
    np.testing.assert_array_equal(combined.vectors, glove.vectors)


def test_concat_puts_sources_side_by_side_with_zeros_for_missing_words(glove, paragram):
    small = keyed({"dog": [9.0], "bird": [11.0]})
    combined = combine_embeddings([glove, paragram, small], how="concat")
    assert combined.index_to_key == ["the", "cat", "dog", "mouse", "bird"]
    assert combined.vector_size == 5
    np.testing.assert_array_equal(combined.vectors, np.float32([
        [1, 2, 30, 40, 0],
        [3, 4, 10, 20, 0],
        [5, 6, 0, 0, 9],
        [0, 0, 7, 8, 0],
        [0, 0, 0, 0, 11],
    ]))


@pytest.fixture
def cased():
    return keyed({"Trump": [1.0, 2.0], "the": [3.0, 4.0]})


@pytest.fixture
def lowered():
    return keyed({"trump": [10.0, 20.0], "the": [30.0, 40.0], "paris": [5.0, 7.0]})


def test_each_source_finds_the_words_by_its_own_fallbacks_before_the_mean(cased, lowered):
    combined = combine_embeddings([cased, lowered], [0.75, 0.25],
                                  words=["Trump", "trump", "Paris", "the"])
    # "Trump" is the cased source's "Trump" and the lower-cased source's "trump"; "trump"
    # the other way round (the cased source finds it by title case).
    expected = [0.75 * 1 + 0.25 * 10, 0.75 * 2 + 0.25 * 20]
    np.testing.assert_allclose(combined["Trump"], expected, rtol=1e-6)
    np.testing.assert_allclose(combined["trump"], expected, rtol=1e-6)
    # Found by one source only (by its lower case): that source's vector as it is.
    np.testing.assert_array_equal(combined["Paris"], [5.0, 7.0])
    np.testing.assert_allclose(combined["the"], [0.75 * 3 + 0.25 * 30, 0.75 * 4 + 0.25 * 40])
    assert combined.index_to_key == ["Trump", "the", "trump", "paris", "Paris"]
    # Identical spellings only, without the words: "Trump" would be the cased vector alone.
    np.testing.assert_array_equal(combine_embeddings([cased, lowered])["Trump"], [1.0, 2.0])


def test_words_found_by_a_fallback_fill_their_part_of_a_concatenation(cased, lowered):
    combined = combine_embeddings([cased, lowered], how="concat", words=["Trump", "Paris"])
    np.testing.assert_array_equal(combined["Trump"], [1, 2, 10, 20])
    np.testing.assert_array_equal(combined["Paris"], [0, 0, 5, 7])


def test_words_are_looked_up_with_the_fallbacks_given(cased, lowered):
    exact = combine_embeddings([cased, lowered], words=["Trump"], fallbacks=())
    np.testing.assert_array_equal(exact["Trump"], [1.0, 2.0])
    with pytest.raises(TypeError, match="not a single string"):
        combine_embeddings([cased, lowered], words="Trump")
    with pytest.raises(ValueError, match="fallbacks names unknown"):
        combine_embeddings([cased, lowered], words=["Trump"], fallbacks=("french",))


def test_mean_of_different_dimensions_names_each_source(glove):
    wide = keyed({"the": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"glove \(2-d\), paragram \(3-d\).*how='concat'"):
        combine_embeddings({"glove": glove, "paragram": wide})
    with pytest.raises(ValueError, match=r"source 0 \(2-d\), source 1 \(3-d\)"):
        combine_embeddings([glove, wide])


@pytest.mark.parametrize(("weights", "message"), [
    ([1.0], "one number per source: 2 sources"),
    ([0.5, 0.3, 0.2], "one number per source"),
    ([0.5, -0.5], "non-negative"),
    ([0.5, float("nan")], "finite"),
    ([0, 0], "all zero"),
])
def test_weights_are_validated(glove, paragram, weights, message):
    with pytest.raises(ValueError, match=message):
        combine_embeddings([glove, paragram], weights)


def test_invalid_sources_and_options(glove, paragram):
    with pytest.raises(ValueError, match="weights apply to how='mean' only"):
        combine_embeddings([glove, paragram], [0.5, 0.5], how="concat")
    with pytest.raises(ValueError, match="how must be one of"):
        combine_embeddings([glove, paragram], how="sum")
    with pytest.raises(ValueError, match="sources is empty"):
        combine_embeddings([])
    with pytest.raises(TypeError, match="not one KeyedVectors"):
        combine_embeddings(glove)
    with pytest.raises(TypeError, match="source 1 is a dict"):
        combine_embeddings([glove, {"the": [1.0, 2.0]}])


def test_sources_are_left_unchanged(glove, paragram):
    before = copy.deepcopy((glove, paragram))
    combine_embeddings([glove, paragram], [0.7, 0.3])
    combine_embeddings([glove, paragram], how="concat")
    for source, original in zip((glove, paragram), before):
        assert source.index_to_key == original.index_to_key
        assert source.key_to_index == original.key_to_index
        np.testing.assert_array_equal(source.vectors, original.vectors)
