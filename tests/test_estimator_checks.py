"""scikit-learn's common estimator checks over every textclf transformer and model wrapper.

Add new estimators to ESTIMATORS; list a check in EXPECTED_FAILURES only with the reason.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from textclf.text import EmbeddingNormalizer, TextCleaner

ESTIMATORS = [
    TextCleaner(),
    TextCleaner(lemmatizer="spacy", stemmer="porter", stop_words=None, min_token_length=0),
    EmbeddingNormalizer(),
]

# Text normalisers return text. These checks compare two outputs with
# numpy.testing.assert_allclose, which cannot subtract strings; tests/test_text_*.py check
# the same properties (pickling, pipelines, row order and subsets, refitting) with string
# equality instead.
_TEXT_OUTPUT = "compares outputs with assert_allclose, which cannot compare text output"
_TEXT_NORMALIZER_FAILURES = {
    # A 1-D array is a column of texts, valid input rather than the error this expects.
    "check_fit1d": "1-D input is a column of texts, which text normalisers accept by design",
    **dict.fromkeys(["check_transformer_general", "check_transformer_data_not_an_array",
                     "check_estimators_pickle", "check_pipeline_consistency",
                     "check_methods_sample_order_invariance", "check_methods_subset_invariance",
                     "check_fit_idempotent"], _TEXT_OUTPUT),
}
EXPECTED_FAILURES = {
    "TextCleaner": _TEXT_NORMALIZER_FAILURES,
    "EmbeddingNormalizer": _TEXT_NORMALIZER_FAILURES,
}


def expected_failures(estimator):
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)
