"""BiLSTMClassifier: training speed with fixed against dynamic padding, and F1 with and
without stochastic weight averaging (SWA) and the cyclical learning rate (CLR).

Speed: seconds per training epoch, scaled to 100,000 questions, for the same rows and
seed with every batch padded to 70 tokens (the Quora kernels' fixed padding) and with
length-bucketed batches padded to their own longest row. The first epoch includes the
compilation of the training step, so the figure is the median of the later epochs. The
rows are the real Quora questions (``--quora``) when present, otherwise the shipped
datasets; ``--speed-rows`` more rows than there are repeats them (``--speed-rows 1300000``
is Kaggle's training-set size, for a GPU machine, e.g. with ``--backend jax``).

F1: each dataset is split once (stratified, 80% train / 20% test, seed 42); the classifier
trains on the train part (holding 10% of it out to choose its threshold) in four variants
with the same seed, and is scored on the test part at its own threshold. The Quora seed's
figures, from a GPU run on all 1.3M rows with GloVe 840B + Paragram 300-d (here: 48,820
real rows and the shipped GloVe 6B 50-d), are printed beside them.

    python -m benchmarks.neural_speed [--datasets sms_spam womens_clothing_not_recommended
        quora] [--quora PATH] [--epochs 10] [--speed-rows 20000] [--speed-epochs 3]
        [--backend tensorflow|jax|torch] [--pad-multiple N] [--mixed-precision]
        [--skip-f1] [--skip-speed]
        [--output-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from benchmarks._common import RESULTS, SHIPPED, add_split_dataset_options
from textclf._io import atomic_write
from textclf.data import load_dataset, read_train

VARIANTS = {  # name -> (cyclical_lr, swa)
    "CLR + SWA": (True, True),
    "CLR only": (True, False),
    "SWA only": (False, True),
    "neither": (False, False),
}
# The seed kernel's reported figures on Quora (validation F1 during a 10-epoch GPU run on
# the 1.3M training rows, and the Kaggle private leaderboard score of its submission).
SEED_QUORA = {"F1 by epoch 4": 0.65, "F1 after SWA": 0.68, "private leaderboard": 0.68875}
log = logging.getLogger("benchmarks.neural_speed")


def _load(name: str, quora: Path) -> pd.DataFrame:
    if name == "quora":
        return read_train(quora)
    return load_dataset(name)


def _speed_rows(quora: Path, rows: int) -> tuple[pd.DataFrame, str]:
    if quora.is_file():
        data, source = read_train(quora), f"Quora {quora.name}"
    else:
        data, source = pd.concat([load_dataset(n) for n in SHIPPED], ignore_index=True), \
            "shipped datasets"
    if rows > len(data):
        source += f", repeated to {rows:,} rows"
    picked = np.resize(np.arange(len(data)), rows)  # repeats rows when asked for more
    return data.iloc[picked].reset_index(drop=True), source


def measure_speed(data: pd.DataFrame, *, epochs: int, seed: int, pad_multiple: int,
                  mixed_precision: bool = False) -> pd.DataFrame:
    from textclf.models import BiLSTMClassifier
    from textclf.models.neural import BucketedBatches

    texts, y = data["question_text"], data["target"].to_numpy()
    rows = []
    for padding, dynamic in (("fixed (70)", False), ("dynamic + bucketing", True)):
        model = BiLSTMClassifier(epochs=epochs, swa_start=None, validation_fraction=None,
                                 dynamic_padding=dynamic, pad_multiple=pad_multiple,
                                 mixed_precision=mixed_precision, random_state=seed)
        started = time.perf_counter()
        model.fit(texts, y)
        total = time.perf_counter() - started
        seconds = model.history_["seconds"]
        steady = float(np.median(seconds[1:])) if len(seconds) > 1 else seconds[0]
        sequences = model.tokenizer_.transform(model.normalizer_.transform(texts.to_numpy()))
        batches = BucketedBatches(sequences, batch_size=model.batch_size, dynamic=dynamic,
                                  pad_multiple=pad_multiple, seed=seed)
        cells, tokens = batches.padded_cells()
        rows.append({"padding": padding, "rows": len(texts),
                     "first_epoch_s": round(seconds[0], 2), "epoch_s": round(steady, 2),
                     "epoch_s_per_100k": round(steady * 100_000 / len(texts), 1),
                     "cells_per_token": round(cells / max(tokens, 1), 2),
                     "fit_s": round(total, 1)})
        log.info("%s: %.2f s per epoch over %d rows", padding, steady, len(texts))
    table = pd.DataFrame(rows)
    table["speed_up"] = (table["epoch_s"].iloc[0] / table["epoch_s"]).round(2)
    return table


def measure_f1(name: str, data: pd.DataFrame, *, epochs: int, seed: int, pad_multiple: int
               ) -> pd.DataFrame:
    from textclf.metrics import best_f1_threshold, classification_scores
    from textclf.models import BiLSTMClassifier

    y = data["target"].to_numpy()
    train, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y,
                                   random_state=42)
    texts = data["question_text"]
    rows = []
    for variant, (clr, swa) in VARIANTS.items():
        model = BiLSTMClassifier(epochs=epochs, cyclical_lr=clr,
                                 swa_start=0.4 if swa else None,
                                 pad_multiple=pad_multiple, random_state=seed)
        started = time.perf_counter()
        model.fit(texts.iloc[train], y[train])
        fit_seconds = time.perf_counter() - started
        proba = model.predict_proba(texts.iloc[test])[:, 1]
        at_threshold = classification_scores(y[test], proba, model.threshold_)
        history = model.history_["val_f1"]
        rows.append({"dataset": name, "variant": variant, "epochs": epochs,
                     "test_f1": round(at_threshold.f1, 4),
                     "test_best_f1": round(best_f1_threshold(y[test], proba).f1, 4),
                     "test_roc_auc": round(at_threshold.roc_auc, 4),
                     "threshold": round(model.threshold_, 3),
                     "val_f1_epoch4": round(history[min(3, len(history) - 1)], 4),
                     "val_f1_last_epoch": round(history[-1], 4),
                     "val_f1_final": round(model.validation_f1_, 4),
                     "train_rows": len(train), "test_rows": len(test),
                     "fit_s": round(fit_seconds, 1)})
        log.info("%s, %s: test F1 %.4f", name, variant, at_threshold.f1)
    return pd.DataFrame(rows)


def select_backend(parser: argparse.ArgumentParser, backend: str | None) -> str:
    """Set Keras's backend from ``--backend`` before Keras is imported; return the one in
    use. Keras reads KERAS_BACKEND once, at its first import."""
    if backend:
        if "keras" in sys.modules and os.environ.get("KERAS_BACKEND", "tensorflow") != \
                backend:
            parser.error(f"Keras is already imported with another backend; set "
                         f"KERAS_BACKEND={backend} before starting Python")
        os.environ["KERAS_BACKEND"] = backend
    import keras

    return keras.backend.backend()


def _header(title: str, command: str, backend: str) -> list[str]:
    import keras

    return [f"# {title}", "", f"Command: `{command}`", "",
            (f"Keras {keras.__version__}, backend {backend}, Python "
             f"{platform.python_version()}, {os.cpu_count()} CPU cores, {platform.machine()}."),
            ""]


def _speed_report(speed: pd.DataFrame, *, command: str, source: str, backend: str) -> str:
    return "\n".join([
        *_header("BiLSTMClassifier: seconds per epoch, fixed against dynamic padding",
                 command, backend),
        (f"Rows: {source}. Epoch time is the median after the first epoch (which compiles); "
         "`cells_per_token` is padded cells fed to the network per real token."), "",
        speed.to_markdown(index=False), ""])


def _f1_report(f1: pd.DataFrame, *, command: str, backend: str) -> str:
    return "\n".join([
        *_header("BiLSTMClassifier: F1 with and without SWA and CLR", command, backend),
        ("Test F1 at the threshold chosen on the classifier's own validation part (10% of "
         "train); `test_best_f1` is the best F1 on the test part (an upper bound); `val_f1_*` "
         "are F1 on the validation part at its best threshold (epoch 4, last epoch, final "
         "model after averaging)."), "",
        f1.to_markdown(index=False), "",
        ("Quora seed (1.3M rows, GPU, GloVe 840B + Paragram 300-d): F1 about "
         f"{SEED_QUORA['F1 by epoch 4']} by epoch 4, {SEED_QUORA['F1 after SWA']} after SWA; "
         f"private leaderboard {SEED_QUORA['private leaderboard']}."), ""])


def main(argv: list[str] | None = None) -> dict[str, pd.DataFrame]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_split_dataset_options(parser, "the real Quora rows (read in place, never copied)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--speed-rows", type=int, default=20_000)
    parser.add_argument("--speed-epochs", type=int, default=3)
    parser.add_argument("--backend", choices=["tensorflow", "jax", "torch"],
                        help="Keras backend (default: KERAS_BACKEND or tensorflow)")
    parser.add_argument("--pad-multiple", type=int,
                        help="round batch widths up to a multiple (default: 8 on jax, else 1)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--mixed-precision", action="store_true",
                        help="time the network in float16 (float32 output); for GPUs")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-f1", action="store_true")
    parser.add_argument("--output-dir", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    backend = select_backend(parser, args.backend)
    pad_multiple = args.pad_multiple or (8 if backend == "jax" else 1)
    if "quora" in args.datasets and not args.quora.is_file():
        log.warning("no Quora rows at %s: skipping the quora dataset", args.quora)
        args.datasets = [d for d in args.datasets if d != "quora"]

    speed = f1 = None
    speed_source = ""
    if not args.skip_speed:
        rows, speed_source = _speed_rows(args.quora, args.speed_rows)
        speed = measure_speed(rows, epochs=args.speed_epochs, seed=args.seed,
                              pad_multiple=pad_multiple, mixed_precision=args.mixed_precision)
        print(speed.to_markdown(index=False))
    if not args.skip_f1:
        f1 = pd.concat([measure_f1(name, _load(name, args.quora), epochs=args.epochs,
                                   seed=args.seed, pad_multiple=pad_multiple)
                        for name in args.datasets], ignore_index=True)
        print(f1.to_markdown(index=False))

    command = " ".join(["python -m benchmarks.neural_speed",
                        *(argv if argv is not None else sys.argv[1:])])
    suffix = "" if backend == "tensorflow" else f"_{backend}"
    out = args.output_dir
    # Each part writes its own files, so running one part keeps the other's results.
    if speed is not None:
        atomic_write(out / f"neural_speed{suffix}.csv",
                     lambda tmp: speed.to_csv(tmp, index=False), overwrite=True)
        report = _speed_report(speed, command=command, source=speed_source, backend=backend)
        written = atomic_write(out / f"neural_speed{suffix}.md",
                               lambda tmp: tmp.write_text(report + "\n"), overwrite=True)
        print(f"written: {written.resolve()}")
    if f1 is not None:
        atomic_write(out / f"neural_f1{suffix}.csv", lambda tmp: f1.to_csv(tmp, index=False),
                     overwrite=True)
        report = _f1_report(f1, command=command, backend=backend)
        written = atomic_write(out / f"neural_f1{suffix}.md",
                               lambda tmp: tmp.write_text(report + "\n"), overwrite=True)
        print(f"written: {written.resolve()}")
    return {"speed": speed, "f1": f1}


if __name__ == "__main__":
    main()
