"""Word embeddings, a stage of their own: loading pre-trained vectors, finding a word's
vector under another spelling, measuring a corpus's coverage, combining several sets of
vectors, and the weights of an embedding layer. ``MeanEmbedding`` and the neural models
build on it.

- Loading: ``load_embeddings`` (GloVe, Paragram, word2vec files), ``default_embeddings``
  (the shipped GloVe 6B 50-d), ``train_embeddings`` (word2vec or fastText on the corpus),
  ``load_embeddings_for`` (only what a corpus can use, from one file or several combined),
  ``named_embeddings`` (what ``embeddings="..."`` means wherever textclf takes it).
- Look-up: ``resolve_words`` and ``candidate_spellings`` try the ``FALLBACKS`` (case,
  stems, lemma) for a word missing as spelled; ``find_keys`` also says which step found
  each word.
- Coverage: ``embedding_coverage`` and its ``EmbeddingCoverage`` report.
- Combining: ``combine_embeddings`` (weighted mean or concatenation, word by word).
- Matrices: ``build_embedding_matrix`` for any vocabulary; ``load_sources``,
  ``pretrained_words`` and ``vocabulary_matrix`` for a model's own vocabulary.
- For estimators that take vectors as a parameter: ``check_embedding_source``,
  ``check_embeddings_param``, ``is_named_source``, ``check_fallbacks`` and
  ``SharedVectorsMixin`` (clones share loaded vectors instead of copying them).

Names are imported on first use, and nothing here imports Keras or TensorFlow; gensim is
loaded only by the functions that build KeyedVectors.
"""

from textclf._lazy import lazy_exports

_NAMES_BY_MODULE = {
    "._io": ("EmbeddingFormatError", "load_embeddings", "default_embeddings",
             "train_embeddings"),
    "._lookup": ("FALLBACKS", "check_fallbacks", "find_keys", "resolve_words",
                 "candidate_spellings"),
    "._coverage": ("EmbeddingCoverage", "embedding_coverage", "coverage_report"),
    "._combine": ("combine_embeddings",),
    "._matrix": ("build_embedding_matrix",),
    "._sources": ("load_embeddings_for", "named_embeddings", "is_named_source",
                  "check_embedding_source"),
    "._vocabulary": ("check_embeddings_param", "load_sources", "pretrained_words",
                     "vocabulary_matrix"),
    "._cloning": ("SharedVectorsMixin",),
}
_EXPORTS = {name: module for module, names in _NAMES_BY_MODULE.items() for name in names}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
