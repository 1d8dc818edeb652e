"""Time per word of every feature builder, text normaliser and model, by text length.

A builder whose cost is linear in the words it reads takes the same time per word on
short and long texts; one that rescans a text for each of its words (VADER before it
scored long texts per sentence) takes longer per word the longer the texts. So every
builder of textclf runs on texts of 20, 200 and 2,000 words (``--lengths``), with the
same words in all (``--words-per-length`` of them), and the table gives microseconds per
word at each length and the ratio longest/shortest; a ratio near 1 (or below) is linear.

The texts are real: the rows of the shipped datasets (``womens_clothing_not_recommended``
and ``sms_spam``), shuffled once (seed 0) and joined, class by class, into one stream of
words per class, which is cut into consecutive texts of exactly the length. A fifth of the
texts come from the positive rows (not recommended reviews, spam) and are labelled 1, so
the models have a real task. At every length the texts hold the first words of the same
two streams: the 2,000-word texts are the 20-word texts joined.

What is timed, on one core (Arrow and BLAS limited to one thread), best of ``--repeats``
rounds in which the lengths take turns, after one untimed warm-up call on a few texts
(which loads lexicons and vectors):

- features (``textclf.features``): ``fit_transform`` of MetaFeatures and
  SentimentFeatures (each analyser on its own) on the raw texts; LdaTopics on
  ``TextCleaner`` output and MeanEmbedding on ``EmbeddingNormalizer`` output (the
  normalising is done beforehand, not timed); the TF-IDF presets "word" and "word+char"
  and ``count_vectorizer()`` on the raw texts;
- text normalisers (``textclf.text``): ``fit_transform`` of TextCleaner and
  EmbeddingNormalizer on the raw texts;
- models (``textclf.models``): ``fit`` of each zoo model on the ``tfidf_vectorizer("word")``
  features of the texts (vectorised beforehand) and their labels. Its time depends on
  rows and non-zeros rather than words, so per word it falls as texts grow;
- for reference, vaderSentiment's ``polarity_scores`` on each whole raw text: what the
  VADER columns of SentimentFeatures cost before texts of more than
  ``LONG_TEXT_WORDS`` words were scored per sentence.

    python -m benchmarks.text_length [--lengths 20 200 2000] [--words-per-length 100000]
        [--repeats 3] [--builders NAME ...] [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from threadpoolctl import threadpool_limits

from benchmarks._common import RESULTS
from textclf._io import atomic_write
from textclf.data import load_dataset
from textclf.features._sentiment import LONG_TEXT_WORDS, _vader_analyzer

DATASETS = ("womens_clothing_not_recommended", "sms_spam")
POSITIVE_SHARE = 0.2
WARM_UP_TEXTS = 200


@dataclass(frozen=True)
class Builder:
    name: str
    stage: str      # "features", "text" or "model"
    timed: str      # what the timed call does, for the table
    run: Callable   # run(inputs) -> anything; the timed call
    input: str      # which prepared view of the texts it takes (see prepare_inputs)


def _features():
    from textclf.features import (
        LdaTopics,
        MeanEmbedding,
        MetaFeatures,
        SentimentFeatures,
        count_vectorizer,
        tfidf_vectorizer,
    )

    return [
        Builder("MetaFeatures", "features", "MetaFeatures().fit_transform(raw)",
                lambda x: MetaFeatures().fit_transform(x.texts), "raw"),
        Builder("SentimentFeatures[vader]", "features",
                'SentimentFeatures(analyzers=["vader"]).fit_transform(raw)',
                lambda x: SentimentFeatures(analyzers=["vader"]).fit_transform(x.texts), "raw"),
        Builder("SentimentFeatures[textblob]", "features",
                'SentimentFeatures(analyzers=["textblob"]).fit_transform(raw)',
                lambda x: SentimentFeatures(analyzers=["textblob"]).fit_transform(x.texts),
                "raw"),
        Builder("LdaTopics", "features", "LdaTopics(random_state=0).fit_transform(cleaned)",
                lambda x: LdaTopics(random_state=0).fit_transform(x.texts), "cleaned"),
        Builder("tfidf_vectorizer[word]", "features",
                'tfidf_vectorizer("word").fit_transform(raw)',
                lambda x: tfidf_vectorizer("word").fit_transform(x.texts), "raw"),
        Builder("tfidf_vectorizer[word+char]", "features",
                'tfidf_vectorizer("word+char").fit_transform(raw)',
                lambda x: tfidf_vectorizer("word+char").fit_transform(x.texts), "raw"),
        Builder("count_vectorizer", "features", "count_vectorizer().fit_transform(raw)",
                lambda x: count_vectorizer().fit_transform(x.texts), "raw"),
        Builder("MeanEmbedding", "features", "MeanEmbedding().fit_transform(normalised)",
                lambda x: MeanEmbedding().fit_transform(x.texts), "normalised"),
    ]


def _normalisers():
    from textclf.text import EmbeddingNormalizer, TextCleaner

    return [
        Builder("TextCleaner", "text", "TextCleaner().fit_transform(raw)",
                lambda x: TextCleaner().fit_transform(x.texts), "raw"),
        Builder("EmbeddingNormalizer", "text", "EmbeddingNormalizer().fit_transform(raw)",
                lambda x: EmbeddingNormalizer().fit_transform(x.texts), "raw"),
    ]


def _fit_with(factory: Callable) -> Callable:
    """The timed call of a model builder: a fresh ``factory()`` fitted to the inputs."""
    return lambda x: factory().fit(x.texts, x.y)


def _models():
    from textclf import models

    names = ["logistic_regression", "lightgbm_classifier", "multinomial_nb", "bernoulli_nb",
             "nb_logistic_regression"]
    return [Builder(name, "model", f"{name}().fit(tfidf, y)",
                    _fit_with(getattr(models, name)), "tfidf")
            for name in names]


def _reference():
    def whole_texts(x):
        polarity_scores = _vader_analyzer().polarity_scores
        return [polarity_scores(text) for text in x.texts]

    # What SentimentFeatures' VADER columns cost before long texts were scored per sentence.
    return [Builder("vaderSentiment whole text", "reference",
                    "polarity_scores(text) for each raw text", whole_texts, "raw")]


def builders() -> list[Builder]:
    return [*_features(), *_normalisers(), *_models(), *_reference()]


BUILDER_NAMES = ["MetaFeatures", "SentimentFeatures[vader]", "SentimentFeatures[textblob]",
                 "LdaTopics", "tfidf_vectorizer[word]", "tfidf_vectorizer[word+char]",
                 "count_vectorizer", "MeanEmbedding", "TextCleaner", "EmbeddingNormalizer",
                 "logistic_regression", "lightgbm_classifier", "multinomial_nb",
                 "bernoulli_nb", "nb_logistic_regression", "vaderSentiment whole text"]


@dataclass(frozen=True)
class Inputs:
    texts: object   # list of str, or a sparse matrix for the models
    y: np.ndarray


def word_streams(seed: int = 0) -> dict[int, list[str]]:
    """Label -> the words of the shipped rows of that label, rows shuffled, in one list."""
    rows = pd.concat([load_dataset(name)[["question_text", "target"]] for name in DATASETS],
                     ignore_index=True)
    rows = rows.sample(frac=1.0, random_state=seed)
    return {label: " ".join(group["question_text"]).split()
            for label, group in rows.groupby("target")}


def texts_of_length(streams: dict[int, list[str]], words_per_text: int, total_words: int,
                    seed: int = 0) -> tuple[list[str], np.ndarray]:
    """``total_words // words_per_text`` texts of exactly ``words_per_text`` words each,
    a fifth of them positive, cut from the start of each class's stream, in a shuffled
    order (the same order for a given number of texts)."""
    n_texts = total_words // words_per_text
    n_positive = max(1, round(n_texts * POSITIVE_SHARE))
    texts, labels = [], []
    for label, count in ((1, n_positive), (0, n_texts - n_positive)):
        stream = streams[label]
        needed = count * words_per_text
        words = (stream * (needed // len(stream) + 1))[:needed]  # wraps round if short
        texts += [" ".join(words[start:start + words_per_text])
                  for start in range(0, needed, words_per_text)]
        labels += [label] * count
    order = np.random.default_rng(seed).permutation(n_texts)
    return [texts[i] for i in order], np.asarray(labels)[order]


def prepare_inputs(texts: list[str], y: np.ndarray, needed: set[str]) -> dict[str, Inputs]:
    """The views of the texts the builders take, made once, outside the timing."""
    from textclf.features import tfidf_vectorizer
    from textclf.text import EmbeddingNormalizer, TextCleaner

    views = {"raw": Inputs(texts, y)}
    if "cleaned" in needed:
        views["cleaned"] = Inputs(TextCleaner().fit_transform(texts), y)
    if "normalised" in needed:
        views["normalised"] = Inputs(EmbeddingNormalizer().fit_transform(texts), y)
    if "tfidf" in needed:
        views["tfidf"] = Inputs(tfidf_vectorizer("word").fit_transform(texts), y)
    return views


def _head(inputs: Inputs, n: int) -> Inputs:
    return Inputs(inputs.texts[:n], inputs.y[:n])


def measure(chosen: list[Builder], lengths: list[int], total_words: int,
            repeats: int) -> pd.DataFrame:
    streams = word_streams()
    needed = {builder.input for builder in chosen}
    corpora = {}
    for words_per_text in lengths:
        texts, y = texts_of_length(streams, words_per_text, total_words)
        corpora[words_per_text] = prepare_inputs(texts, y, needed)
    rows = []
    for builder in chosen:
        by_length = {n: views[builder.input] for n, views in corpora.items()}
        builder.run(_head(by_length[lengths[0]], WARM_UP_TEXTS))
        # The lengths take turns within each round, so a busy spell on a shared machine
        # slows all of them rather than one, and the best round of each counts.
        timings = {n: [] for n in lengths}
        for _ in range(repeats):
            for n, inputs in by_length.items():
                started = time.perf_counter()
                builder.run(inputs)
                timings[n].append(time.perf_counter() - started)
        for n, inputs in by_length.items():
            seconds = min(timings[n])
            texts = inputs.texts.shape[0] if hasattr(inputs.texts, "shape") else len(
                inputs.texts)
            rows.append({"builder": builder.name, "stage": builder.stage,
                         "timed": builder.timed, "words_per_text": n, "texts": texts,
                         "words": texts * n, "seconds": seconds,
                         "microseconds_per_word": seconds / (texts * n) * 1e6})
            print(f"{builder.name:30} {n:>6} words/text  {seconds:8.3f} s  "
                  f"{rows[-1]['microseconds_per_word']:8.3f} us/word", flush=True)
    table = pd.DataFrame(rows)
    shortest = table[table["words_per_text"] == min(lengths)].set_index("builder")
    table["ratio_to_shortest"] = (table["microseconds_per_word"]
                                  / table["builder"].map(shortest["microseconds_per_word"]))
    return table


def wide_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per builder: microseconds per word at each length, and longest/shortest."""
    lengths = sorted(table["words_per_text"].unique())
    wide = table.pivot(index="builder", columns="words_per_text",
                       values="microseconds_per_word")
    order = list(dict.fromkeys(table["builder"]))
    wide = wide.loc[order, lengths]
    wide.columns = [f"us/word at {length:,}" for length in lengths]
    wide[f"ratio {lengths[-1]:,}/{lengths[0]:,}"] = (wide.iloc[:, -1] / wide.iloc[:, 0])
    stages = table.drop_duplicates("builder").set_index("builder")
    wide.insert(0, "timed", stages.loc[order, "timed"].str.replace("|", "\\|"))
    wide.insert(0, "stage", stages.loc[order, "stage"])
    return wide.reset_index()


def report(table: pd.DataFrame, *, command: str, repeats: int) -> str:
    wide = wide_table(table)
    ratio = wide.columns[-1]
    above = wide.loc[(wide[ratio] > 2) & (wide["stage"] != "reference"), "builder"].tolist()
    totals = sorted(table["words"].unique())
    words_per_length = (f"{totals[0]:,}" if len(totals) == 1 else
                        f"{totals[0]:,} to {totals[-1]:,}")
    return "\n".join([
        "# Time per word by text length",
        "",
        f"Command: `{command}`",
        "",
        (f"Python {platform.python_version()}, {os.cpu_count()} CPU cores, "
         f"{platform.machine()}; one thread; best of {repeats}."),
        "",
        (f"{words_per_length} words per length, the same real words at every length "
         "(shipped reviews and text messages joined and cut into texts of exactly that many "
         "words; a fifth positive). Models are timed fitting on `tfidf_vectorizer(\"word\")` "
         "features; LdaTopics on TextCleaner output; MeanEmbedding on EmbeddingNormalizer "
         "output. The reference row is VADER called on each whole text, as SentimentFeatures "
         f"did before it scored texts of more than {LONG_TEXT_WORDS} words per sentence. A "
         "ratio near 1 or below means linear cost; above 2 means the time per word grows "
         "with the length of the texts."),
        "",
        wide.to_markdown(index=False, floatfmt=".2f"),
        "",
        ("Ratio above 2: " + ", ".join(above) + ".") if above else
        "No builder's time per word grows more than twofold from the shortest to the longest "
        "texts (the reference row aside).",
        ""])


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[20, 200, 2000],
                        help="words per text")
    parser.add_argument("--words-per-length", type=int, default=100_000,
                        help="words in all the texts of one length")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--builders", nargs="+", choices=BUILDER_NAMES, default=BUILDER_NAMES)
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    lengths = sorted(set(args.lengths))
    if lengths[0] < 1 or args.words_per_length < lengths[-1]:
        parser.error("--lengths must be positive and --words-per-length at least the "
                     "longest length")

    chosen = [builder for builder in builders() if builder.name in args.builders]
    threads = pa.cpu_count()
    pa.set_cpu_count(1)
    try:
        with threadpool_limits(1):
            table = measure(chosen, lengths, args.words_per_length, args.repeats)
    finally:
        pa.set_cpu_count(threads)

    command = " ".join(["python -m benchmarks.text_length",
                        *(argv if argv is not None else sys.argv[1:])])
    text = report(table, command=command, repeats=args.repeats)
    print("\n" + text)
    atomic_write(args.output_dir / "text_length.csv",
                 lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g"),
                 overwrite=True)
    written = atomic_write(args.output_dir / "text_length.md",
                           lambda tmp: tmp.write_text(text), overwrite=True)
    print(f"written: {written.resolve()}")
    return table


if __name__ == "__main__":
    main()
