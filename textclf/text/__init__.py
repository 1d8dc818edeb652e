"""Stage 2, text normalisation: scikit-learn transformers from texts to texts.

``TextCleaner`` gives the classical view (for TF-IDF, counts, LDA, naive Bayes);
``EmbeddingNormalizer`` gives the view that matches pre-trained word vectors best.
"""

from ._cleaner import TextCleaner
from ._embedding_normalizer import EmbeddingNormalizer

__all__ = ["EmbeddingNormalizer", "TextCleaner"]
