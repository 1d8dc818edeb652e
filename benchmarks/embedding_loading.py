"""load_embeddings on a GloVe-840B-sized text file: seconds and peak memory.

A synthetic GloVe file (no header, ``word v1 ... vd``, values written like GloVe's, e.g.
``-0.08275``) of 2.2M words x 300 dimensions, 5.6 GB as GloVe 840B, is generated once into
a cache folder outside the repository (``$XDG_CACHE_HOME/textclf`` or ``~/.cache/textclf``,
or ``--cache-dir``) and reused. Each measurement loads it in a fresh interpreter and reports
that process's wall time for the load and its peak resident memory: the whole file, and
only the words of a 100k-word vocabulary (drawn at random from the file's words).
``--gensim`` adds gensim's own ``KeyedVectors.load_word2vec_format(no_header=True)`` on the
whole file for reference.

    python -m benchmarks.embedding_loading [--words 2200000] [--dim 300]
        [--vocabulary 100000] [--cache-dir DIR] [--gensim]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks._common import benchmark_cache, peak_rss_bytes
from textclf._io import atomic_write

_ROWS_AT_ONCE = 20_000
_REPOSITORY = Path(__file__).resolve().parents[1]


def synthetic_word(number: int) -> str:
    """The ``number``-th word in bijective base 26: a..z, aa..zz, aaa...; all distinct."""
    letters = []
    number += 1
    while number:
        number, digit = divmod(number - 1, 26)
        letters.append(chr(ord("a") + digit))
    return "".join(reversed(letters))


def synthetic_rows(first: int, count: int, dim: int, rng: np.random.Generator) -> bytes:
    """``count`` GloVe rows from word number ``first``: values ~ N(0, 0.4), 5 decimals."""
    values = rng.normal(0.0, 0.4, size=(count, dim))
    scaled = np.minimum(np.rint(np.abs(values) * 1e5), 999_999).astype(np.int32)
    # Each value as 9 bytes "-d.ddddd " with the sign byte 0 (then dropped) when positive.
    chars = np.empty((count, dim, 9), dtype=np.uint8)
    chars[..., 0] = np.where(values < 0, ord("-"), 0)
    chars[..., 1] = ord("0") + scaled // 100_000
    chars[..., 2] = ord(".")
    for place in range(5):
        chars[..., 3 + place] = ord("0") + scaled // 10 ** (4 - place) % 10
    chars[..., 8] = ord(" ")
    chars[:, -1, 8] = ord("\n")
    flat = chars.reshape(-1)
    vectors = flat[flat != 0].tobytes().split(b"\n")[:-1]
    words = [synthetic_word(number).encode() for number in range(first, first + count)]
    return b"".join(word + b" " + vector + b"\n" for word, vector in zip(words, vectors))


def synthetic_glove(cache_dir: Path, words: int, dim: int) -> Path:
    """The cached synthetic file, written (atomically) on first use."""
    path = cache_dir / f"synthetic_glove_{words}x{dim}.txt"
    if path.is_file():
        return path
    print(f"writing {path} ({words:,} words x {dim}) once ...", file=sys.stderr, flush=True)
    rng = np.random.default_rng(840)

    def write(target: Path) -> None:
        with open(target, "wb") as out:
            out.writelines(synthetic_rows(first, min(_ROWS_AT_ONCE, words - first), dim, rng)
                           for first in range(0, words, _ROWS_AT_ONCE))

    return atomic_write(path, write)


def _current_rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(path: str, loader: str, vocabulary_size: int, words: int) -> dict:
    """Run in the fresh interpreter: load once, report time and memory as a dict."""
    # Imported before the baseline is taken, so it measures loading only.
    import gensim.models  # noqa: F401

    from textclf.embeddings import load_embeddings

    vocabulary = None
    if vocabulary_size:
        chosen = np.random.default_rng(0).choice(words, size=min(vocabulary_size, words),
                                                 replace=False)
        vocabulary = {synthetic_word(int(number)) for number in chosen}
    before = _current_rss_bytes()
    started = time.perf_counter()
    if loader == "gensim":
        from gensim.models import KeyedVectors

        vectors = KeyedVectors.load_word2vec_format(path, no_header=True)
    else:
        vectors = load_embeddings(path, vocabulary)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_rss": peak_rss_bytes(), "rss_before": before,
            "loaded": len(vectors), "vector_bytes": vectors.vectors.nbytes}


def measure_in_fresh_process(path: Path, loader: str, vocabulary_size: int,
                             words: int) -> dict:
    command = [sys.executable, "-m", "benchmarks.embedding_loading", "--measure", str(path),
               "--loader", loader, "--vocabulary", str(vocabulary_size), "--words", str(words)]
    finished = subprocess.run(command, cwd=_REPOSITORY, capture_output=True, text=True,
                              check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2_200_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--vocabulary", type=int, default=100_000,
                        help="words in the filtered run (0 skips it)")
    parser.add_argument("--cache-dir", type=Path, default=benchmark_cache())
    parser.add_argument("--gensim", action="store_true",
                        help="also time gensim's load_word2vec_format on the whole file")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--loader", default="textclf", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure:
        print(json.dumps(measure(args.measure, args.loader, args.vocabulary, args.words)))
        return

    path = synthetic_glove(args.cache_dir, args.words, args.dim)
    cases = [("load_embeddings(path)", "textclf", 0)]
    if args.vocabulary:
        cases.append((f"load_embeddings(path, vocabulary) ({args.vocabulary:,} words)",
                      "textclf", args.vocabulary))
    if args.gensim:
        cases.append(("gensim load_word2vec_format(no_header=True)", "gensim", 0))

    gigabyte = 1e9
    print(f"{path}: {path.stat().st_size / gigabyte:.2f} GB, {args.words:,} words x "
          f"{args.dim}; {os.cpu_count()} CPUs\n")
    print("| loading | words loaded | seconds | peak RSS (GB) | RSS before loading (GB) | "
          "vectors (GB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, loader, vocabulary_size in cases:
        result = measure_in_fresh_process(path, loader, vocabulary_size, args.words)
        print(f"| {name} | {result['loaded']:,} | {result['seconds']:.1f} | "
              f"{result['peak_rss'] / gigabyte:.2f} | {result['rss_before'] / gigabyte:.2f} | "
              f"{result['vector_bytes'] / gigabyte:.2f} |", flush=True)


if __name__ == "__main__":
    main()
