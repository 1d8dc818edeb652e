"""textclf: short-text binary classification, staged the way Kaggle's Quora winners worked.

Stages, each a subpackage, in the order a text meets them:

- ``textclf.data``: load and validate Kaggle-format CSVs and the shipped datasets; folds
  and splits that keep repeated texts together;
- ``textclf.text``: classical and embedding-oriented normalisation;
- ``textclf.embeddings``: word vectors: loading, look-up fallbacks, coverage, combining;
- ``textclf.features``: scikit-learn transformers from texts to numbers;
- ``textclf.models``: the out-of-fold engine, the classical models, stacking, and the
  networks (``textclf.models.neural``);
- ``textclf.metrics``: F1 threshold search, scores, error analysis;
- ``textclf.tracking``: MLflow runs, the served model;
- ``textclf.submission``: Kaggle's ``qid,prediction`` file;
- ``textclf.study``: the approach registry and the study runner behind ``textclf run``.

Importing textclf stays light: no TensorFlow/Keras, no NLTK corpora until they are used.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
