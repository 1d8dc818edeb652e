"""TransformerClassifier (all-MiniLM-L6-v2 fine-tuned end to end): test F1 and seconds per
epoch.

Each dataset is split once, as ``benchmarks.neural_speed`` splits it (stratified, 80% train
/ 20% test, seed 42), so the figures sit beside the BiLSTM's. The classifier fine-tunes on
the train part (``--train-rows`` caps it with a stratified sample, for CPUs), holding 10%
of it out to choose its threshold, and is scored on the whole test part at that
threshold; ``test_best_f1`` is the best F1 on the test part (an upper bound). Seconds per
epoch are the classifier's own per-epoch timings (``history_["seconds"]``); the first
epoch includes compiling the training step.

``--quora`` may name any Quora-format training file, e.g. the 1.31M-row resampled file of
``benchmarks.scale_data`` for a GPU machine (``--backend jax --mixed-precision``).

    python -m benchmarks.transformer_finetune [--datasets sms_spam
        womens_clothing_not_recommended quora] [--quora PATH] [--epochs 2]
        [--train-rows N] [--batch-size 32] [--max-len 128] [--backend tensorflow|jax|torch]
        [--mixed-precision] [--seed 42] [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from textclf._io import atomic_write

from ._common import RESULTS, add_split_dataset_options
from .neural_speed import _header, _load, select_backend


def _train_part(y: np.ndarray, train: np.ndarray, rows: int | None, seed: int) -> np.ndarray:
    if rows is None or rows >= len(train):
        return train
    kept, _ = train_test_split(train, train_size=rows, stratify=y[train], random_state=seed)
    return np.sort(kept)


def measure(name: str, data: pd.DataFrame, args) -> dict:
    from textclf.metrics import best_f1_threshold, classification_scores
    from textclf.models import TransformerClassifier

    y = data["target"].to_numpy()
    train, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y,
                                   random_state=42)
    train = _train_part(y, train, args.train_rows, args.seed)
    texts = data["question_text"]
    model = TransformerClassifier(epochs=args.epochs, batch_size=args.batch_size,
                                  max_len=args.max_len, mixed_precision=args.mixed_precision,
                                  random_state=args.seed)
    started = time.perf_counter()
    model.fit(texts.iloc[train], y[train])
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    proba = model.predict_proba(texts.iloc[test])[:, 1]
    predict_seconds = time.perf_counter() - started
    scores = classification_scores(y[test], proba, model.threshold_)
    epoch_seconds = model.history_["seconds"]
    fitted_rows = round(len(train) * 0.9)  # the rest is the validation part
    row = {"dataset": name, "train_rows": len(train), "test_rows": len(test),
           "epochs": args.epochs, "test_f1": round(scores.f1, 4),
           "test_best_f1": round(best_f1_threshold(y[test], proba).f1, 4),
           "test_roc_auc": round(scores.roc_auc, 4), "threshold": round(model.threshold_, 3),
           "val_f1_by_epoch": " ".join(f"{f1:.4f}" for f1 in model.history_["val_f1"]),
           "first_epoch_s": round(epoch_seconds[0], 1),
           "last_epoch_s": round(epoch_seconds[-1], 1),
           "train_texts_per_s": round(fitted_rows / epoch_seconds[-1], 1),
           "fit_s": round(fit_seconds, 1),
           "predict_texts_per_s": round(len(test) / predict_seconds, 1)}
    print(f"  {name}: test F1 {row['test_f1']:.4f} (best {row['test_best_f1']:.4f}), "
          f"{row['last_epoch_s']:.0f} s per epoch over {fitted_rows:,} texts", flush=True)
    return row


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_split_dataset_options(parser,
                              "a Quora-format training file (read in place, never copied)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-rows", type=int, default=None,
                        help="fine-tune on a stratified sample of this many train rows")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-len", type=int, default=128)
    parser.add_argument("--backend", choices=["tensorflow", "jax", "torch"],
                        help="Keras backend (default: KERAS_BACKEND or tensorflow)")
    parser.add_argument("--mixed-precision", action="store_true",
                        help="float16 compute with float32 weights; for GPUs")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    backend = select_backend(parser, args.backend)
    if "quora" in args.datasets and not args.quora.is_file():
        print(f"No Quora rows at {args.quora}; the quora dataset is skipped.")
        args.datasets = [name for name in args.datasets if name != "quora"]

    table = pd.DataFrame([measure(name, _load(name, args.quora), args)
                          for name in args.datasets])
    command = " ".join(["python -m benchmarks.transformer_finetune",
                        *(argv if argv is not None else sys.argv[1:])])
    report = "\n".join([
        *_header("TransformerClassifier: fine-tuned all-MiniLM-L6-v2, test F1 and seconds "
                 "per epoch", command, backend),
        (f"80/20 stratified split (seed 42); {args.epochs} epochs of batches of "
         f"{args.batch_size}, max_len {args.max_len}, peak learning rate 3e-5 with warm-up "
         "and linear decay; threshold chosen on 10% of the train rows. train_texts_per_s "
         "is the last epoch's. Quora: the file named by --quora."), "",
        table.to_markdown(index=False), ""])
    suffix = "" if backend == "tensorflow" else f"_{backend}"
    atomic_write(args.output_dir / f"transformer_finetune{suffix}.csv",
                 lambda tmp: table.to_csv(tmp, index=False), overwrite=True)
    written = atomic_write(args.output_dir / f"transformer_finetune{suffix}.md",
                           lambda tmp: tmp.write_text(report + "\n"), overwrite=True)
    print(f"written: {written.resolve()}")
    return table


if __name__ == "__main__":
    main()
