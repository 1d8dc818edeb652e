"""How much of each text view the default GloVe 6B 50-d vectors cover, with and without
the look-up fallbacks (lower case, upper case, title case, three stemmers, WordNet lemma).

Views: the raw text split at white space (baseline), ``TextCleaner()`` (the classical
view) and ``EmbeddingNormalizer()`` (the embedding view), on the shipped datasets and, when
present, the real Quora questions (train and test files together, as the vocabulary a
model meets). Then settings of ``EmbeddingNormalizer`` on the same data, what each fallback
step rescues, and the most frequent words of the embedding view that stay without a vector.
GloVe 6B is lower-cased and keeps digits, so the lower-case fallback and the digit mask
matter most.

    python -m benchmarks.embedding_coverage [--quora DIR] [--top 30]
        [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from benchmarks._common import QUORA, RESULTS, SHIPPED
from textclf._io import atomic_write
from textclf.data import load_dataset, read_test, read_train
from textclf.embeddings import FALLBACKS, default_embeddings, embedding_coverage
from textclf.text import EmbeddingNormalizer, TextCleaner

VIEWS = {
    "raw (white-space split)": None,
    "TextCleaner()": TextCleaner(),
    "EmbeddingNormalizer()": EmbeddingNormalizer(),
}
# Settings of the embedding view worth comparing against a lower-case, digit-keeping
# vocabulary such as GloVe 6B.
NORMALIZER_VARIANTS = {
    "EmbeddingNormalizer() (digits kept)": EmbeddingNormalizer(),
    "EmbeddingNormalizer(min_masked_digits=2) (digit runs of 2+ -> #)":
        EmbeddingNormalizer(min_masked_digits=2),
    "EmbeddingNormalizer(isolate_punctuation=False)":
        EmbeddingNormalizer(isolate_punctuation=False),
    "EmbeddingNormalizer(expand_contractions=False)":
        EmbeddingNormalizer(expand_contractions=False),
}


def datasets(quora: Path) -> dict[str, pd.Series]:
    """Question texts by dataset name; the Quora rows only where the files are."""
    texts = {name: load_dataset(name)["question_text"] for name in SHIPPED}
    train, test = quora / "train_natural.csv", quora / "test.csv"
    if train.is_file() and test.is_file():
        texts["quora (train + test)"] = pd.concat(
            [read_train(train)["question_text"], read_test(test)["question_text"]],
            ignore_index=True)
    return texts


def view_of(texts: pd.Series, normalizer) -> pd.Series:
    return texts if normalizer is None else normalizer.fit_transform(texts)


def percent(share: float) -> str:
    return f"{100 * share:.2f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quora", type=Path, default=QUORA,
                        help="folder with Kaggle's train_natural.csv and test.csv")
    parser.add_argument("--top", type=int, default=30, help="missing words to list")
    parser.add_argument("--output-dir", type=Path, default=RESULTS,
                        help="where embedding_coverage.md is written")
    args = parser.parse_args(argv)
    command = f"python -m benchmarks.embedding_coverage --top {args.top}"
    written_lines = [f"# Embedding coverage\n\n`{command}`\n"]

    def emit(text: str = "") -> None:
        print(text)
        written_lines.append(text)

    started = time.perf_counter()
    glove = default_embeddings()
    texts = datasets(args.quora)
    emit(f"GloVe 6B 50-d: {len(glove):,} words. Fallbacks: {', '.join(FALLBACKS)}.")
    if not any(name.startswith("quora") for name in texts):
        emit(f"Real Quora rows not found in {args.quora} (they are not shipped): shipped "
             "datasets only. Pass --quora DIR or set TEXTCLF_QUORA_DIR.")

    emit("\n## Coverage by view (% of distinct words / % of tokens with a vector)\n")
    emit("| dataset | view | texts | distinct words | vocab % exact | vocab % fallbacks "
         "| tokens % exact | tokens % fallbacks |")
    emit("|---|---|---:|---:|---:|---:|---:|---:|")
    rescues = []
    embedding_view_reports = {}
    for dataset, questions in texts.items():
        for view, normalizer in VIEWS.items():
            viewed = view_of(questions, normalizer)
            exact = embedding_coverage(viewed, glove, fallbacks=())
            full = embedding_coverage(viewed, glove, top=args.top)
            emit(f"| {dataset} | {view} | {len(questions):,} | {exact.vocabulary_size:,} | "
                 f"{percent(exact.vocabulary_coverage)} | {percent(full.vocabulary_coverage)} "
                 f"| {percent(exact.token_coverage)} | {percent(full.token_coverage)} |")
            rescues.append((dataset, view, full))
            if normalizer is VIEWS["EmbeddingNormalizer()"]:
                embedding_view_reports[dataset] = full

    emit("\n## Distinct words each fallback step rescued (after the steps before it)\n")
    emit("| dataset | view | " + " | ".join(FALLBACKS) + " |")
    emit("|---|---|" + "---:|" * len(FALLBACKS))
    for dataset, view, report in rescues:
        counts = " | ".join(f"{report.rescued_by[step]:,}" for step in FALLBACKS)
        emit(f"| {dataset} | {view} | {counts} |")

    emit("\n## EmbeddingNormalizer settings (with fallbacks)\n")
    emit("| dataset | setting | distinct words | vocab % | tokens % | missing tokens |")
    emit("|---|---|---:|---:|---:|---:|")
    for dataset, questions in texts.items():
        for setting, normalizer in NORMALIZER_VARIANTS.items():
            report = embedding_coverage(normalizer.fit_transform(questions), glove, top=0)
            emit(f"| {dataset} | {setting} | {report.vocabulary_size:,} | "
                 f"{percent(report.vocabulary_coverage)} | {percent(report.token_coverage)} | "
                 f"{report.n_tokens - report.covered_tokens:,} |")

    dataset = next((name for name in embedding_view_reports if name.startswith("quora")),
                   list(embedding_view_reports)[-1])
    emit(f"\n## {dataset}, EmbeddingNormalizer() view: most frequent words without a "
         "vector (after fallbacks)\n")
    emit(embedding_view_reports[dataset].to_markdown())
    emit(f"\n({time.perf_counter() - started:.0f} s)")
    written = atomic_write(args.output_dir / "embedding_coverage.md",
                           lambda tmp: tmp.write_text("\n".join(written_lines) + "\n"),
                           overwrite=True)
    print(f"written: {written}")


if __name__ == "__main__":
    main()
