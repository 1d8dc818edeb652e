"""Benchmarks: speed, memory and F1 figures, collected in benchmarks/README.md with their commands."""

import os
from pathlib import Path

# The real Quora competition rows (never shipped): Kaggle's train_natural.csv and test.csv
# in the folder TEXTCLF_QUORA_DIR names, by default ../shared/data/quora beside the project.
QUORA = Path(os.environ.get(
    "TEXTCLF_QUORA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data" / "quora"))
