"""How much of a corpus a set of embeddings covers: the shares of distinct words and of
tokens with a vector, what each fallback step of the look-up rescued, and the most frequent
words still missing.

Tokens are the white-space separated words of a text (``str.split()``): texts are
expected to be normalised already, e.g. by ``EmbeddingNormalizer``.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils._param_validation import validate_params

from .._param_validation import NonBoolInterval
from .._text_input import as_text_array, is_one_column, split_tokens
from ._lookup import AS_IS, FALLBACKS, check_fallbacks, find_keys, keys_of


@dataclass(frozen=True)
class EmbeddingCoverage:
    """How much of a corpus a set of embeddings covers (see ``embedding_coverage``).

    Attributes
    ----------
    vocabulary_size : int
        Distinct words in the texts.
    n_tokens : int
        Words in the texts, counting repeats.
    covered_words, covered_tokens : int
        Those with a vector (found as they are or by a fallback).
    found_as_is : int
        Distinct words found under their own spelling.
    rescued_by : dict of str to int
        For each fallback step, in the order tried, the distinct words it found that the
        earlier steps had not.
    top_missing : list of (str, int)
        The most frequent words without a vector and their number of occurrences, most
        frequent first (ties alphabetically).
    """

    vocabulary_size: int
    n_tokens: int
    covered_words: int
    covered_tokens: int
    found_as_is: int
    rescued_by: dict[str, int]
    top_missing: list[tuple[str, int]]

    @property
    def vocabulary_coverage(self) -> float:
        """Share of the distinct words with a vector (NaN when there are no words)."""
        return self.covered_words / self.vocabulary_size if self.vocabulary_size else np.nan

    @property
    def token_coverage(self) -> float:
        """Share of the tokens with a vector (NaN when there are no tokens)."""
        return self.covered_tokens / self.n_tokens if self.n_tokens else np.nan

    def to_markdown(self) -> str:
        """The report as Markdown: the two shares, what each step found, the top missing."""
        summary = (f"Embedding coverage: {_percent(self.vocabulary_coverage)} of "
                   f"{self.vocabulary_size:,} distinct words, "
                   f"{_percent(self.token_coverage)} of {self.n_tokens:,} tokens")
        lines = [summary, "", "| found by | distinct words |", "|---|---:|",
                 f"| {AS_IS} | {self.found_as_is:,} |"]
        lines += [f"| {step} | {count:,} |" for step, count in self.rescued_by.items()]
        lines.append(f"| (missing) | {self.vocabulary_size - self.covered_words:,} |")
        if self.top_missing:
            lines += ["", "| missing word | count |", "|---|---:|"]
            lines += [f"| {_markdown_cell(word)} | {count:,} |"
                      for word, count in self.top_missing]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_markdown()


def _percent(share: float) -> str:
    return "n/a" if np.isnan(share) else f"{share:.2%}"


def _markdown_cell(text: str) -> str:
    # A "|" token would end the table cell; backquotes keep "*", "_" and "#" literal.
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


@validate_params({"top": [NonBoolInterval(numbers.Integral, 0, None, closed="left")]},
                 prefer_skip_nested_validation=True)
def embedding_coverage(texts, embeddings, fallbacks: Sequence[str] = FALLBACKS,
                       top: int = 20) -> EmbeddingCoverage:
    """Coverage of ``texts`` by ``embeddings``: shares of distinct words and of tokens that
    have a vector, what each fallback step rescued, and the ``top`` most frequent missing
    words.

    ``texts`` is one column of texts (a list, a 1-D array, a pandas Series, an Arrow array;
    None/NaN count as empty), already normalised: tokens are white-space separated.
    ``embeddings`` is a gensim ``KeyedVectors`` or any container of keys; ``fallbacks`` as
    for ``resolve_words``, ``()`` for exact spellings only.

    >>> report = embedding_coverage(["The cat sat", "the cat"], {"the", "cat"})
    >>> report.vocabulary_coverage, report.token_coverage, report.top_missing
    (0.75, 0.8, [('sat', 1)])
    """
    fallbacks = check_fallbacks(fallbacks)
    tokens, _ = split_tokens(_text_column(texts))
    counted = pc.value_counts(tokens)
    words = counted.field("values").to_pylist()
    counts = counted.field("counts").to_numpy(zero_copy_only=False)
    _, found_by = find_keys(words, keys_of(embeddings), fallbacks)
    return coverage_report(words, counts, found_by, fallbacks, top)


def _text_column(texts) -> pa.Array:
    """One column of texts as a ``large_string`` Arrow array without nulls."""
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        texts = texts.cast(pa.large_string())
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        return pc.fill_null(texts, "")
    if not is_one_column(texts):
        raise ValueError("embedding_coverage takes one column of texts (a list, a 1-D array, "
                         "a Series or an Arrow array)")
    return as_text_array(texts)


def coverage_report(words: list[str], counts: np.ndarray, found_by: list[str | None],
                    fallbacks: tuple[str, ...], top: int) -> EmbeddingCoverage:
    """The report for distinct ``words`` seen ``counts`` times, each found by the step
    ``found_by`` names (None: not found); shared by ``embedding_coverage`` and the feature
    builders, which count and resolve their vocabulary anyway."""
    counts = np.asarray(counts, dtype=np.int64)
    steps = np.array([step or "" for step in found_by], dtype=object)
    covered = steps != ""
    missing = np.flatnonzero(~covered)
    # Most frequent first, then alphabetical, so the list does not depend on Arrow's order.
    missing_words = np.array([words[i] for i in missing], dtype=object)
    order = missing[np.lexsort((missing_words, -counts[missing]))][:top]
    return EmbeddingCoverage(
        vocabulary_size=len(words), n_tokens=int(counts.sum()),
        covered_words=int(covered.sum()), covered_tokens=int(counts[covered].sum()),
        found_as_is=int(np.sum(steps == AS_IS)),
        rescued_by={step: int(np.sum(steps == step)) for step in fallbacks},
        top_missing=[(words[i], int(counts[i])) for i in order])
