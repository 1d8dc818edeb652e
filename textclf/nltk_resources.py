"""Find the NLTK resources textclf needs without ``nltk.download()``.

Resolution order: the user's own nltk_data (``NLTK_DATA`` and NLTK's default folders, i.e.
``nltk.data.path``), then the copies textclf ships in ``textclf/resources/nltk_data``
(WordNet 3.0 from Debian's wordnet packages, NLTK's English stop words, the VADER lexicon of
the ``vaderSentiment`` package; rebuilt by ``scripts/build_nltk_data.py``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import nltk
from nltk.data import PathPointer

BUNDLED_NLTK_DATA = Path(__file__).resolve().parent / "resources" / "nltk_data"

# name -> path inside an nltk_data folder, as nltk.data.find() expects it. The trailing
# slash matters: it lets NLTK fall back to the zipped form (corpora/wordnet.zip/wordnet/).
RESOURCES = {
    "wordnet": "corpora/wordnet/",
    "stopwords": "corpora/stopwords/",
    "vader_lexicon": "sentiment/vader_lexicon.zip/vader_lexicon/vader_lexicon.txt",
}


class MissingResourceError(LookupError):
    """A language resource is not installed where textclf looks for it."""


def find_resource(name: str, *, include_bundled: bool = True) -> PathPointer:
    """NLTK path pointer (a folder, a file or a zip entry) to resource ``name``, a key of
    ``RESOURCES``; the user's copy wins over the bundled one.

    Registers the bundled folder at the end of ``nltk.data.path`` so that NLTK's own
    loaders (``nltk.corpus.wordnet``, ``SentimentIntensityAnalyzer``) find the same copy.
    """
    if name not in RESOURCES:
        raise ValueError(f"unknown NLTK resource {name!r}; textclf knows {sorted(RESOURCES)}")
    if include_bundled and str(BUNDLED_NLTK_DATA) not in nltk.data.path:
        nltk.data.path.append(str(BUNDLED_NLTK_DATA))
    searched = [p for p in nltk.data.path if include_bundled or p != str(BUNDLED_NLTK_DATA)]
    for folder in searched:
        try:
            return nltk.data.find(RESOURCES[name], paths=[folder])
        except LookupError:
            continue
    raise MissingResourceError(
        f"NLTK resource {name!r} ({RESOURCES[name]}) was not found. Looked in: "
        f"{', '.join(searched) or '(no folders)'}. textclf ships a copy under "
        f"{BUNDLED_NLTK_DATA} (reinstall textclf if it is gone); or point NLTK_DATA at an "
        f"nltk_data folder that holds it (on a machine with internet: "
        f"python -m nltk.downloader -d <folder> {name})")


@cache
def english_stopwords() -> frozenset[str]:
    """NLTK's 179 English stop words, from the first nltk_data folder that has them."""
    with find_resource("stopwords").join("english").open(encoding="utf-8") as words:
        return frozenset(words.read().split())
