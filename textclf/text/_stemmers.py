"""NLTK's stemmers by name, each built once per process: the cleaner stems with Porter's,
and the embedding look-up tries Porter's, Lancaster's and the English Snowball's."""

from __future__ import annotations

from functools import cache

import nltk.stem

_BUILDERS = {"porter": nltk.stem.PorterStemmer, "lancaster": nltk.stem.LancasterStemmer,
             "snowball": lambda: nltk.stem.SnowballStemmer("english")}
STEMMERS = tuple(_BUILDERS)


@cache
def stemmer(name: str):
    """NLTK's stemmer called ``name`` (one of ``STEMMERS``)."""
    return _BUILDERS[name]()
