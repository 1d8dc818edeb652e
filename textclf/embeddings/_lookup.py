"""Finding a word's vector in pre-trained embeddings when its exact spelling is missing.

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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from .._param_validation import check_selection
from ..text._stemmers import stemmer

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


def _stems(name: str) -> Callable[[list[str]], list[str]]:
    """The fallback step that stems each word with the stemmer ``name``."""
    def stems(words: list[str]) -> list[str]:
        stem = stemmer(name).stem
        return [stem(word) for word in words]
    return stems


def _lemma(words: list[str]) -> list[str]:
    # Imported here: WordNet is read only when a lemma is asked for.
    from ..text._wordnet_lemmas import lemmatize

    lowered = pa.array(_lower(words), type=pa.large_string())
    return lemmatize(lowered, "v+n").to_pylist()


# Fallback name -> the spelling it tries for each of a list of words (one call per step
# over all unresolved words, so vectorised forms can replace these without changing callers).
FALLBACK_SPELLINGS: dict[str, Callable[[list[str]], list[str]]] = {
    "lower": _lower, "upper": _upper, "title": _title, "porter": _stems("porter"),
    "lancaster": _stems("lancaster"), "snowball": _stems("snowball"), "lemma": _lemma,
}


def check_fallbacks(fallbacks) -> tuple[str, ...]:
    """``fallbacks`` as a tuple of step names: TypeError for anything but a sequence,
    ValueError for an unknown or repeated step (both name the valid steps)."""
    if isinstance(fallbacks, str) or not isinstance(fallbacks, Iterable):
        raise TypeError(f"fallbacks must be a sequence of step names among "
                        f"{tuple(FALLBACK_SPELLINGS)}, e.g. ('lower',) or (); "
                        f"got {fallbacks!r}")
    return check_selection("fallbacks", fallbacks, FALLBACK_SPELLINGS, allow_empty=True)


def keys_of(embeddings):
    """What ``in`` is asked of: a KeyedVectors' key index, or any container of keys."""
    return getattr(embeddings, "key_to_index", embeddings)


def _distinct(words) -> list[str]:
    if isinstance(words, (pa.Array, pa.ChunkedArray)):
        return pc.unique(words).to_pylist()
    return list(dict.fromkeys(words))


def find_keys(words: list[str], keys, fallbacks: tuple[str, ...]
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
    keys, _ = find_keys(distinct, keys_of(embeddings), check_fallbacks(fallbacks))
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
