"""Argument types shared by the command line and the MLproject entry points.

MLflow passes every parameter as the text it was given, and knows no integer or boolean
types: a float-typed ``folds`` may arrive as "5.0", and a flag has to be spelled as a value
("--overwrite false") because an MLproject command cannot leave an option out.
"""

from __future__ import annotations

import argparse


def whole_number(text: str) -> int:
    """An int from "5" or "5.0" (MLflow passes its float-typed parameters as given)."""
    value = float(text)
    if not value.is_integer() or value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(value)


def yes_no(text: str) -> bool:
    """A flag that also takes a value (``--resume`` or ``--resume false``), for MLproject."""
    answers = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
    if text.lower() not in answers:
        raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")
    return answers[text.lower()]
