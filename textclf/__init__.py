"""textclf: short-text binary classification, staged the way Kaggle's Quora winners worked.

Stages, each a subpackage: ``textclf.data`` (load and validate Kaggle-format CSVs and the
shipped datasets) -> ``textclf.text`` (classical and embedding-oriented normalisation).

Importing textclf stays light: no TensorFlow/Keras, no NLTK corpora until they are used.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
