"""Reading GloVe / Paragram / word2vec files, the shipped default vectors, and training
vectors; plus the loading benchmark run at a tiny size."""

from __future__ import annotations

import gzip
import logging
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath

from textclf.embeddings import (
    EmbeddingFormatError,
    _io,
    default_embeddings,
    load_embeddings,
    train_embeddings,
)

GLOVE = datapath("test_glove.txt")  # 76 real GloVe rows x 50, no header


def parse_by_hand(path) -> tuple[list[str], np.ndarray]:
    """An independent reading of a small GloVe file: split every line, float() each value."""
    words, vectors = [], []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            word, *values = line.rstrip("\n").split(" ")
            words.append(word)
            vectors.append([float(value) for value in values])
    return words, np.asarray(vectors, dtype=np.float32)


@pytest.fixture(scope="module")
def gensim_glove() -> KeyedVectors:
    words, vectors = parse_by_hand(GLOVE)
    keyed = KeyedVectors(vectors.shape[1])
    keyed.add_vectors(words, vectors)
    return keyed


# --- formats -----------------------------------------------------------------------------

def test_glove_text_is_read_word_for_word_and_value_for_value():
    words, vectors = parse_by_hand(GLOVE)
    loaded = load_embeddings(GLOVE)
    assert loaded.index_to_key == words
    assert loaded.vectors.dtype == np.float32
    assert loaded.vectors.shape == (76, 50)
    np.testing.assert_array_equal(loaded.vectors, vectors)
    assert loaded.key_to_index["the"] == 0
    np.testing.assert_array_equal(loaded["the"][:3], np.float32([0.418, 0.24968, -0.41242]))


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "text"])
def test_word2vec_files_written_by_gensim_are_detected_and_read(tmp_path, gensim_glove, binary):
    path = tmp_path / "vectors.w2v"
    gensim_glove.save_word2vec_format(path, binary=binary)
    for format in ("auto", "word2vec-binary" if binary else "word2vec-text"):
        loaded = load_embeddings(path, format=format)
        assert loaded.index_to_key == gensim_glove.index_to_key
        np.testing.assert_array_equal(loaded.vectors, gensim_glove.vectors)


def test_word2vec_binary_with_newlines_after_vectors_as_the_original_tool_writes(write_file):
    vectors = np.float32([[1.5, -2.0], [0.25, 4.0]])
    content = b"2 2\n" + b"".join(word + b" " + vector.astype("<f4").tobytes() + b"\n"
                                  for word, vector in zip([b"cat", b"dog"], vectors))
    loaded = load_embeddings(write_file("c.bin", content))
    assert loaded.index_to_key == ["cat", "dog"]
    np.testing.assert_array_equal(loaded.vectors, vectors)


def test_paragram_words_that_are_not_utf8_are_decoded_as_latin1(write_file):
    path = write_file("paragram.txt", b"the 0.5 1\ncaf\xe9 2 3\n\xe4\xb8\xad 4 5\n")
    loaded = load_embeddings(path)
    assert loaded.index_to_key == ["the", "caf\u00e9", "\u4e2d"]  # UTF-8 still read as UTF-8
    np.testing.assert_array_equal(loaded["caf\u00e9"], np.float32([2, 3]))


def test_strict_decoding_names_the_line_of_a_word_that_is_not_utf8(write_file):
    path = write_file("paragram.txt", b"the 0.5 1\ncaf\xe9 2 3\n")
    with pytest.raises(EmbeddingFormatError, match=r"paragram\.txt, line 2: the word b'caf\\xe9'"):
        load_embeddings(path, fallback_encoding=None)


def test_multi_word_tokens_take_the_last_dim_fields_as_the_vector(write_file):
    path = write_file("840b.txt", ", 0.1 0.2\n. . . 0.3 0.4\nat name@domain.com 0.5 0.6\n")
    loaded = load_embeddings(path)
    assert loaded.index_to_key == [",", ". . .", "at name@domain.com"]
    np.testing.assert_array_equal(loaded[". . ."], np.float32([0.3, 0.4]))


def test_windows_line_ends_trailing_blanks_and_blank_lines_are_accepted(write_file):
    path = write_file("crlf.txt", "a 1 2 \r\n\r\nb 3 4\r\nc 5 6")
    loaded = load_embeddings(path)
    assert loaded.index_to_key == ["a", "b", "c"]
    np.testing.assert_array_equal(loaded.vectors, np.float32([[1, 2], [3, 4], [5, 6]]))


def test_compressed_files_are_read_while_decompressing(tmp_path):
    path = tmp_path / "glove.txt.gz"
    with open(GLOVE, "rb") as plain, gzip.open(path, "wb") as packed:
        packed.write(plain.read())
    np.testing.assert_array_equal(load_embeddings(path).vectors, load_embeddings(GLOVE).vectors)


def test_blocks_split_anywhere_give_the_same_vectors(tmp_path, gensim_glove, monkeypatch):
    binary = tmp_path / "vectors.bin"
    gensim_glove.save_word2vec_format(binary, binary=True)
    whole_text, whole_binary = load_embeddings(GLOVE), load_embeddings(binary)
    monkeypatch.setattr(_io, "_BLOCK_BYTES", 97)  # splits lines and records
    for path, whole in ((GLOVE, whole_text), (binary, whole_binary)):
        split = load_embeddings(path)
        assert split.index_to_key == whole.index_to_key
        np.testing.assert_array_equal(split.vectors, whole.vectors)


def test_format_override_reads_a_glove_file_whose_first_word_is_a_number(write_file):
    path = write_file("numbers.txt", "7 2\n8 3\n")
    assert load_embeddings(path, format="glove").index_to_key == ["7", "8"]
    with pytest.raises(EmbeddingFormatError, match="announces 7 words"):
        load_embeddings(path)  # auto: "7 2" is a word2vec header


def test_a_word2vec_header_read_as_glove_points_to_the_right_format(tmp_path, gensim_glove):
    path = tmp_path / "vectors.txt"
    gensim_glove.save_word2vec_format(path, binary=False)
    with pytest.raises(EmbeddingFormatError, match=r"line 2: 50 values, expected 1.*"
                                                   r"format='word2vec-text'"):
        load_embeddings(path, format="glove")
    with pytest.raises(EmbeddingFormatError, match=r"line 1: expected a word2vec header"):
        load_embeddings(GLOVE, format="word2vec-text")


# --- vocabulary, limits, duplicates ----------------------------------------------------------

def test_vocabulary_keeps_only_its_words_in_file_order():
    full = load_embeddings(GLOVE)
    wanted = {"of", "the", "not-in-the-file", full.index_to_key[-1]}
    loaded = load_embeddings(GLOVE, vocabulary=wanted)
    assert loaded.index_to_key == ["the", "of", full.index_to_key[-1]]
    np.testing.assert_array_equal(loaded["of"], full["of"])
    assert load_embeddings(GLOVE, vocabulary=[]).vectors.shape == (0, 50)


def test_vocabulary_filter_skips_parsing_rows_it_does_not_keep(write_file):
    path = write_file("v.txt", "a 1 2\nb x y\nc 5 6\n")
    assert load_embeddings(path, vocabulary=["a", "c"]).index_to_key == ["a", "c"]
    with pytest.raises(EmbeddingFormatError, match="line 2"):
        load_embeddings(path)


def test_vocabulary_must_be_words():
    with pytest.raises(TypeError, match="not a single string"):
        load_embeddings(GLOVE, vocabulary="the")
    with pytest.raises(TypeError, match="found int"):
        load_embeddings(GLOVE, vocabulary=["the", 3])


def test_max_words_reads_only_the_first_rows(tmp_path, gensim_glove):
    binary = tmp_path / "vectors.bin"
    gensim_glove.save_word2vec_format(binary, binary=True)
    first_ten = gensim_glove.index_to_key[:10]
    for path in (GLOVE, binary):
        assert load_embeddings(path, max_words=10).index_to_key == first_ten
        assert load_embeddings(path, vocabulary=["the", "and"], max_words=3).index_to_key == [
            "the"]
        assert len(load_embeddings(path, max_words=0)) == 0
    with pytest.raises(ValueError, match="max_words"):
        load_embeddings(GLOVE, max_words=-1)


def test_a_duplicated_word_keeps_its_first_vector(write_file, caplog):
    path = write_file("dup.txt", "a 1 2\nb 3 4\na 5 6\n")
    with caplog.at_level(logging.INFO, logger="textclf.embeddings"):
        loaded = load_embeddings(path)
    assert loaded.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(loaded["a"], np.float32([1, 2]))
    assert "1 duplicate rows skipped" in caplog.text


# --- errors name the file and the line -------------------------------------------------------

@pytest.mark.parametrize(("content", "message"), [
    ("a 1 2 3\nb 4 5 6\nc 7 8", r"line 3: 2 values, expected 3.*looks truncated"),
    ("a 1 2 3\nb 4 5\nc 7 8 9\n", r"line 2: 2 values, expected 3, as on line 1$"),
    ("a 1 2 3\nb 4 5 6 7\n", r"line 2: 4 values, expected 3"),
    ("a 1 2 3\nb 4 five 6\n", r"line 2: value 2 \(b'five'\) is not a number"),
    ("a 1 2 3\nb 4  6\n", r"line 2: value 2 \(b''\) is not a number"),
    ("a 1 2 3\nb 4 nan 6\n", r"line 2: value 2 is nan, not a finite number"),
    ("2 3\na 1 2 3\n", r"the header on line 1 announces 2 words, but the file ends after 1 rows"),
    ("1 3\na 1 2 3\nb 4 5 6\n", r"line 3: more rows than the 1 the header on line 1 announces"),
    ("2 3\na 1 2 3\nb 4 5\n", r"line 3: 2 values, expected 3, as the header on line 1 announc"),
    ("", r"the file is empty"),
    ("\nword 1 2\n", r"line 1: the line is blank"),
    ("word\n", r"line 1: expected a word followed by its vector"),
])
def test_format_errors_name_the_file_and_line(write_file, content, message):
    path = write_file("broken.txt", content)
    with pytest.raises(EmbeddingFormatError, match=message) as raised:
        load_embeddings(path)
    assert str(raised.value).startswith(str(path))
    assert raised.value.path == str(path)


def test_error_line_attribute_and_pickling(write_file):
    path = write_file("broken.txt", "a 1 2\nb 3\n")
    with pytest.raises(EmbeddingFormatError) as raised:
        load_embeddings(path)
    assert isinstance(raised.value, ValueError)
    assert raised.value.line == 2
    copy = pickle.loads(pickle.dumps(raised.value))
    assert (str(copy), copy.line, copy.path) == (str(raised.value), 2, str(path))


def test_truncated_word2vec_binary_names_the_record(tmp_path, gensim_glove):
    path = tmp_path / "vectors.bin"
    gensim_glove.save_word2vec_format(path, binary=True)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(EmbeddingFormatError, match=r"record 76 .*looks truncated"):
        load_embeddings(path)


def test_word2vec_binary_with_more_records_than_its_header(tmp_path, gensim_glove):
    path = tmp_path / "vectors.bin"
    gensim_glove.save_word2vec_format(path, binary=True)
    content = path.read_bytes()
    path.write_bytes(content.replace(b"76 50", b"75 50", 1))
    with pytest.raises(EmbeddingFormatError, match="more data follows record 75"):
        load_embeddings(path)


def test_a_missing_file_says_what_to_provide(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"glove\.txt' not found.*default_embeddings"):
        load_embeddings(tmp_path / "glove.txt")


def test_growing_rows_keep_every_block_in_order():
    rows = _io._GrowingRows(dim=3, capacity=2)
    blocks = [np.full((count, 3), count, dtype=np.float32) for count in (1, 4, 1500, 2)]
    for block in blocks:
        rows.append(block)
    np.testing.assert_array_equal(rows.finish(), np.concatenate(blocks))


# --- the shipped default and trained vectors --------------------------------------------------

def test_default_embeddings_are_real_glove_6b_50d():
    glove = default_embeddings()
    assert glove.vectors.shape == (400_000, 50)
    assert glove.vectors.dtype == np.float32
    np.testing.assert_array_equal(glove["the"][:3], np.float32([0.418, 0.24968, -0.41242]))
    analogy = glove.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
    assert "queen" in [word for word, _ in analogy]
    assert default_embeddings() is glove  # loaded once per process


CORPUS = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog",
          "the mat and the log"] * 25


def test_trained_word2vec_is_reproducible_with_a_seed_and_logs(caplog):
    with caplog.at_level(logging.INFO, logger="textclf.embeddings"):
        first = train_embeddings(CORPUS, vector_size=16, seed=3)
    assert "trained word2vec vectors (16 dimensions) for 9 words on 100 texts" in caplog.text
    again = train_embeddings(CORPUS, vector_size=16, seed=3)
    other_seed = train_embeddings(CORPUS, vector_size=16, seed=4)
    assert first.vectors.dtype == np.float32
    assert sorted(first.index_to_key) == sorted({w for text in CORPUS for w in text.split()})
    np.testing.assert_array_equal(first.vectors, again.vectors)
    assert not np.array_equal(first.vectors, other_seed.vectors)


def test_trained_fasttext_has_vectors_for_unseen_words():
    vectors = train_embeddings(CORPUS, method="fasttext", vector_size=8, min_count=1)
    assert "cats" not in vectors.key_to_index
    assert vectors["cats"].shape == (8,)
    assert np.abs(vectors["cats"]).sum() > 0


def test_training_needs_words_seen_often_enough():
    with pytest.raises(ValueError, match="no word occurs at least min_count=2 times in the 2"):
        train_embeddings(["one", None])
    with pytest.raises(ValueError, match="method must be one of"):
        train_embeddings(CORPUS, method="glove")


# --- the benchmark ----------------------------------------------------------------------------

def test_loading_benchmark_runs_at_a_tiny_size(tmp_path, capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))
    from benchmarks import embedding_loading

    embedding_loading.main(["--words", "3000", "--dim", "20", "--vocabulary", "500",
                            "--cache-dir", str(tmp_path)])
    table = capsys.readouterr().out.splitlines()
    rows = [line for line in table if line.startswith("| load_embeddings")]
    assert len(rows) == 2
    assert rows[0].split("|")[2].strip() == "3,000"
    assert rows[1].split("|")[2].strip() == "500"
    generated = tmp_path / "synthetic_glove_3000x20.txt"
    loaded = load_embeddings(generated)
    assert loaded.vectors.shape == (3000, 20)
    assert loaded.index_to_key[:3] == ["a", "b", "c"] and loaded.index_to_key[26] == "aa"


@pytest.mark.parametrize(("settings", "parameter"), [
    ({"format": "fasttext-bin"}, "format"), ({"max_words": -1}, "max_words"),
    ({"max_words": True}, "max_words"), ({"max_words": 2.5}, "max_words")])
def test_bad_settings_are_refused_before_the_file_is_read(settings, parameter, tmp_path):
    with pytest.raises(ValueError, match=f"'{parameter}' parameter of load_embeddings"):
        load_embeddings(tmp_path / "never-read.txt", **settings)


def test_a_zip_of_two_files_is_refused_with_their_names(tmp_path):
    path = tmp_path / "vectors.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("glove.txt", "the 0.1 0.2\n")
        archive.writestr("readme.txt", "vectors\n")
    with pytest.raises(EmbeddingFormatError, match="exactly one embedding file, found"):
        load_embeddings(path)
