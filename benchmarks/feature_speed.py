"""Texts per second of MetaFeatures and SentimentFeatures on real questions, one core.

The questions are Kaggle's labelled rows and test rows together (about 105k in the files
textclf's experiments use). Each feature builder runs ``fit_transform`` on the whole
column ``--repeats`` times and the best time counts; the first call also loads what it
needs (the stop-word list, the VADER and pattern lexicons), so the best time is the warm
one. For reference the table starts with the Quora seed kernel's way of computing the meta
features, one ``pandas.apply`` per feature, whose output MetaFeatures must reproduce: the
script checks that the two agree on every row. Arrow is limited to one thread, so every
figure is for one core.

    python -m benchmarks.feature_speed [--train PATH --test PATH] [--rows N] [--repeats 3]
"""

from __future__ import annotations

import argparse
import string

import numpy as np
import pandas as pd
import pyarrow as pa

from benchmarks._common import add_question_options, best_time, questions_of
from textclf.features import MetaFeatures, SentimentFeatures
from textclf.nltk_resources import english_stopwords


def seed_meta_features(questions: pd.Series) -> np.ndarray:
    """MetaFeatures' columns the seed kernel's way: a pandas ``apply`` of a Python
    expression per feature and per row."""
    stop_words = english_stopwords()
    text = questions.astype(object)
    words = text.apply(lambda x: str(x).split())
    n_words = words.apply(len)
    n_unique = words.apply(lambda w: len(set(w)))
    n_chars = text.apply(lambda x: len(str(x)))
    n_stop = text.apply(lambda x: len([w for w in str(x).lower().split() if w in stop_words]))
    n_punctuation = text.apply(lambda x: len([c for c in str(x) if c in string.punctuation]))
    n_upper = words.apply(lambda w: len([x for x in w if x.isupper()]))
    n_title = words.apply(lambda w: len([x for x in w if x.istitle()]))
    mean_length = words.apply(lambda w: np.mean([len(x) for x in w]) if w else 0.0)
    n_question = text.apply(lambda x: str(x).count("?"))
    n_exclamation = text.apply(lambda x: str(x).count("!"))
    counts = [n_words, n_unique, n_chars, n_stop, n_punctuation, n_upper, n_title,
              mean_length, n_question, n_exclamation]
    columns = [column.to_numpy(dtype=float) for column in counts]

    def ratio(numerator, denominator):
        return np.divide(numerator, denominator, out=np.zeros(len(numerator)),
                         where=denominator > 0)

    columns += [ratio(columns[1], columns[0]), ratio(columns[3], columns[0]),
                ratio(columns[5], columns[0]), ratio(columns[6], columns[0]),
                ratio(columns[4], columns[2])]
    return np.column_stack(columns)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_question_options(parser)
    args = parser.parse_args(argv)

    questions = questions_of(args)
    threads = pa.cpu_count()
    pa.set_cpu_count(1)
    try:
        report(questions, args.repeats)
    finally:
        pa.set_cpu_count(threads)


def report(questions: pd.Series, repeats: int) -> None:
    """Time every feature builder on ``questions`` and print the Markdown table."""
    meta_builders = [
        ("seed kernel meta features (pandas apply)", lambda: seed_meta_features(questions)),
        ("MetaFeatures() (15 features)", lambda: MetaFeatures().fit_transform(questions)),
        ('MetaFeatures(features=["n_words", "n_chars", "n_question_marks"])',
         lambda: MetaFeatures(features=["n_words", "n_chars", "n_question_marks"])
         .fit_transform(questions)),
    ]
    sentiment_builders = [
        ('SentimentFeatures(analyzers=["vader"])',
         lambda: SentimentFeatures(analyzers=["vader"]).fit_transform(questions)),
        ('SentimentFeatures(analyzers=["textblob"])',
         lambda: SentimentFeatures(analyzers=["textblob"]).fit_transform(questions)),
        ("SentimentFeatures() (both)", lambda: SentimentFeatures().fit_transform(questions)),
    ]
    meta_seconds = [best_time(build, repeats)[0] for _, build in meta_builders]
    sentiment_seconds = [best_time(build, repeats)[0] for _, build in sentiment_builders]

    n_texts = len(questions)
    print(f"{n_texts:,} questions ({questions.nunique():,} distinct); best of "
          f"{repeats} runs; one core\n")
    print("| features | seconds | texts/s | speed-up over the seed |")
    print("|---|---:|---:|---:|")
    for (name, _), seconds in zip(meta_builders, meta_seconds):
        print(f"| {name} | {seconds:.3f} | {n_texts / seconds:,.0f} | "
              f"{meta_seconds[0] / seconds:.1f}x |")
    for (name, _), seconds in zip(sentiment_builders, sentiment_seconds):
        print(f"| {name} | {seconds:.3f} | {n_texts / seconds:,.0f} | |")

    same = np.isclose(MetaFeatures().fit_transform(questions),
                      seed_meta_features(questions)).all(axis=1)
    print(f"\nMetaFeatures and the seed's expressions agree on {same.sum():,} of "
          f"{n_texts:,} rows")
    for position in np.flatnonzero(~same)[:5]:
        print(f"  differs: {questions.iloc[position]!r}")


if __name__ == "__main__":
    main()
