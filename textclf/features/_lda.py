"""Topic features: the topic mixture of each text under an LDA model learned by gensim.

Latent Dirichlet Allocation describes a text as a mixture of topics and a topic as a
distribution over words. Fitted on the training questions, it gives every question a small
dense vector (its topic proportions) that a classifier can use beside TF-IDF or meta
features, and a readable summary of what the corpus talks about (``top_words``) and which
topics one class leans to (``topic_distribution_by_class``).
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from joblib import effective_n_jobs
from scipy.special import psi
from sklearn.utils import check_consistent_length, check_random_state
from sklearn.utils._param_validation import StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from .._param_validation import N_JOBS, NonBoolInterval
from .._seeds import int_seed
from .._text_input import split_words
from ._base import TextFeatures

ALPHA_PRESETS = ("symmetric", "asymmetric", "auto")
ETA_PRESETS = ("symmetric", "auto")
# Texts whose topic mixture is inferred at once: bounds the (words in the batch) x
# (topics) arrays of the vectorised inference to a few MB at 10 topics.
_INFERENCE_BATCH = 8192


class LdaTopics(TextFeatures):
    """Topic proportions of each text under a gensim LDA model fitted on the training texts.

    Expects **cleaned** text: words separated by white space, as ``TextCleaner`` writes
    them. Raw questions work too, but then "What", "the" and "?"-glued words dominate the
    topics; put the cleaner in front::

        from sklearn.pipeline import make_pipeline
        from textclf.features import LdaTopics
        from textclf.text import TextCleaner

        topics = make_pipeline(TextCleaner(), LdaTopics(n_topics=10, random_state=0))
        X_topics = topics.fit_transform(train["question_text"])   # (n_texts, 10)

    ``fit`` builds a gensim ``Dictionary`` of the words, drops rare and very common ones
    (``Dictionary.filter_extremes``), and trains ``gensim.models.LdaModel`` on the bags of
    words (``LdaMulticore`` when ``n_jobs > 1``). ``transform`` returns, for each text, the
    dense topic proportions: ``n_topics`` non-negative numbers that sum to 1, named
    ``topic_0 ... topic_{n_topics-1}``. Each column of a 2-D input gets its own model.

    With more than ``max_docs`` training texts, the dictionary and the model are both
    learned from a seeded random sample of ``max_docs`` of them, and ``transform`` still
    gives every text its topics. The topics are inputs to a classifier, and a sample learns
    them as well.

    ``transform`` runs gensim's variational inference (the same updates as
    ``LdaModel.inference``) vectorised over a batch of texts with sparse-matrix algebra, and
    starts every text from the same point, the mean of gensim's random start: a text's
    topics depend only on the text and the model, not on its batch, its position or how
    often ``transform`` was called. It agrees with
    ``model.get_document_topics(bow, minimum_probability=0)`` to gensim's convergence
    tolerance where a text's posterior has one mode (nearly always). For a few short,
    ambiguous questions the posterior has two modes, and gensim's random start lands in one
    or the other from call to call; the fixed start always picks the same one. It is much
    faster than ``get_document_topics`` row by row.

    A text without a single word of the vocabulary (empty, or only unseen or filtered
    words) carries no evidence, so its topics are the model's prior: ``alpha`` normalised
    to sum to 1, which is uniform (``1/n_topics`` each) for the default symmetric
    ``alpha``. That is also gensim's answer for an empty bag of words.

    Cost: training is linear in the number of words it sees, in ``passes`` and in
    ``n_topics``, so ``max_docs`` bounds it: at most ``max_docs`` texts x ``passes``,
    however large the training set. ``transform`` is linear in the number of texts it is
    given, and vectorised, so it stays cheap on every text: the default ``max_docs`` bounds
    the fit of a column of any size to what 50k texts cost (benchmarks/README.md).
    ``n_jobs > 1`` runs the training inference in worker processes; it pays off with
    several free cores (on two cores it was slower than one process).

    Parameters
    ----------
    n_topics : int, default=10
        Number of topics, and of output columns.
    passes : int, default=5
        Passes over the training texts. Short texts carry little evidence each, so a single
        pass leaves the topics noisy; 5 is a compromise between quality and cost.
    iterations : int, default=50
        Most variational updates per text, in training and in ``transform`` (gensim's
        default); a text stops earlier once its topic mixture has converged.
    chunksize : int, default=2000
        Texts per online update during training (gensim's default).
    no_below : int, default=5
        Drop words found in fewer than ``no_below`` texts: too rare to shape a topic.
    no_above : float, default=0.5
        Drop words found in more than this fraction of the texts: too common to tell topics
        apart.
    keep_n : int or None, default=100_000
        Then keep only the ``keep_n`` words found in most texts (None keeps all).
        ``no_below``, ``no_above`` and ``keep_n`` are gensim's ``filter_extremes`` defaults.
    alpha : {"symmetric", "asymmetric", "auto"}, float or array of n_topics floats, \
default="symmetric"
        Dirichlet prior on each text's topic mixture; "symmetric" is ``1/n_topics`` for
        every topic (gensim's default, and scikit-learn's). "auto" learns an asymmetric prior
        from the data (single process only).
    eta : {"symmetric", "auto"}, float or array, default="symmetric"
        Dirichlet prior on each topic's word distribution; "symmetric" is ``1/n_topics``.
    max_docs : int or None, default=50_000
        Most training texts to learn the vocabulary and the topics from, per column: a
        larger column is sampled without replacement (seeded by ``random_state``), keeping
        the sampled texts in their order. None learns from every text. ``transform`` always
        gives topics for every text.
    random_state : int, RandomState instance or None, default=None
        Seeds the training sample (see ``max_docs``), the initial topics and the training
        inference. An int gives the same topics and features on every fit (with
        ``n_jobs=1``).
    n_jobs : int or None, default=None
        Processes for training. None or 1: ``LdaModel`` in this process, deterministic for a
        fixed ``random_state``. More: ``LdaMulticore`` with that many worker processes; it
        merges the workers' results in the order they finish, so repeated fits may differ
        slightly. -1 means one worker per CPU.

    Raises
    ------
    ValueError
        From ``fit``, when the vocabulary filters leave no word (tiny input, or texts whose
        words are all unique, such as numbers); the message gives the counts and names
        ``no_below``, ``no_above`` and ``keep_n``. Topics learned from no words would be the
        prior for every text: constant features, silently useless to the classifier, so an
        error that says what to relax serves better than a fallback.

    Attributes
    ----------
    column_states_ : list
        One fitted topic model per input column (see ``models_``).
    models_ : list of gensim.models.LdaModel
        The fitted gensim models, one per input column; each one's ``id2word`` is its
        filtered ``Dictionary``. Use them for anything gensim offers (coherence, saving).
    n_docs_fitted_ : int
        Number of texts each column's vocabulary and topics were learned from: the number of
        training texts, or ``max_docs`` when it is smaller.
    n_features_in_ : int
        Number of text columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when they are strings.
    """

    _parameter_constraints: dict = {
        **TextFeatures._parameter_constraints,
        "n_topics": [NonBoolInterval(Integral, 1, None, closed="left")],
        "passes": [NonBoolInterval(Integral, 1, None, closed="left")],
        "iterations": [NonBoolInterval(Integral, 1, None, closed="left")],
        "chunksize": [NonBoolInterval(Integral, 1, None, closed="left")],
        "no_below": [NonBoolInterval(Integral, 0, None, closed="left")],
        "no_above": [NonBoolInterval(Real, 0, 1, closed="right")],
        "keep_n": [NonBoolInterval(Integral, 1, None, closed="left"), None],
        "max_docs": [NonBoolInterval(Integral, 1, None, closed="left"), None],
        # An array prior's values are checked in _check_params.
        "alpha": [StrOptions(set(ALPHA_PRESETS)), NonBoolInterval(Real, 0, None, closed="neither"),
                  "array-like"],
        "eta": [StrOptions(set(ETA_PRESETS)), NonBoolInterval(Real, 0, None, closed="neither"),
                "array-like"],
        "random_state": ["random_state"],
        "n_jobs": [*N_JOBS, None],
    }

    def __init__(self, *, n_topics: int = 10, passes: int = 5, iterations: int = 50,
                 chunksize: int = 2000, no_below: int = 5, no_above: float = 0.5,
                 keep_n: int | None = 100_000, max_docs: int | None = 50_000,
                 alpha="symmetric", eta="symmetric", random_state=None,
                 n_jobs: int | None = None):
        self.n_topics = n_topics
        self.passes = passes
        self.iterations = iterations
        self.chunksize = chunksize
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.max_docs = max_docs
        self.alpha = alpha
        self.eta = eta
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        super().fit(X, y)
        # Every column has as many texts, so every column's model saw as many.
        self.n_docs_fitted_ = self.column_states_[0].n_docs
        return self

    @property
    def models_(self) -> list:
        """The fitted gensim LDA models, one per input column."""
        return [state.model for state in self.column_states_]

    @validate_params({"n": [NonBoolInterval(Integral, 1, None, closed="left")]},
                     prefer_skip_nested_validation=True)
    def top_words(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` most probable words of each topic, most probable first.

        Returns a DataFrame with one row per topic, indexed by the feature names
        (``topic_0``, ...; ``<column>__topic_0`` with several columns), and columns
        ``1 ... n`` holding the words (fewer columns when the vocabulary is smaller).
        Their probabilities are ``models_[i].show_topic(topic, n)``.
        """
        check_is_fitted(self, "column_states_")
        rows = []
        for state in self.column_states_:
            topic_words = state.model.get_topics()
            n_words = min(n, topic_words.shape[1])
            # A stable sort keeps ties in vocabulary order, so the table is reproducible.
            best = np.argsort(-topic_words, axis=1, kind="stable")[:, :n_words]
            words = np.asarray(state.words.to_pylist(), dtype=object)
            rows += [list(words[ids]) for ids in best]
        return pd.DataFrame(rows, index=pd.Index(self.get_feature_names_out(), name="topic"),
                            columns=range(1, len(rows[0]) + 1))

    def topic_distribution_by_class(self, X, y) -> pd.DataFrame:
        """Mean topic proportions of the texts of each class: which topics a class leans to.

        Returns a DataFrame with one row per class (sorted, index named "class") and one
        column per feature (``topic_0``, ...). With one text column each row sums to 1.
        """
        check_consistent_length(X, y)
        topics = pd.DataFrame(self.transform(X), columns=self.get_feature_names_out())
        by_class = topics.groupby(np.asarray(y), sort=True).mean()
        by_class.index.name = "class"
        return by_class

    # --- per-column protocol ----------------------------------------------------------
    def _check_params(self) -> None:
        for name in ("alpha", "eta"):
            _check_prior_array(name, getattr(self, name))
        if self._workers() > 1 and isinstance(self.alpha, str) and self.alpha == "auto":
            raise ValueError("alpha='auto' is learned only by the single-process LdaModel: "
                             "set n_jobs=1, or give alpha as 'symmetric', 'asymmetric' or "
                             "numbers")

    def _fit_column(self, texts: pa.Array, y) -> _TopicModel:
        from gensim.corpora import Dictionary
        from gensim.matutils import Sparse2Corpus

        n_texts = len(texts)
        if self.max_docs is not None and n_texts > self.max_docs:
            sample = check_random_state(self.random_state).choice(
                n_texts, size=self.max_docs, replace=False)
            # Sorted, the sample streams through online LDA in the caller's order, as the
            # full column would.
            texts = texts.take(np.sort(sample))
        token_lists = split_words(texts)
        dictionary = Dictionary(token_lists.to_pylist())
        n_words = len(dictionary)
        dictionary.filter_extremes(no_below=self.no_below, no_above=self.no_above,
                                   keep_n=self.keep_n)
        if len(dictionary) == 0:
            raise ValueError(self._empty_vocabulary_message(len(texts), n_words,
                                                            sampled=len(texts) < n_texts))
        words = pa.array(sorted(dictionary.token2id, key=dictionary.token2id.get),
                         type=pa.large_string())
        corpus = Sparse2Corpus(_bags_of_words(token_lists, words), documents_columns=False)

        settings = {"corpus": corpus, "id2word": dictionary, "num_topics": self.n_topics,
                    "passes": self.passes, "iterations": self.iterations,
                    "chunksize": self.chunksize, "alpha": _as_prior(self.alpha),
                    "eta": _as_prior(self.eta), "random_state": int_seed(self.random_state),
                    # Perplexity estimates cost an extra inference pass and are only
                    # logged; the fitted model does not depend on them.
                    "eval_every": None}
        workers = self._workers()
        if workers > 1:
            from gensim.models import LdaMulticore

            model = LdaMulticore(workers=workers, **settings)
        else:
            from gensim.models import LdaModel

            model = LdaModel(**settings)
        return _TopicModel(model=model, words=words, n_docs=len(texts))

    def _transform_column(self, state: _TopicModel, texts: pa.Array) -> np.ndarray:
        bags = _bags_of_words(split_words(texts), state.words)
        return _topic_proportions(bags, state.model)

    def _feature_names(self, state: _TopicModel) -> list[str]:
        return [f"topic_{topic}" for topic in range(state.model.num_topics)]

    # --- helpers --------------------------------------------------------------------------
    def _workers(self) -> int:
        return 1 if self.n_jobs is None else effective_n_jobs(self.n_jobs)

    def _empty_vocabulary_message(self, n_samples: int, n_words: int, *,
                                  sampled: bool) -> str:
        texts = (f"{n_samples} texts sampled by max_docs={self.max_docs}" if sampled
                 else f"{n_samples} texts")
        if n_words == 0:
            return (f"LdaTopics found no words in the {texts} (n_samples={n_samples}): they "
                    "are all empty. It expects cleaned text, words separated by white space, "
                    "e.g. the output of TextCleaner.")
        most_texts = int(self.no_above * n_samples)
        more_texts = "raise max_docs" if sampled else "fit on more texts"
        return (f"LdaTopics: the vocabulary filter removed all {n_words} distinct words of the "
                f"{texts} (n_samples={n_samples}): no_below={self.no_below} drops words found "
                f"in fewer than {self.no_below} texts, no_above={self.no_above} drops words "
                f"found in more than {most_texts} texts, keep_n={self.keep_n}. Lower no_below "
                f"or raise no_above, or {more_texts}.")


@dataclass(frozen=True)
class _TopicModel:
    """What ``LdaTopics`` learns from one column: the gensim model, its vocabulary as an
    Arrow array (word id -> word) for vectorised look-ups, and how many texts it learned
    from."""

    model: object
    words: pa.Array
    n_docs: int


def _bags_of_words(token_lists: pa.ListArray, words: pa.Array) -> sp.csr_matrix:
    """Word counts of each text over ``words`` (unknown words dropped): a CSR matrix of
    shape (n_texts, n_words), built with one hash look-up over all tokens at once."""
    tokens = token_lists.flatten()
    word_ids = pc.index_in(tokens, value_set=words)
    known = word_ids.is_valid().to_numpy(zero_copy_only=False)
    lengths = pc.list_value_length(token_lists).to_numpy(zero_copy_only=False)
    text_ids = np.repeat(np.arange(len(token_lists)), lengths)[known]
    word_ids = word_ids.drop_null().to_numpy(zero_copy_only=False)
    # COO -> CSR adds up repeated (text, word) pairs into counts, with sorted word ids.
    return sp.coo_matrix((np.ones(len(word_ids)), (text_ids, word_ids)),
                         shape=(len(token_lists), len(words))).tocsr()


def _topic_proportions(bags: sp.csr_matrix, model) -> np.ndarray:
    """Each text's topic mixture (rows sum to 1) under a fitted gensim LDA model."""
    alpha = np.asarray(model.alpha, dtype=np.float64)
    topic_word_weights = np.asarray(model.expElogbeta, dtype=np.float64)
    epsilon = np.finfo(model.dtype).eps
    # Without a known word the variational update leaves the prior, alpha, unchanged.
    gamma = np.tile(alpha, (bags.shape[0], 1))
    with_words = np.flatnonzero(np.diff(bags.indptr))
    for start in range(0, len(with_words), _INFERENCE_BATCH):
        texts = with_words[start:start + _INFERENCE_BATCH]
        gamma[texts] = _variational_gamma(bags[texts], topic_word_weights, alpha,
                                          model.iterations, model.gamma_threshold, epsilon)
    return gamma / gamma.sum(axis=1, keepdims=True)


def _variational_gamma(counts: sp.csr_matrix, topic_word_weights: np.ndarray,
                       alpha: np.ndarray, iterations: int, gamma_threshold: float,
                       epsilon: float) -> np.ndarray:
    """gensim's per-text variational updates of gamma (Hoffman et al.'s online LDA), for a
    batch of texts at once.

    Each text stops, as in gensim, once the mean absolute change of its gamma falls below
    ``gamma_threshold``; only the texts still moving are updated further, so a text's result
    does not depend on the others in the batch.
    """
    gamma = np.ones((counts.shape[0], len(alpha)))
    exp_e_log_theta = np.exp(_dirichlet_expectation(gamma))
    moving = np.arange(counts.shape[0])
    for _ in range(iterations):
        batch = counts[moving]
        theta = exp_e_log_theta[moving]
        word_weights = topic_word_weights[:, batch.indices].T
        text_of_entry = np.repeat(np.arange(len(moving)), np.diff(batch.indptr))
        # phi's normaliser for every (text, word) entry, as gensim's np.dot(theta, beta_d).
        norm = np.einsum("ek,ek->e", theta[text_of_entry], word_weights) + epsilon
        scaled = sp.csr_matrix((batch.data / norm, batch.indices, batch.indptr),
                               shape=batch.shape)
        new_gamma = alpha + theta * (scaled @ topic_word_weights.T)
        change = np.abs(new_gamma - gamma[moving]).mean(axis=1)
        gamma[moving] = new_gamma
        exp_e_log_theta[moving] = np.exp(_dirichlet_expectation(new_gamma))
        moving = moving[change >= gamma_threshold]
        if not len(moving):
            break
    return gamma


def _dirichlet_expectation(gamma: np.ndarray) -> np.ndarray:
    """E[log theta] for theta ~ Dirichlet(gamma), row by row."""
    return psi(gamma) - psi(gamma.sum(axis=1, keepdims=True))


def _check_prior_array(name: str, value) -> None:
    """Raise ValueError unless an array prior holds positive numbers only (preset names and
    single numbers are left to the constraints)."""
    if isinstance(value, str) or np.ndim(value) == 0:
        return
    values = np.asarray(value)
    if values.dtype.kind not in "iuf" or values.size == 0 or not np.all(values > 0):
        raise ValueError(f"{name} must be a preset name, a positive number or an array of "
                         f"positive numbers, got {value!r}")


def _as_prior(value):
    """A prior as gensim takes it: preset names and floats as they are, arrays as float
    arrays (gensim checks their shape against the topics and the vocabulary)."""
    if isinstance(value, str) or np.ndim(value) == 0:
        return value if isinstance(value, str) else float(value)
    return np.asarray(value, dtype=np.float64)
