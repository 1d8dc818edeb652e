"""NLTK's stemmers by name, each built once per process: the cleaner stems with Porter's,
and the embedding look-up tries Porter's, Lancaster's and the English Snowball's."""

from __future__ import annotations

from functools import cache

STEMMERS = ("porter", "lancaster", "snowball")


@cache
def stemmer(name: str):
    """NLTK's stemmer called ``name`` (one of ``STEMMERS``)."""
    # Imported here: NLTK's stemmers are loaded only when a stem is asked for.
    from nltk.stem import LancasterStemmer, PorterStemmer, SnowballStemmer

    builders = {"porter": PorterStemmer, "lancaster": LancasterStemmer,
                "snowball": lambda: SnowballStemmer("english")}
    if name not in builders:
        raise ValueError(f"unknown stemmer {name!r}; choose from {', '.join(STEMMERS)}")
    return builders[name]()
