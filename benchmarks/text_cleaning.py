"""TextCleaner against the Quora seed kernel's pandas-apply cleaning, on real questions.

The reference below is the seed's code path: lower-case through split/join, the regexes
``[^\\w\\s]`` and ``[0-9]``, a stop-word list and a ``len > 2`` filter, then
``WordNetLemmatizer().lemmatize(word, "v")`` for every word, each step a pandas ``apply``.
Both sides are timed warm (best of ``--repeats`` calls after WordNet is loaded) and cold
(one call in a fresh interpreter, loading WordNet included).
``TextCleaner(lemmatizer="wordnet-verb")`` performs the seed's exact steps, so its output
is compared with the reference token for token.

    python -m benchmarks.text_cleaning [--train PATH --test PATH] [--rows N] [--repeats 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from benchmarks._common import add_question_options, best_time, questions_of
from textclf.nltk_resources import english_stopwords, find_resource
from textclf.text import TextCleaner


def seed_cleaning(questions: pd.Series, lemmatizer, stop_words: list[str]) -> pd.Series:
    """The seed kernel's cleaning, as it was written (a list of stop words included)."""
    text = questions.astype(object)
    text = text.apply(lambda x: " ".join(word.lower() for word in x.split()))
    text = text.str.replace(r"[^\w\s]", "", regex=True)
    text = text.str.replace("[0-9]", "", regex=True)
    text = text.apply(lambda x: " ".join(word for word in x.split() if word not in stop_words))
    text = text.apply(lambda x: " ".join(word for word in x.split() if len(word) > 2))
    return text.apply(lambda x: " ".join(lemmatizer.lemmatize(word, "v") for word in x.split()))


def seed_lemmatizer():
    find_resource("wordnet")
    from nltk.stem import WordNetLemmatizer

    return WordNetLemmatizer()


def run_cold(questions: list[str], cleaning: str) -> float:
    """Seconds for a first call in this interpreter, resources loaded on the way."""
    series = pd.Series(questions, dtype="str")
    started = time.perf_counter()
    if cleaning == "seed":
        seed_cleaning(series, seed_lemmatizer(), sorted(english_stopwords()))
    else:
        TextCleaner(lemmatizer=cleaning).fit_transform(series)
    return time.perf_counter() - started


def cold_time(questions: pd.Series, cleaning: str) -> float:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        return fresh.submit(run_cold, questions.tolist(), cleaning).result()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_question_options(parser)
    args = parser.parse_args(argv)

    questions = questions_of(args)

    lemmatizer = seed_lemmatizer()
    stop_words = sorted(english_stopwords())
    seed_output = seed_cleaning(questions, lemmatizer, stop_words)
    same_steps = TextCleaner(lemmatizer="wordnet-verb").fit_transform(questions)
    sides = [("seed pandas-apply", "seed",
              lambda: seed_cleaning(questions, lemmatizer, stop_words)),
             ('TextCleaner(lemmatizer="wordnet-verb")', "wordnet-verb",
              lambda: TextCleaner(lemmatizer="wordnet-verb").fit_transform(questions)),
             ("TextCleaner() (verb, then noun lemma)", "wordnet",
              lambda: TextCleaner().fit_transform(questions))]
    timings = [(name, best_time(call, args.repeats)[0], cold_time(questions, cleaning))
               for name, cleaning, call in sides]

    differing = (seed_output.to_numpy() != same_steps.to_numpy())
    print(f"{len(questions):,} questions; best of {args.repeats} runs\n")
    print("| cleaning | seconds (warm) | seconds (cold) | speed-up (warm) | speed-up (cold) |")
    print("|---|---:|---:|---:|---:|")
    _, seed_warm, seed_cold = timings[0]
    for name, warm, cold in timings:
        print(f"| {name} | {warm:.3f} | {cold:.3f} | {seed_warm / warm:.1f}x | "
              f"{seed_cold / cold:.1f}x |")
    print(f"\nsame steps, same output: {len(questions) - differing.sum():,} of "
          f"{len(questions):,} rows identical")
    for position in differing.nonzero()[0][:5]:
        print(f"  differs: {questions.iloc[position]!r}\n"
              f"    seed:     {seed_output.iloc[position]!r}\n"
              f"    textclf:  {same_steps.iloc[position]!r}")


if __name__ == "__main__":
    main()
