"""Stage 4, models: out-of-fold predictions, the classical model zoo and stacking.

Example::

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from textclf.models import logistic_regression, oof_predict

    model = make_pipeline(TfidfVectorizer(), logistic_regression())
    result = oof_predict(model, train["question_text"], train["target"],
                         test["question_text"])
    result.crossfit_f1                 # out-of-fold F1, thresholds cross-fitted
    result.f1, result.best_threshold   # tuned F1 at the best out-of-fold threshold
    result.test_labels                 # 0/1 test predictions at that threshold

- ``oof_predict`` -> ``OofResult``: the k-fold engine every approach goes through;
  ``comparison_table`` ranks several results.
- The zoo: ``logistic_regression``, ``lightgbm_classifier`` (``LightGBMClassifier``),
  ``multinomial_nb``, ``bernoulli_nb``, ``nb_logistic_regression``
  (``NBLogisticRegression``); ``make_model(name)`` over ``MODELS``.
- ``StackingEnsemble`` over several approaches' results, lined up by ``stack_inputs``.
- ``FoldEnsemble`` (an approach's fold models, averaged: its fold-averaged test
  probabilities as a model to serve) and ``StackedEnsemble`` (the stack over them).
- The neural approach (``textclf.models.neural``): ``BiLSTMClassifier``,
  ``build_bilstm_attention``, ``AttentionPooling``, ``CyclicalLearningRate``,
  ``StochasticWeightAveraging``.

Names are imported on first use, so ``import textclf.models`` loads neither LightGBM nor
Keras/TensorFlow; accessing a neural name (``textclf.models.BiLSTMClassifier``) is what
imports Keras.
"""

from textclf._lazy import lazy_exports

_EXPORTS = {
    "OofResult": "._oof",
    "oof_predict": "._oof",
    "comparison_table": "._comparison",
    "LightGBMClassifier": "._lightgbm",
    "NBLogisticRegression": "._nb_lr",
    "MODELS": "._zoo",
    "make_model": "._zoo",
    "logistic_regression": "._zoo",
    "lightgbm_classifier": "._zoo",
    "multinomial_nb": "._zoo",
    "bernoulli_nb": "._zoo",
    "nb_logistic_regression": "._zoo",
    "StackingEnsemble": "._stacking",
    "StackInputs": "._stacking",
    "stack_inputs": "._stacking",
    "probability_logit": "._stacking",
    "FoldEnsemble": "._fold_ensemble",
    "StackedEnsemble": "._fold_ensemble",
    "BiLSTMClassifier": ".neural",
    "TransformerClassifier": ".neural",
    "build_bilstm_attention": ".neural",
    "AttentionPooling": ".neural",
    "CyclicalLearningRate": ".neural",
    "StochasticWeightAveraging": ".neural",
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
