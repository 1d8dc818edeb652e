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

from ..nltk_resources import find_resource

_EXCEPTION_FILES = {"n": "noun.exc", "v": "verb.exc", "a": "adj.exc", "r": "adv.exc"}


@cache
def lemma_map(pos: str) -> dict[str, str]:
    """``{form: lemma}`` for every form whose WordNet lemma for ``pos`` differs from itself."""
    find_resource("wordnet")
    from nltk.corpus import wordnet

    names = frozenset(wordnet.all_lemma_names(pos))
    # form -> lemmas the detachment rules reach from it, in rule order (NLTK's tie order).
    rule_candidates: dict[str, list[str]] = defaultdict(list)
    for old, new in wordnet.MORPHOLOGICAL_SUBSTITUTIONS[pos]:
        for lemma in names:
            if lemma.endswith(new):
                rule_candidates[lemma[: len(lemma) - len(new)] + old].append(lemma)
    exceptions: dict[str, list[str]] = {}
    with wordnet.open(_EXCEPTION_FILES[pos]) as lines:
        for line in lines:
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


def lemmatize(tokens: np.ndarray, pos: str) -> np.ndarray:
    """NLTK's ``WordNetLemmatizer().lemmatize(token, pos)`` of each token (object array)."""
    lemmas = lemma_map(pos)
    return np.array([lemmas.get(token, token) for token in tokens], dtype=object)


def lemmatize_verb_then_noun(tokens: np.ndarray) -> np.ndarray:
    """Verb lemma; where that leaves a token unchanged, its noun lemma.

    ``ran -> run``, ``running -> run`` (verbs), ``difficulties -> difficulty`` (noun).
    """
    verbs, nouns = lemma_map("v"), lemma_map("n")
    return np.array([verbs.get(t) or nouns.get(t, t) for t in tokens], dtype=object)
