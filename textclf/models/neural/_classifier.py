"""``BiLSTMClassifier``: the neural approach as a scikit-learn estimator, from raw question
texts to probabilities, so ``oof_predict``, the stack and any ``Pipeline`` use it like the
classical models.

``fit`` chains the steps the Quora kernels ran by hand: embedding-oriented normalisation
(``EmbeddingNormalizer``), a frequency-capped vocabulary and id sequences
(``SequenceTokenizer``), the embedding matrix from pre-trained vectors, the network
(``build_bilstm_attention``), training on length-bucketed, dynamically padded batches with a
cyclical learning rate (``CyclicalLearningRate``) and stochastic weight averaging
(``StochasticWeightAveraging``), and the F1 threshold on a held-out part of its own
training rows (or none, to train on every row when the threshold is chosen elsewhere, as
the out-of-fold study does).

Keras is imported with this module, never by ``import textclf.models``.
"""

from __future__ import annotations

import json
import logging
import numbers
from pathlib import Path

import keras
import numpy as np
import pyarrow as pa
from sklearn.base import clone
from sklearn.utils._param_validation import (
    HasMethods,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import check_is_fitted

from ..._param_validation import NonBoolInterval
from ...embeddings import (
    FALLBACKS,
    SharedVectorsMixin,
    check_embeddings_param,
    check_fallbacks,
    is_named_source,
    load_sources,
    pretrained_words,
    vocabulary_matrix,
)
from ...text import EmbeddingNormalizer
from ._architecture import ARCHITECTURE_CONSTRAINTS, build_bilstm_attention
from ._keras_classifier import KerasTextClassifier, take_rows
from ._params import TRAINING_CONSTRAINTS
from ._schedules import MODES, CyclicalLearningRate
from ._swa import StochasticWeightAveraging, first_averaged_epoch
from ._tokenizer import FIRST_WORD_ID, TOKENIZER_CONSTRAINTS, SequenceTokenizer

logger = logging.getLogger("textclf.models.neural")

# The vocabulary file of a saved classifier directory, beside model.keras and estimator.json.
VOCABULARY_FILE = "vocabulary.json"
# 2: swa_start became a share of the epochs, and the vocabulary's words resolve unknown
# tokens by the fallbacks; a format-1 directory would be read with other meanings.
_FORMAT_VERSION = 2


# The cyclical learning rate's settings: checked only when the rate cycles.
_CYCLE_CONSTRAINTS: dict = {
    "max_lr": [NonBoolInterval(numbers.Real, 0, None, closed="neither")],
    "clr_step_size": [StrOptions({"auto"}),
                      NonBoolInterval(numbers.Integral, 1, None, closed="left")],
    "clr_mode": [StrOptions(set(MODES))],
    "clr_gamma": [NonBoolInterval(numbers.Real, 0, 1, closed="right")],
}


class BiLSTMClassifier(SharedVectorsMixin, KerasTextClassifier):
    """Bidirectional LSTM with attention and pooling over pre-trained word vectors.

    Takes one column of raw texts (list, 1-D array, pandas Series); a 2-D table of text
    columns has each row's columns joined with a space. The defaults are the Quora seed's
    settings: vectors frozen, sequences of at most 70 tokens, two BiLSTMs of 40 units per
    direction, a 32-unit dense head, 10 epochs of batches of 512 with Adam, stochastic
    weight averaging from the 5th epoch (``swa_start=0.4`` of the epochs). Only the default
    vectors differ: the shipped GloVe
    6B 50-d instead of the mean of GloVe 840B and Paragram 300-d (pass their paths, as a
    list, to average them the seed's way).

    Parameters
    ----------
    max_features : int or None, default=95000
        Vocabulary size: the most frequent training words, then, while there is room and
        ``add_pretrained_words`` is on, words of the pre-trained vectors. Rarer training
        words and test words outside it, that no ``fallbacks`` spelling of finds in it,
        share one out-of-vocabulary id. None keeps every training word and adds every
        word of the vectors: the embedding matrix then has a row per word of the vectors
        (the shipped GloVe holds 400,000 words of 50 dimensions), on top of the training
        vocabulary.
    max_len : int, default=70
        Longest sequence in tokens; longer texts are cut (see ``truncating``).
    truncating : {"pre", "post"}, default="pre"
        "pre" keeps the last ``max_len`` tokens of a long text, "post" the first.
    embeddings : "default", "word2vec", "fasttext", path, KeyedVectors, or a list of them, \
default="default"
        The pre-trained vectors: "default" is the shipped GloVe 6B 50-d (word2vec vectors
        trained on the training texts, with a warning, where its package is missing);
        "word2vec" and "fasttext" train vectors on the training texts with gensim; a path
        is read with ``load_embeddings`` (only the vocabulary's vectors are kept); several
        are averaged with ``combine_embeddings`` (same dimension). KeyedVectors objects are
        shared by clones, not copied (as in ``MeanEmbedding``).
    embedding_weights : sequence of float, optional
        Weights of several ``embeddings`` in their mean (the Quora winners used 0.7 GloVe,
        0.3 Paragram); None weighs them equally.
    fallbacks : sequence of str, default=FALLBACKS
        Spellings tried for a word the vectors lack as it is (lower case, stems, lemma; see
        ``textclf.features.MeanEmbedding``), by each of several ``embeddings`` on its own
        before they are averaged; and for a token outside the vocabulary before it takes
        the out-of-vocabulary id (a test set's "Paris" takes the id of the vocabulary's
        "paris").
    add_pretrained_words : bool, default=True
        Fill the vocabulary up to ``max_features`` with words of the pre-trained vectors
        that the training texts lack (the vectors' first words, the most frequent in
        GloVe and word2vec files), so that such a word in a test text gets its vector
        instead of the out-of-vocabulary row. Frozen embeddings make those rows free to
        train; they cost memory only. A file named by its path is read for the training
        vocabulary's spellings only, so it adds only those: to cover a test set's words,
        pass vectors loaded for the training and test texts together
        (``load_embeddings_for``, as ``textclf run --embeddings`` does).
    normalizer : transformer or None, default=None
        Text normalisation before tokenising; None is ``EmbeddingNormalizer()``.
    lstm_units, dense_units, spatial_dropout, dropout, trainable_embeddings
        The network, see ``build_bilstm_attention`` (40, 32, 0.1, 0.1, False).
    epochs : int, default=10
    batch_size : int, default=512
    learning_rate : float, default=0.001
        Adam's learning rate; with ``cyclical_lr`` the lower bound of the cycle.
    cyclical_lr : bool, default=True
        Cycle the learning rate between ``learning_rate`` and ``max_lr`` every batch
        (``CyclicalLearningRate``, Smith 2017).
    max_lr : float, default=0.002
        Upper bound of the cycle.
    clr_step_size : int or "auto", default="auto"
        Batches per half cycle. "auto" is half an epoch, ``n / 2`` for ``n`` batches per
        epoch, not rounded: every epoch is exactly one cycle and ends at
        ``learning_rate``, the low point, where stochastic weight averaging takes its
        snapshots (as Izmailov et al. 2018 do with cyclical rates), also for an odd ``n``.
    clr_mode : {"triangular", "triangular2", "exp_range"}, default="triangular"
    clr_gamma : float, default=1.0
        Decay per batch for "exp_range".
    swa_start : float in [0, 1) or None, default=0.4
        Share of the epochs trained before the end-of-epoch weights start to be averaged
        (``StochasticWeightAveraging``): averaging starts at epoch index
        ``floor(swa_start * epochs)`` (0-based), brought forward where needed so that at
        least two snapshots are averaged whenever ``epochs >= 2``
        (``first_averaged_epoch``). 0.4 of 10 epochs averages the last six, the seed's
        setting; 0.5 averages the last half; 0 every epoch. The epoch used is
        ``swa_start_epoch_``. None trains without averaging.
    validation_fraction : float or None, default=0.1
        Stratified part of the training rows held out to choose ``threshold_`` (best F1)
        and to report validation loss and F1 per epoch. None or 0 holds nothing out and
        trains on every row: for when the threshold is chosen outside (the study's
        out-of-fold threshold); ``threshold_`` is then 0.5, ``validation_f1_`` None and
        ``history_`` has no validation entries.
    dynamic_padding : bool, default=True
        Pad each batch to its own longest row, with rows bucketed by length
        (``BucketedBatches``); False pads every batch to ``max_len``.
    bucket_batches : int or None, default=20
        Batches per length-sorted chunk of shuffled rows.
    pad_multiple : int, default=1
        Round batch widths up to a multiple of this: fewer distinct shapes for backends
        that compile one program per shape (JAX; 8 is a good choice there).
    mixed_precision : bool, default=False
        Compute in float16 with float32 weights (``"mixed_float16"``) and loss scaling;
        the sigmoid output stays float32. Pays off on GPUs with tensor cores; on a CPU it
        runs, slowly.
    jit_compile : bool or "auto", default="auto"
        Passed to ``model.compile``; "auto" lets Keras decide (no XLA on a CPU).
    run_eagerly : bool, default=False
        Run every step eagerly instead of compiling the training and prediction steps
        (``model.compile(run_eagerly=True)``): much slower per batch, but without the
        seconds of compilation, so faster for a few dozen rows (tests, debugging).
    random_state : int or None, default=None
        Seeds the validation split, the batch order, the weights and dropout (through
        ``keras.utils.set_random_seed``, which also seeds Python's and NumPy's global
        generators). On a CPU, the same seed and data give the same model.
    verbose : int, default=0
        Keras's progress output during ``fit`` (0: silent). Progress is also logged to the
        "textclf.models.neural" logger at INFO level.

    Attributes
    ----------
    model_ : keras.Model
    normalizer_ : fitted normaliser
    tokenizer_ : SequenceTokenizer
    threshold_ : float
        The probability threshold of ``predict``: best F1 on the validation part, or 0.5
        without one.
    validation_f1_ : float or None
        F1 of the final (averaged) model on the validation part at ``threshold_``; None
        without a validation part.
    swa_start_epoch_ : int or None
        The first epoch, 1-based as in ``history_["epoch"]``, whose end-of-epoch weights
        are in the average: the final weights are the mean of the snapshots of epochs
        ``swa_start_epoch_`` to ``epochs``. None without averaging.
    history_ : dict of lists
        Per epoch: "epoch" (1-based), "loss" (mean training loss), "lr" (learning rate
        after the epoch's last batch), "seconds" (training time of the epoch, compilation
        included for the first), and with a validation part "val_loss", "val_f1"
        (best F1 of that epoch's weights) and "val_threshold"; ready for
        ``mlflow.log_metric(name, value, step=epoch)``.
    embedding_coverage_ : float
        Share of the training words of the vocabulary found in the pre-trained vectors
        (words added from the vectors not counted).
    classes_ : ndarray of the two labels
    n_features_in_ : int
    """

    _vocabulary_file = VOCABULARY_FILE
    _format_version = _FORMAT_VERSION
    _saved_attributes = ("swa_start_epoch", "embedding_coverage")
    _parameter_constraints: dict = {
        **TOKENIZER_CONSTRAINTS,
        **ARCHITECTURE_CONSTRAINTS,
        **TRAINING_CONSTRAINTS,
        # Names, paths, vectors or a list of them: check_embeddings_param says what is allowed.
        "embeddings": "no_validation",
        "embedding_weights": ["array-like", None],
        "fallbacks": ["array-like"],
        "normalizer": [HasMethods(["fit_transform"]), None],
        "trainable_embeddings": ["boolean"],
        "add_pretrained_words": ["boolean"],
        "learning_rate": [NonBoolInterval(numbers.Real, 0, None, closed="neither")],
        "cyclical_lr": ["boolean"],
        # The cycle's settings matter, and are checked, only with cyclical_lr.
        **dict.fromkeys(_CYCLE_CONSTRAINTS, "no_validation"),
        "swa_start": [NonBoolInterval(numbers.Real, 0, 1, closed="left"), None],
        "dynamic_padding": ["boolean"],
    }

    def __init__(self, *, max_features: int | None = 95_000, max_len: int = 70,
                 truncating: str = "pre", embeddings="default", embedding_weights=None,
                 fallbacks=FALLBACKS, normalizer=None, lstm_units: int = 40,
                 dense_units: int = 32, spatial_dropout: float = 0.1, dropout: float = 0.1,
                 trainable_embeddings: bool = False, add_pretrained_words: bool = True,
                 epochs: int = 10, batch_size: int = 512,
                 learning_rate: float = 0.001, cyclical_lr: bool = True,
                 max_lr: float = 0.002, clr_step_size="auto", clr_mode: str = "triangular",
                 clr_gamma: float = 1.0, swa_start: float | None = 0.4,
                 validation_fraction: float | None = 0.1, dynamic_padding: bool = True,
                 bucket_batches: int | None = 20, pad_multiple: int = 1,
                 mixed_precision: bool = False, jit_compile="auto", run_eagerly: bool = False,
                 random_state=None, verbose: int = 0):
        self.max_features = max_features
        self.max_len = max_len
        self.truncating = truncating
        self.embeddings = embeddings
        self.embedding_weights = embedding_weights
        self.fallbacks = fallbacks
        self.normalizer = normalizer
        self.lstm_units = lstm_units
        self.dense_units = dense_units
        self.spatial_dropout = spatial_dropout
        self.dropout = dropout
        self.trainable_embeddings = trainable_embeddings
        self.add_pretrained_words = add_pretrained_words
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.cyclical_lr = cyclical_lr
        self.max_lr = max_lr
        self.clr_step_size = clr_step_size
        self.clr_mode = clr_mode
        self.clr_gamma = clr_gamma
        self.swa_start = swa_start
        self.validation_fraction = validation_fraction
        self.dynamic_padding = dynamic_padding
        self.bucket_batches = bucket_batches
        self.pad_multiple = pad_multiple
        self.mixed_precision = mixed_precision
        self.jit_compile = jit_compile
        self.run_eagerly = run_eagerly
        self.random_state = random_state
        self.verbose = verbose

    # --- fitting --------------------------------------------------------------------------
    def fit(self, X, y):
        """Train on texts ``X`` and binary labels ``y``; returns self."""
        self._validate_params()
        check_embeddings_param(self.embeddings, self.embedding_weights)
        check_fallbacks(self.fallbacks)
        if self.cyclical_lr:
            validate_parameter_constraints(
                _CYCLE_CONSTRAINTS, {name: getattr(self, name) for name in _CYCLE_CONSTRAINTS},
                caller_name=type(self).__name__)
            if self.max_lr < self.learning_rate:
                raise ValueError(f"max_lr must be at least learning_rate={self.learning_rate} "
                                 f"(the cycle's lower bound), got {self.max_lr!r}")
        self._require_y(y)
        texts, target, seed = self._training_data(X, y)

        train_rows, valid_rows = self._split(target, seed)
        self.normalizer_ = (clone(self.normalizer) if self.normalizer is not None
                            else EmbeddingNormalizer())
        train_texts = self.normalizer_.fit_transform(_rows(texts, train_rows))
        self.tokenizer_ = SequenceTokenizer(self.max_features, self.max_len, self.truncating,
                                            fallbacks=self.fallbacks).fit(train_texts)
        training_words = len(self.tokenizer_.words_)
        sources = load_sources(self.embeddings, self.tokenizer_.words_,
                               weights=self.embedding_weights, fallbacks=self.fallbacks,
                               corpus=train_texts, seed=seed or 0)
        if self.add_pretrained_words:
            room = (None if self.max_features is None
                    else self.max_features - training_words)
            self.tokenizer_.add_words(pretrained_words(
                sources, self.tokenizer_.words_, room, weights=self.embedding_weights))
        # After the vocabulary is complete: rare training words may resolve to added ones.
        sequences = self.tokenizer_.transform(train_texts)
        matrix, found = vocabulary_matrix(self.tokenizer_.words_, sources,
                                          first_id=FIRST_WORD_ID,
                                          weights=self.embedding_weights,
                                          fallbacks=self.fallbacks,
                                          seed=0 if seed is None else seed)
        training_rows = found[FIRST_WORD_ID:FIRST_WORD_ID + training_words]
        self.embedding_coverage_ = float(training_rows.sum() / max(training_words, 1))
        logger.info("vocabulary of %d training words, %.1f%% with a pre-trained vector, and "
                    "%d words of the vectors; %d training rows, %d validation rows",
                    training_words, 100 * self.embedding_coverage_,
                    len(self.tokenizer_.words_) - training_words, len(train_rows),
                    len(valid_rows))

        self.model_ = build_bilstm_attention(
            matrix, max_len=self.max_len, lstm_units=self.lstm_units,
            dense_units=self.dense_units, spatial_dropout=self.spatial_dropout,
            dropout=self.dropout, trainable_embeddings=self.trainable_embeddings,
            dtype_policy=self._dtype_policy(), seed=seed)
        train_batches = self._sequence_batches(sequences, target[train_rows], shuffle=True,
                                               seed=seed)
        self._compile(self._optimizer(len(train_batches)))

        valid_batches, valid_target = self._validation_data(texts, target, valid_rows)
        averaging = []
        self.swa_start_epoch_ = None
        if self.swa_start is not None:
            first = first_averaged_epoch(float(self.swa_start), self.epochs)
            self.swa_start_epoch_ = first + 1
            averaging.append(StochasticWeightAveraging(
                first, batch_norm_data=self._sequence_batches(sequences, None, shuffle=False)))
        self._train(train_batches, valid_batches, valid_target, averaging)
        self._choose_threshold(valid_batches, valid_target, "final model")
        return self

    def _optimizer(self, batches_per_epoch: int):
        learning_rate = self.learning_rate
        if self.cyclical_lr:
            # Half an epoch, unrounded: a cycle of exactly one epoch, which then ends at the
            # low point however many batches there are (see CyclicalLearningRate).
            step_size = (batches_per_epoch / 2 if self.clr_step_size == "auto"
                         else self.clr_step_size)
            learning_rate = CyclicalLearningRate(self.learning_rate, self.max_lr, step_size,
                                                 self.clr_mode, self.clr_gamma)
        return keras.optimizers.Adam(learning_rate=learning_rate)

    def _pads_dynamically(self) -> bool:
        return self.dynamic_padding

    def _sequences(self, texts: pa.Array):
        return self.tokenizer_.transform(self.normalizer_.transform(_rows(texts)))

    # --- saving ---------------------------------------------------------------------------
    def save(self, path, *, overwrite: bool = False) -> Path:
        """Write the fitted classifier to the directory ``path``: the Keras model
        (``model.keras``), the vocabulary (``vocabulary.json``) and the threshold, classes,
        history and parameters (``estimator.json``).

        The files are written to a temporary directory beside ``path``, which is then
        renamed into place, so ``path`` never holds a partial save. An existing ``path`` is
        an error unless ``overwrite``. ``BiLSTMClassifier.load(path)`` reads it back.
        KeyedVectors passed as ``embeddings`` are not written (the model holds the vectors
        it uses): the loaded classifier predicts the same, but needs them given again
        (``set_params(embeddings=...)``) before it is refitted. A normaliser other than
        ``EmbeddingNormalizer`` cannot be written as settings: pickle such a classifier.
        """
        check_is_fitted(self, "model_")
        if not isinstance(self.normalizer_, EmbeddingNormalizer):
            raise TypeError(f"save writes EmbeddingNormalizer settings as JSON and cannot "
                            f"write a {type(self.normalizer_).__name__}; pickle the "
                            "classifier instead (joblib.dump), which keeps any normaliser")
        return super().save(path, overwrite=overwrite)

    def _vocabulary_text(self) -> str:
        return json.dumps(self.tokenizer_.words_, ensure_ascii=False)

    def _text_step_settings(self) -> dict:
        return {"normalizer": _normalizer_settings(self.normalizer_)}

    def _restore_text_steps(self, vocabulary: str, state: dict) -> None:
        self.normalizer_ = EmbeddingNormalizer(**state["normalizer"])
        self.tokenizer_ = SequenceTokenizer.from_words(
            json.loads(vocabulary), max_len=self.max_len, truncating=self.truncating,
            fallbacks=self.fallbacks)

    def _json_params(self, params: dict) -> dict:
        if not all(is_named_source(source) for source in check_embeddings_param(
                params["embeddings"], params["embedding_weights"])):
            params["embeddings"] = None
        # Paths, NumPy numbers and tuples are written by json_value and json itself.
        if params["normalizer"] is not None:
            params["normalizer"] = _normalizer_settings(params["normalizer"])
        return params

    @classmethod
    def _params_from_json(cls, params: dict) -> dict:
        if params["normalizer"] is not None:
            params["normalizer"] = EmbeddingNormalizer(**params["normalizer"])
        params["fallbacks"] = tuple(params["fallbacks"])
        return params


def _rows(texts: pa.Array, rows: np.ndarray | None = None) -> np.ndarray:
    """Texts (those at ``rows``) as a 1-D object array, the column a normaliser takes."""
    if rows is not None:
        texts = take_rows(texts, rows)
    return texts.to_numpy(zero_copy_only=False)


def _normalizer_settings(normalizer: EmbeddingNormalizer) -> dict:
    settings = normalizer.get_params()
    if settings.get("misspellings") is not None:
        settings["misspellings"] = dict(settings["misspellings"])
    return settings
