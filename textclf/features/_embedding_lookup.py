"""Finding a word's vector in pre-trained embeddings when its exact spelling is missing,
and measuring how much of a corpus the embeddings cover.

A pre-trained vocabulary spells many words differently from a corpus: GloVe 6B has only
lower-case keys, so "Trump" is missing while "trump" is there; "Deliberating" may be
missing while "deliberate" is there. ``resolve_words`` tries, for each distinct word, a
chain of spellings and keeps the first that the embeddings know. The chain is, in order:

1. the word as it is (always first);
2. the fallbacks, in the order given; by default ``FALLBACKS``:

   - ``"lower"``: lower-case (``"Trump" -> "trump"``);
   - ``"upper"``: upper-case (``"nasa" -> "NASA"``);
   - ``"title"``: first letter upper-case, the rest lower-case (``"PARIS" -> "Paris"``,
     Python's ``str.capitalize``; ``str.title`` would write ``"Don'T"``);
   - ``"porter"``, ``"lancaster"``, ``"snowball"``: the word's stem by NLTK's Porter,
     Lancaster and Snowball (English) stemmers, which lower-case as they stem
     (``"Programming" -> "program"``);
   - ``"lemma"``: the WordNet lemma of the lower-cased word, as a verb where WordNet has
     one, else as a noun (``"ran" -> "run"``, ``"geniuses" -> "genius"``), NLTK's answer.

Every step runs once per distinct word still unresolved, never per occurrence, so the cost
follows the vocabulary, not the corpus; the stemmers, the slow part, see only the words
that the cheap case variants could not find. The same resolution serves the coverage
report, ``MeanEmbedding`` and the embedding matrix of the neural model.

Tokens are the white-space separated words of a text (``str.split()``): texts are
expected to be normalised already, e.g. by ``EmbeddingNormalizer``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._text_input import as_text_array, is_one_column

# The default fallback chain, tried in this order after the word as it is.
FALLBACKS = ("lower", "upper", "title", "porter", "lancaster", "snowball", "lemma")
# How the report names the first step, which is not a fallback.
AS_IS = "as is"


def _lower(words: list[str]) -> list[str]:
    return [word.lower() for word in words]


def _upper(words: list[str]) -> list[str]:
    return [word.upper() for word in words]


def _title(words: list[str]) -> list[str]:
    return [word.capitalize() for word in words]


@cache
def _stemmer(name: str):
    from nltk.stem import LancasterStemmer, PorterStemmer, SnowballStemmer

    return {"porter": PorterStemmer, "lancaster": LancasterStemmer,
            "snowball": lambda: SnowballStemmer("english")}[name]()


def _porter(words: list[str]) -> list[str]:
    stem = _stemmer("porter").stem
    return [stem(word) for word in words]


def _lancaster(words: list[str]) -> list[str]:
    stem = _stemmer("lancaster").stem
    return [stem(word) for word in words]


def _snowball(words: list[str]) -> list[str]:
    stem = _stemmer("snowball").stem
    return [stem(word) for word in words]


def _lemma(words: list[str]) -> list[str]:
    # Imported here: WordNet is read only when a lemma is asked for.
    from ..text._wordnet_lemmas import lemmatize

    lowered = pa.array(_lower(words), type=pa.large_string())
    return lemmatize(lowered, "v+n").to_pylist()


# Fallback name -> the spelling it tries for each of a list of words (one call per step
# over all unresolved words, so vectorised forms can replace these without changing callers).
FALLBACK_SPELLINGS: dict[str, Callable[[list[str]], list[str]]] = {
    "lower": _lower, "upper": _upper, "title": _title, "porter": _porter,
    "lancaster": _lancaster, "snowball": _snowball, "lemma": _lemma,
}


def check_fallbacks(fallbacks) -> tuple[str, ...]:
    """``fallbacks`` as a tuple of step names: TypeError for anything but a sequence,
    ValueError for an unknown or repeated step (both name the valid steps)."""
    if isinstance(fallbacks, str) or not isinstance(fallbacks, Iterable):
        raise TypeError(f"fallbacks must be a sequence of step names among "
                        f"{tuple(FALLBACK_SPELLINGS)}, e.g. ('lower',) or (); "
                        f"got {fallbacks!r}")
    steps = tuple(fallbacks)
    unknown = [step for step in steps if step not in FALLBACK_SPELLINGS]
    if unknown:
        raise ValueError(f"unknown fallback step(s) {unknown}; the steps are "
                         f"{tuple(FALLBACK_SPELLINGS)}")
    if len(set(steps)) != len(steps):
        raise ValueError(f"fallbacks lists a step twice: {steps!r}")
    return steps


def _keys_of(embeddings):
    """What ``in`` is asked of: a KeyedVectors' key index, or any container of keys."""
    return getattr(embeddings, "key_to_index", embeddings)


def _distinct(words) -> list[str]:
    if isinstance(words, (pa.Array, pa.ChunkedArray)):
        return pc.unique(words).to_pylist()
    return list(dict.fromkeys(words))


def _resolve(words: list[str], keys, fallbacks: tuple[str, ...]
             ) -> tuple[list[str | None], list[str | None]]:
    """For each of ``words`` (distinct), the key found and the step that found it (both
    None when no step does)."""
    found_keys: list[str | None] = [None] * len(words)
    found_by: list[str | None] = [None] * len(words)
    pending = list(range(len(words)))
    for step in (AS_IS, *fallbacks):
        if not pending:
            break
        unresolved = [words[i] for i in pending]
        spellings = unresolved if step == AS_IS else FALLBACK_SPELLINGS[step](unresolved)
        still_pending = []
        for i, spelling in zip(pending, spellings):
            if spelling in keys:
                found_keys[i], found_by[i] = spelling, step
            else:
                still_pending.append(i)
        pending = still_pending
    return found_keys, found_by


def resolve_words(words: Iterable[str] | pa.Array, embeddings,
                  fallbacks: Sequence[str] = FALLBACKS) -> dict[str, str | None]:
    """``{word: key}``: the key under which ``embeddings`` holds each distinct word's vector,
    found by the word as it is and then the ``fallbacks`` in order (see the module
    docstring); None for a word no step finds.

    ``embeddings`` is a gensim ``KeyedVectors`` (its ``key_to_index`` is searched) or any
    container of keys that supports ``in`` (a set, a dict). Repeated words are resolved
    once; pass the vocabulary rather than every occurrence anyway, to save the hashing.

    >>> resolve_words(["Paris", "PARIS", "cities", "qwzx"], {"paris", "city"})
    {'Paris': 'paris', 'PARIS': 'paris', 'cities': 'city', 'qwzx': None}
    """
    distinct = _distinct(words)
    keys, _ = _resolve(distinct, _keys_of(embeddings), check_fallbacks(fallbacks))
    return dict(zip(distinct, keys))


def candidate_spellings(words: Iterable[str] | pa.Array,
                        fallbacks: Sequence[str] = FALLBACKS) -> set[str]:
    """Every spelling ``resolve_words`` may look up for ``words``: the words themselves and
    what each fallback makes of them.

    Pass it as the vocabulary when loading large embeddings from a file, so that only the
    vectors a corpus can use are kept and the fallbacks still find theirs. Unlike
    ``resolve_words`` this runs every step on every word (nothing is found yet to stop
    early), the stemmers included: a few seconds per 100,000 distinct words.
    """
    distinct = _distinct(words)
    spellings = set(distinct)
    for step in check_fallbacks(fallbacks):
        spellings.update(FALLBACK_SPELLINGS[step](distinct))
    return spellings


def split_tokens(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """All tokens of ``texts`` in order (white-space split, as ``str.split()``), and for
    each token the position of its text."""
    token_lists = pc.utf8_split_whitespace(texts)
    tokens = token_lists.flatten()
    lengths = pc.list_value_length(token_lists).to_numpy(zero_copy_only=False)
    text_of_token = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    # Arrow keeps an empty string before, between and after runs of white space, and for
    # an empty text; str.split() does not.
    is_word = pc.not_equal(tokens, "")
    return tokens.filter(is_word), text_of_token[is_word.to_numpy(zero_copy_only=False)]


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


def embedding_coverage(texts, embeddings, fallbacks: Sequence[str] = FALLBACKS,
                       top: int = 20) -> EmbeddingCoverage:
    """Coverage of ``texts`` by ``embeddings``: shares of distinct words and of tokens that
    have a vector, what each fallback step rescued, and the ``top`` most frequent missing
    words.

    ``texts`` is one column of texts (a list, a 1-D array, a pandas Series, an Arrow array;
    None/NaN count as empty), already normalised: tokens are white-space separated. ``embeddings`` is a
    gensim ``KeyedVectors`` or any container of keys; ``fallbacks`` as for
    ``resolve_words``, ``()`` for exact spellings only.

    >>> report = embedding_coverage(["The cat sat", "the cat"], {"the", "cat"})
    >>> report.vocabulary_coverage, report.token_coverage, report.top_missing
    (0.75, 0.8, [('sat', 1)])
    """
    fallbacks = check_fallbacks(fallbacks)
    if not isinstance(top, numbers.Integral) or isinstance(top, bool) or top < 0:
        raise ValueError(f"top must be a non-negative int, got {top!r}")
    tokens, _ = split_tokens(_text_column(texts))
    counted = pc.value_counts(tokens)
    words = counted.field("values").to_pylist()
    counts = counted.field("counts").to_numpy(zero_copy_only=False)
    _, found_by = _resolve(words, _keys_of(embeddings), fallbacks)
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
