"""The embedding matrix of a vocabulary: rows from the vectors, random or zero rows for
words without one."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models import KeyedVectors

from textclf.embeddings import build_embedding_matrix


@pytest.fixture
def vectors():
    """200 known words with vectors of mean 1 and standard deviation 2 (per value)."""
    rng = np.random.default_rng(0)
    vectors = KeyedVectors(8)
    vectors.add_vectors([f"w{i}" for i in range(200)],
                        rng.normal(1.0, 2.0, (200, 8)).astype(np.float32))
    return vectors


def test_rows_follow_the_vocabulary_sequence(vectors):
    matrix, found = build_embedding_matrix(["w3", "unknown", "w0"], vectors, unknown="zero",
                                           return_found=True)
    assert matrix.dtype == np.float32 and matrix.shape == (3, 8)
    np.testing.assert_array_equal(matrix[0], vectors["w3"])
    np.testing.assert_array_equal(matrix[1], np.zeros(8))
    np.testing.assert_array_equal(matrix[2], vectors["w0"])
    assert found.tolist() == [True, False, True]


def test_unknown_rows_are_random_but_seeded_with_the_scale_of_the_vectors(vectors):
    vocabulary = ["w1"] + [f"missing{i}" for i in range(3000)]
    matrix = build_embedding_matrix(vocabulary, vectors, seed=7)
    np.testing.assert_array_equal(matrix[0], vectors["w1"])
    np.testing.assert_array_equal(matrix, build_embedding_matrix(vocabulary, vectors, seed=7))
    assert not np.array_equal(matrix[1:], build_embedding_matrix(vocabulary, vectors, seed=8)[1:])
    unknown = matrix[1:]
    known_mean, known_std = vectors.vectors.mean(), vectors.vectors.std()
    assert abs(unknown.mean() - known_mean) < 0.05  # 24,000 draws: standard error 0.013
    assert abs(unknown.std() - known_std) < 0.05
    assert len({tuple(row) for row in unknown}) == len(unknown)  # each row its own draw


def test_mapping_vocabulary_keeps_unassigned_rows_and_padding_at_zero(vectors):
    word_index = {"w5": 1, "missing": 2, "w7": 4}  # Keras-style: 0 is the padding row
    matrix, found = build_embedding_matrix(word_index, vectors, return_found=True)
    assert matrix.shape == (5, 8)
    np.testing.assert_array_equal(matrix[0], np.zeros(8))
    np.testing.assert_array_equal(matrix[1], vectors["w5"])
    assert np.abs(matrix[2]).sum() > 0  # a word without a vector: random
    np.testing.assert_array_equal(matrix[3], np.zeros(8))  # no word maps to row 3
    np.testing.assert_array_equal(matrix[4], vectors["w7"])
    assert found.tolist() == [False, True, False, False, True]


def test_padding_index_row_is_zero_even_for_a_known_word(vectors):
    matrix, found = build_embedding_matrix(["w0", "w1"], vectors, padding_index=0,
                                           return_found=True)
    np.testing.assert_array_equal(matrix[0], np.zeros(8))
    np.testing.assert_array_equal(matrix[1], vectors["w1"])
    assert found.tolist() == [False, True]


def test_lookup_finds_other_spellings_of_missing_words(vectors):
    asked = []

    def lower_case(words, embeddings):
        asked.append(words)
        return {word: word.lower() for word in words if word.lower() in embeddings}

    matrix, found = build_embedding_matrix(["W2", "w3", "Nope", "W2"], vectors,
                                           lookup=lower_case, unknown="zero",
                                           return_found=True)
    assert asked == [["W2", "Nope"]]  # once, with the distinct words missing as spelled
    np.testing.assert_array_equal(matrix[0], vectors["w2"])
    np.testing.assert_array_equal(matrix[3], vectors["w2"])
    assert found.tolist() == [True, True, False, True]


@pytest.mark.parametrize(("arguments", "error", "message"), [
    ({"unknown": "mean"}, ValueError, "'unknown' parameter"),
    ({"padding_index": 2}, ValueError, r"padding_index must be a row of the matrix, 0 to 1"),
    ({"padding_index": True}, ValueError, "padding_index"),
    ({"lookup": "lower"}, TypeError, "'lookup' parameter"),
])
def test_invalid_matrix_options(vectors, arguments, error, message):
    with pytest.raises(error, match=message):
        build_embedding_matrix(["w0", "w1"], vectors, **arguments)


def test_invalid_vocabularies(vectors):
    with pytest.raises(TypeError, match="not a single string"):
        build_embedding_matrix("w0", vectors)
    with pytest.raises(TypeError, match="'w0' maps to 1.5"):
        build_embedding_matrix({"w0": 1.5}, vectors)
    with pytest.raises(ValueError, match="'w0' maps to -1"):
        build_embedding_matrix({"w0": -1}, vectors)
    with pytest.raises(TypeError, match="found int"):
        build_embedding_matrix(["w0", 3], vectors)


def test_random_rows_need_vectors_to_take_their_scale_from(vectors):
    empty = KeyedVectors(8)
    with pytest.raises(ValueError, match="hold no vectors"):
        build_embedding_matrix(["a"], empty)
    np.testing.assert_array_equal(build_embedding_matrix(["a"], empty, unknown="zero"),
                                  np.zeros((1, 8)))
