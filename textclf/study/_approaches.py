"""Every approach of the study, declared once: a name and how to build its estimator.

An approach is a scikit-learn estimator that takes a column of raw question texts and
predicts the probability of the positive class, so ``textclf.models.oof_predict`` can
evaluate it fold by fold (every learned step refitted inside each fold) and the stack can
combine them. The study, the command line, MLproject and the benchmarks look approaches up
here; ``select_approaches`` reads the names a user gives, with ``classical`` and ``all``.

The first eight reproduce the seed study (its out-of-fold F1 on the full 1.3M Quora rows
is kept for orientation); the ones after them are what textclf adds. ``bilstm`` is the
seed's neural network; Keras is imported only when a network or an encoder is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from .. import models
from ..features import (
    LdaTopics,
    MeanEmbedding,
    MetaFeatures,
    SentenceEncoder,
    SentimentFeatures,
    count_vectorizer,
    tfidf_vectorizer,
)
from ..models import (
    bernoulli_nb,
    lightgbm_classifier,
    logistic_regression,
    multinomial_nb,
    nb_logistic_regression,
)
from ..text import EmbeddingNormalizer, TextCleaner


@dataclass(frozen=True)
class Approach:
    name: str
    summary: str
    build: Callable[[], BaseEstimator]
    # Out-of-fold F1 the seed study reported on Kaggle's 1.3M training rows (None: not in it).
    seed_quora_f1: float | None = None
    # Runs a network (Keras; minutes per fold on a CPU), so left out of the "classical"
    # selection.
    neural: bool = False
    # Run only when named: left out of "all" (fine-tuning a transformer takes hours on a CPU).
    by_name_only: bool = False


def _bilstm():
    # A CPU-sized run of the seed's network (it trained 10 epochs of batch 512 on a GPU and
    # averaged from the 5th): 8 epochs of batch 128, averaging the weights of the last half
    # (epochs 5 to 8), a share that still averages several snapshots when --epochs is small.
    # Smaller batches give small datasets enough optimiser steps (benchmarks/README.md, the
    # network's section, compares the two). Each epoch is one learning-rate cycle ending at its
    # low point, where the snapshot is taken. The study thresholds the out-of-fold
    # probabilities itself, so nothing is held out for the network's own threshold: it
    # trains on all of the fold's rows, as the classical models do.
    return models.BiLSTMClassifier(epochs=8, batch_size=128, swa_start=0.5,
                                   validation_fraction=None, random_state=42)


def _dense_lr():
    # Dense, standardised features: lbfgs rather than liblinear, and a weaker penalty than
    # the C=0.1 the seed chose for millions of sparse n-grams.
    return logistic_regression(solver="lbfgs", C=1.0)


def _word_lr():
    # Word n-grams alone: lbfgs reaches liblinear's held-out ROC-AUC in about half the time
    # at Kaggle scale and scores the same on the real Quora rows; with character n-grams
    # liblinear stays, lbfgs lost ROC-AUC there (python -m benchmarks.lr_solvers).
    return logistic_regression(solver="lbfgs")


def _minilm_finetune():
    # Two epochs at 3e-5 with a 10% warm-up, the usual recipe for a small BERT; all rows train
    # (the study thresholds the out-of-fold probabilities itself).
    return models.TransformerClassifier(epochs=2, batch_size=32, learning_rate=3e-5,
                                        validation_fraction=None, random_state=42)


APPROACHES: dict[str, Approach] = {a.name: a for a in [
    Approach("meta_lr", "meta features (counts, ratios) + logistic regression",
             lambda: make_pipeline(MetaFeatures(), StandardScaler(), _dense_lr()), 0.27),
    Approach("sentiment_lda_lr", "VADER/TextBlob sentiment + LDA topics + logistic regression",
             lambda: make_pipeline(
                 make_union(SentimentFeatures(),
                            make_pipeline(TextCleaner(), LdaTopics(random_state=42))),
                 StandardScaler(), _dense_lr()), 0.34),
    Approach("tfidf_lr", "cleaned text, word 1-2-gram TF-IDF + logistic regression",
             lambda: make_pipeline(TextCleaner(), tfidf_vectorizer("word"), _word_lr()),
             0.587),
    # LightGBM learns from the 5,000 n-grams most dependent on the label (chi-squared), not
    # the whole vocabulary: its set-up walks every row for every sparse column (lightgbm
    # issue #5205), so a Kaggle-size fold with the whole vocabulary does not finish in time;
    # the F1 this costs is in benchmarks/README.md, "At Kaggle scale".
    Approach("tfidf_lgbm", "cleaned text, word 1-2-gram TF-IDF, the 5,000 n-grams with the "
             "largest chi-squared + LightGBM",
             lambda: make_pipeline(TextCleaner(), tfidf_vectorizer("word"),
                                   SelectKBest(chi2, k=5_000), lightgbm_classifier()), 0.591),
    Approach("count_lr", "cleaned text, word 1-2-gram counts + logistic regression",
             lambda: make_pipeline(TextCleaner(), count_vectorizer("word"), _word_lr()),
             0.592),
    Approach("count_mnb", "cleaned text, word 1-2-gram counts + multinomial naive Bayes",
             lambda: make_pipeline(TextCleaner(), count_vectorizer("word"), multinomial_nb()),
             0.55),
    Approach("count_bnb", "cleaned text, word presence + Bernoulli naive Bayes",
             lambda: make_pipeline(TextCleaner(), count_vectorizer("binary"), bernoulli_nb()),
             0.53),
    Approach("glove_lr", "embedding-normalised text, TF-IDF-weighted mean and max GloVe "
             "vectors + logistic regression",
             lambda: make_pipeline(EmbeddingNormalizer(),
                                   MeanEmbedding(weighting="tfidf", pooling=("mean", "max")),
                                   StandardScaler(), _dense_lr())),
    # Beyond the seed: raw text keeps the stop words ("why do", "are all") and the case and
    # punctuation that insincere questions lean on; character n-grams cover misspellings.
    Approach("wordchar_lr", "raw text, word + char n-gram TF-IDF + logistic regression",
             lambda: make_pipeline(tfidf_vectorizer("word+char"),
                                   logistic_regression())),
    Approach("wordchar_nblr", "raw text, word + char n-gram TF-IDF + NB-weighted logistic "
             "regression",
             lambda: make_pipeline(tfidf_vectorizer("word+char"), nb_logistic_regression())),
    # Beyond the seed: a frozen pre-trained sentence encoder. Its vectors carry meaning that
    # n-grams miss (paraphrases, unseen words) and miss cue words n-grams catch, so it adds
    # most inside the stack. On the real Quora rows the penalty hardly matters, so it keeps
    # the sparse models' C=2.
    Approach("minilm_lr", "raw text, frozen all-MiniLM-L6-v2 sentence vectors (mean-pooled, "
             "unit length) + logistic regression",
             lambda: make_pipeline(SentenceEncoder(), logistic_regression()), neural=True),
    Approach("minilm_finetune", "raw text, all-MiniLM-L6-v2 fine-tuned end to end with a "
             "sigmoid head (AdamW, warm-up and linear decay, 2 epochs)", _minilm_finetune,
             neural=True, by_name_only=True),
    # The seed reported no out-of-fold F1 for its network, only Kaggle's private leaderboard
    # score of its submission (0.68875), which is not comparable: another metric set, the
    # threshold tuned differently, a full 1.3M-row training on a GPU.
    Approach("bilstm", "embedding-normalised text, frozen GloVe vectors, BiLSTM + attention "
             "+ pooling, cyclical learning rate and weight averaging (Keras)", _bilstm,
             neural=True),
]}

# The stack is not an approach of its own: its logistic regression combines the out-of-fold
# probabilities of the other approaches of the same invocation (every one of them, neural
# ones included, unless the bases are named).
STACK = "stack"
# The approaches that fit in seconds to minutes on a CPU.
CLASSICAL = tuple(name for name, approach in APPROACHES.items() if not approach.neural)
# What "all" runs: every approach but those run only when named.
ALL = tuple(name for name, approach in APPROACHES.items() if not approach.by_name_only)
# The seed's stacked out-of-fold F1 on the 1.3M Quora rows.
SEED_STACK_QUORA_F1 = 0.604


def get_approach(name: str) -> Approach:
    """The approach called ``name``; a ValueError naming every approach otherwise."""
    if name not in APPROACHES:
        raise ValueError(f"unknown approach {name!r}; the approaches are {sorted(APPROACHES)}"
                         f" and {STACK!r}")
    return APPROACHES[name]


def select_approaches(names: Sequence[str], *, allow_stack: bool = True) -> list[str]:
    """Approach names as a user gives them (each may be comma-separated), with ``all`` and
    ``classical`` expanded, each name checked, repeats dropped, order kept.

    ``all`` and ``classical`` bring the stack when ``allow_stack``; otherwise naming the
    stack is an error (the stack cannot be one of its own bases).
    """
    stack = [STACK] if allow_stack else []
    groups = {"all": [*ALL, *stack], "classical": [*CLASSICAL, *stack]}
    known = [*APPROACHES, *stack]
    selected = []
    for part in (part for name in names for part in name.split(",") if part):
        if part in groups:
            selected += groups[part]
        elif part in known:
            selected.append(part)
        else:
            raise ValueError(f"unknown approach {part!r}; choose from "
                             f"{', '.join([*known, *groups])}")
    return list(dict.fromkeys(selected))


def stack_bases_of(approaches: Sequence[str], stack_bases: Sequence[str] | None) -> list[str]:
    """What the stack of a study combines: ``stack_bases`` when named, else every other
    approach of ``approaches``."""
    bases = list(stack_bases) if stack_bases else [a for a in approaches if a != STACK]
    if STACK in bases:
        raise ValueError("the stack cannot be one of its own bases")
    if len(bases) < 2:
        raise ValueError(f"the stack needs at least two base approaches; got {bases}")
    return bases
