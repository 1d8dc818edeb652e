"""Stage 3, features: scikit-learn transformers from text columns to numbers.

Word vectors themselves (loading, look-up, coverage, combining, matrices) are the stage
``textclf.embeddings``; ``MeanEmbedding`` pools them into features.

Names are imported on first use, so ``import textclf.features`` stays light and gensim is
loaded only by the parts that need it.
"""

from textclf._lazy import lazy_exports

_EXPORTS = {
    "MetaFeatures": "._meta",
    "SentimentFeatures": "._sentiment",
    "LdaTopics": "._lda",
    "tfidf_vectorizer": "._vectorizers",
    "count_vectorizer": "._vectorizers",
    "WordwiseTfidfVectorizer": "._wordwise",
    "WordwiseCountVectorizer": "._wordwise",
    "MeanEmbedding": "._mean_embedding",
    "SentenceEncoder": "._sentence_encoder",
    "cache_features": "._cache",
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
