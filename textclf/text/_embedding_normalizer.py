"""The embedding view of a text: as close as possible to how pre-trained word vectors
(GloVe, Paragram, fastText) spell their vocabulary, so that more tokens find a vector.
Case and punctuation carry meaning there, so they are kept; what changes is spelling.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from numbers import Integral

import pyarrow as pa
import pyarrow.compute as pc

from .._param_validation import NonBoolInterval
from ._base import TextNormalizer

# Typographic variants -> the ASCII forms embedding vocabularies use.
_VARIANTS = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...", "\u00a0": " ", "\u200b": "", "\ufeff": "",
})

# Contractions whose expansion is not the word plus a regular suffix.
IRREGULAR_CONTRACTIONS = {
    "can't": "cannot", "won't": "will not", "shan't": "shall not", "ain't": "is not",
    "let's": "let us", "y'all": "you all", "ma'am": "madam", "o'clock": "of the clock",
    "'cause": "because",
}
# 's is "is" after these words; elsewhere it is usually a possessive and is left alone.
_IS_CONTRACTED = ("he", "she", "it", "that", "what", "where", "who", "there", "here", "how",
                  "when", "why")
_SUFFIXES = {"n't": " not", "'re": " are", "'ve": " have", "'ll": " will", "'m": " am",
             "'d": " would"}

# Frequent misspellings and run-together words in Quora questions, and spellings that
# GloVe/Paragram miss for ones they know. Keys match whole tokens, case-insensitively.
MISSPELLINGS = {
    "qoura": "Quora", "quoras": "Quora's", "quorans": "Quora users", "quoran": "Quora user",
    "howdo": "how do", "howcan": "how can", "howmuch": "how much", "howmany": "how many",
    "whatare": "what are", "whydo": "why do", "whatis": "what is", "doI": "do I",
    "mastrubation": "masturbation", "mastrubate": "masturbate", "pennis": "penis",
    "demonitisation": "demonetization", "demonitization": "demonetization",
    "demonetisation": "demonetization", "etherium": "Ethereum", "sallary": "salary",
    "narcissit": "narcissist", "narcisist": "narcissist", "whst": "what", "watsapp": "WhatsApp",
    "whatsapp": "WhatsApp", "youtube": "YouTube", "bitcoins": "Bitcoins",
    "cryptocurrencies": "crypto currencies", "cryptocurrency": "crypto currency",
    "bigdata": "big data", "exboyfriend": "ex boyfriend", "exgirlfriend": "ex girlfriend",
    "airhostess": "air hostess", "recieve": "receive", "beleive": "believe",
    "occured": "occurred", "untill": "until", "wich": "which", "wierd": "weird",
    "definately": "definitely", "seperate": "separate", "goverment": "government",
}


class EmbeddingNormalizer(TextNormalizer):
    """Normalise texts for lookup in pre-trained word embeddings.

    In order: typographic quotes, dashes and ellipses become ASCII; contractions are
    expanded (``don't -> do not``, ``Can't -> Cannot``); optionally, runs of
    ``min_masked_digits`` or more digits become as many ``#`` (``2018 -> ####``), the form
    GloVe 840B and Paragram use for numbers; punctuation is split off as tokens (``Why?``
    -> ``Why ?``), a run of ``#`` staying one token; a small map of common misspellings is
    fixed, token by token; white space is collapsed. Case is kept. Each distinct text is
    normalised once, and normalising twice changes nothing more.

    Parameters
    ----------
    expand_contractions : bool, default=True
    fix_misspellings : bool, default=True
    misspellings : mapping of str to str or None, default=None
        Extra corrections, added to (and overriding) the built-in ``MISSPELLINGS``.
    isolate_punctuation : bool, default=True
    min_masked_digits : int or None, default=None
        Digit runs at least this long become ``#`` characters; None keeps digits. Use 2 with
        GloVe 840B or Paragram, which spell numbers that way. The default suits the shipped
        GloVe 6B, which keeps digits ("2018", "10th") and has no "####", so masking would
        leave more tokens without a vector (``python -m benchmarks.embedding_coverage``).
    """

    _parameter_constraints: dict = {
        "expand_contractions": ["boolean"],
        "fix_misspellings": ["boolean"],
        "misspellings": [Mapping, None],
        "isolate_punctuation": ["boolean"],
        "min_masked_digits": [NonBoolInterval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, *, expand_contractions: bool = True, fix_misspellings: bool = True,
                 misspellings: Mapping[str, str] | None = None,
                 isolate_punctuation: bool = True, min_masked_digits: int | None = None):
        self.expand_contractions = expand_contractions
        self.fix_misspellings = fix_misspellings
        self.misspellings = misspellings
        self.isolate_punctuation = isolate_punctuation
        self.min_masked_digits = min_masked_digits

    def _normalize(self, texts: pa.Array) -> pa.Array:
        distinct = pc.unique(texts)
        corrections = _corrections(self.misspellings) if self.fix_misspellings else {}
        normalized = [self._normalize_text(text, corrections) for text in distinct.to_pylist()]
        positions = pc.index_in(texts, value_set=distinct)
        return pa.array(normalized, type=pa.large_string()).take(positions)

    def _normalize_text(self, text: str, corrections: dict[str, str]) -> str:
        text = text.translate(_VARIANTS)
        if self.expand_contractions:
            text = _expand_contractions(text)
        if self.min_masked_digits is not None:
            text = re.sub(rf"\d{{{self.min_masked_digits},}}", lambda m: "#" * len(m.group(0)),
                          text)
        if self.isolate_punctuation:
            text = _PUNCTUATION.sub(r" \g<0> ", text)
        tokens = text.split()
        if corrections:
            tokens = [_keep_case(t, corrections[t.lower()]) if t.lower() in corrections else t
                      for t in tokens]
        return " ".join(tokens)


# A run of '#' is one token: the digit mask (####) and GloVe's own hash tokens.
_PUNCTUATION = re.compile(r"#+|[^\w\s]")
_IRREGULAR = re.compile(
    r"(?<!\w)(" + "|".join(map(re.escape, IRREGULAR_CONTRACTIONS)) + r")(?!\w)", re.IGNORECASE)
_IS = re.compile(r"\b(" + "|".join(_IS_CONTRACTED) + r")'s\b", re.IGNORECASE)
_SUFFIX = re.compile(r"(?<=\w)(" + "|".join(map(re.escape, _SUFFIXES)) + r")\b", re.IGNORECASE)


def _expand_contractions(text: str) -> str:
    if "'" not in text:
        return text
    text = _IRREGULAR.sub(
        lambda m: _keep_case(m.group(0), IRREGULAR_CONTRACTIONS[m.group(0).lower()]), text)
    text = _IS.sub(lambda m: m.group(1) + (" IS" if m.group(0).isupper() else " is"), text)
    return _SUFFIX.sub(
        lambda m: _SUFFIXES[m.group(0).lower()].upper() if m.group(0).isupper()
        else _SUFFIXES[m.group(0).lower()], text)


def _keep_case(original: str, replacement: str) -> str:
    """Upper-case or capitalise ``replacement`` as ``original`` was."""
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[0].upper() + replacement[1:]
    return replacement


def _corrections(extra: Mapping[str, str] | None) -> dict[str, str]:
    """Built-in and user corrections, keyed by lower-cased word (user entries win)."""
    return {k.lower(): v for k, v in {**MISSPELLINGS, **(extra or {})}.items()}
