"""The neural approach: a bidirectional LSTM with attention and pooling over pre-trained
word vectors, trained with a cyclical learning rate and stochastic weight averaging on
length-bucketed, dynamically padded batches.

- ``BiLSTMClassifier``: the whole approach as a scikit-learn estimator (texts in,
  probabilities out; ``save``/``load``; picklable for ``oof_predict``).
- ``build_bilstm_attention``: the Keras network; ``AttentionPooling`` and the masked
  poolings it uses.
- ``CyclicalLearningRate`` (Smith 2017) and ``StochasticWeightAveraging`` (Izmailov et al.
  2018), usable with any Keras model; ``recompute_batch_norm_statistics``.
- ``SequenceTokenizer`` / ``TokenSequences``: texts to ragged id sequences;
  ``BucketedBatches`` / ``plan_batches``: the batches fed to Keras.

Everything is written with Keras 3 layers and ``keras.ops`` (no TensorFlow calls), so it
runs on the TensorFlow backend (the default) and on JAX or PyTorch: set ``KERAS_BACKEND``
before Keras is first imported. Names are imported on first use: the tokenizer alone does
not load Keras.
"""

from textclf._lazy import lazy_exports

_EXPORTS = {
    "BiLSTMClassifier": "._classifier",
    "TransformerClassifier": "._transformer",
    "build_bilstm_attention": "._architecture",
    "AttentionPooling": "._layers",
    "MaskedGlobalAveragePooling1D": "._layers",
    "MaskedGlobalMaxPooling1D": "._layers",
    "CyclicalLearningRate": "._schedules",
    "StochasticWeightAveraging": "._swa",
    "recompute_batch_norm_statistics": "._swa",
    "SequenceTokenizer": "._tokenizer",
    "TokenSequences": "._tokenizer",
    "BucketedBatches": "._batching",
    "plan_batches": "._batching",
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
