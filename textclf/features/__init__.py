"""Stage 3, features: scikit-learn transformers from text columns to numbers, and word
embeddings (loading, combining, coverage, matrices for the neural model).

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
    "load_embeddings": "._embedding_io",
    "default_embeddings": "._embedding_io",
    "train_embeddings": "._embedding_io",
    "EmbeddingFormatError": "._embedding_io",
    "combine_embeddings": "._embedding_combine",
    "load_embeddings_for": "._embedding_sources",
    "embedding_coverage": "._embedding_lookup",
    "build_embedding_matrix": "._embedding_matrix",
    "MeanEmbedding": "._mean_embedding",
    "SentenceEncoder": "._sentence_encoder",
    "cache_features": "._cache",
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
