"""WordNet lemmatisation as one dictionary lookup per word.

NLTK's ``WordNetLemmatizer.lemmatize(word, pos)`` keeps, among the word itself and the
forms its exception list or detachment rules (``-ies -> -y``, ``-ing -> ''``...) produce,
those WordNet knows for ``pos``, and returns the shortest (the first of equal length).
Every word with a lemma other than itself is therefore one of finitely many forms: an
exception, or a WordNet lemma with a rule run backwards (``run`` + ``ing``). This module
precomputes NLTK's answer for all of them once, so lemmatising a vocabulary is a dict
lookup per word, several times faster than calling NLTK per word. Tests check the two agree.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from nltk.corpus.reader.wordnet import WordNetCorpusReader

from ..nltk_resources import find_resource

_POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
def _read_lines(name: str) -> list[str]:
    # Read from the WordNet files directly: NLTK's WordNetCorpusReader would also parse
    # every synset offset, seconds of start-up this module does not need.
    with find_resource("wordnet").join(name).open() as handle:
        return handle.read().decode("utf-8").splitlines()


@cache
def lemma_map(pos: str) -> dict[str, str]:
    """``{form: lemma}`` for every form whose WordNet lemma for ``pos`` differs from itself."""
    # index.<pos>: one lemma per line, first field; lines that start with spaces are the licence.
    names = frozenset(line.split(" ", 1)[0] for line in _read_lines(f"index.{_POS_FILES[pos]}")
                      if not line.startswith(" "))
    # form -> lemmas the detachment rules reach from it, in rule order (NLTK's tie order).
    rule_candidates: dict[str, list[str]] = defaultdict(list)
    for old, new in WordNetCorpusReader.MORPHOLOGICAL_SUBSTITUTIONS[pos]:
        for lemma in names:
            if lemma.endswith(new):
                rule_candidates[lemma[: len(lemma) - len(new)] + old].append(lemma)
    exceptions: dict[str, list[str]] = {}
    for line in _read_lines(f"{_POS_FILES[pos]}.exc"):
        inflected, *bases = line.split()
        exceptions[inflected] = [base for base in bases if base in names]

    lemmas = {}
    for form in rule_candidates.keys() | exceptions.keys():
        # An exception list replaces the rules for its words.
        reached = exceptions[form] if form in exceptions else rule_candidates[form]
        candidates = ([form] if form in names else []) + reached
        if candidates:
            lemma = min(candidates, key=len)
            if lemma != form:
                lemmas[form] = lemma
    return lemmas


@cache
def _lemma_columns(pos: str) -> tuple[pa.Array, pa.Array]:
    """The lemma map of ``pos`` as two aligned Arrow columns, forms and lemmas.

    ``pos="v+n"`` is the verb lemma where WordNet has one, else the noun lemma.
    """
    lemmas = lemma_map("n") | lemma_map("v") if pos == "v+n" else lemma_map(pos)
    return (pa.array(list(lemmas.keys()), type=pa.large_string()),
            pa.array(list(lemmas.values()), type=pa.large_string()))


def lemmatize(tokens: pa.Array, pos: str) -> pa.Array:
    """NLTK's ``WordNetLemmatizer().lemmatize(token, pos)`` of each token.

    ``pos="v+n"``: the verb lemma; where that leaves a token unchanged, its noun lemma
    (``ran -> run``, ``running -> run`` as verbs, ``difficulties -> difficulty`` as a noun).
    """
    forms, lemmas = _lemma_columns(pos)
    # Hash the (smaller) token column and probe it with every known form, rather than
    # hashing the ~200k forms on each call.
    token_of_form = pc.index_in(forms, value_set=tokens)
    found = pc.is_valid(token_of_form)
    lemma_of_token = np.full(len(tokens), -1, dtype=np.int64)
    lemma_of_token[pc.filter(token_of_form, found).to_numpy()] = np.flatnonzero(
        found.to_numpy(zero_copy_only=False))
    replaced = lemmas.take(pa.array(lemma_of_token, mask=lemma_of_token < 0))
    return pc.coalesce(replaced, tokens.cast(pa.large_string()))
