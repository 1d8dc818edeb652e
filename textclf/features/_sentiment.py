"""Sentiment features: the tone of a text, scored by two lexicon-based analysers.

Insincere questions are more often hostile or loaded ("Why are all X so stupid?"), so the
polarity of a question is a weak but cheap signal. Two analysers, each needing no download:

- VADER (Hutto & Gilbert, ICWSM 2014), rule-based and tuned for short social-media text:
  it reads capitals ("GREAT"), exclamation marks, negations ("not good"), boosters
  ("very") and "but" clauses.
- TextBlob's default ``PatternAnalyzer`` (the pattern library's English lexicon of
  adjectives): polarity and subjectivity, averaged over the lexicon words of the text.
"""

from __future__ import annotations

import logging
import re
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._param_validation import check_selection
from ._base import TextFeatures

# Analyser name -> its output columns, in order.
ANALYZERS = {
    "vader": ("vader_compound", "vader_pos", "vader_neu", "vader_neg"),
    "textblob": ("textblob_polarity", "textblob_subjectivity"),
}
_VADER_SCORES = ("compound", "pos", "neu", "neg")

# Texts of more words than this are scored by VADER per sentence (see SentimentFeatures):
# above it VADER's quadratic cost starts to show; at or below it nothing changes. The
# shipped reviews have at most 115 words and the Quora questions fewer still.
LONG_TEXT_WORDS = 120
# Where a long text is cut: white space after a sentence's final punctuation (and an
# optional closing quote or bracket), or a blank line. Lookbehinds keep the punctuation
# with its sentence, where VADER reads it.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'\u201d\u2019)\]])\s+|\n\s*\n")


class SentimentFeatures(TextFeatures):
    """Sentiment scores of each text from VADER and/or TextBlob, as a dense float64 array.

    Feed the **raw** texts: both analysers read case, punctuation and negations that
    cleaning removes. Nothing is learned in ``fit``.

    Columns, per analyser (in the order of ``analyzers``):

    - ``"vader"``: ``vader_compound``, the normalised sum of word valences in [-1, 1]
      (-1 most negative); ``vader_pos``, ``vader_neu``, ``vader_neg``, the proportions of
      the text that are positive, neutral and negative (they sum to 1, or are all 0 for a
      text without words). Computed by the ``vaderSentiment`` package (3.3.2), VADER's
      reference implementation by its authors, with the ``vader_lexicon`` NLTK resource:
      the user's nltk_data copy when there is one, else the copy textclf ships (the
      vaderSentiment package's own file). It is preferred to NLTK's port
      (``nltk.sentiment.vader``), an older version of the same rules, because NLTK's port
      drops one-letter words such as "I" and "a" before scoring, which shifts pos/neu/neg
      and at times the compound score, ignores emoji, which VADER 3.3 translates to words,
      and is slower.
    - ``"textblob"``: ``textblob_polarity`` in [-1, 1] and ``textblob_subjectivity`` in
      [0, 1], exactly ``TextBlob(text).sentiment`` with TextBlob's default
      ``PatternAnalyzer``. It is called through the pattern lexicon object that
      ``PatternAnalyzer`` uses (``textblob.en.sentiment``), which skips building a
      ``TextBlob`` per text; it needs no NLTK corpora.

    Empty or missing texts score 0 everywhere.

    Long texts are scored sentence by sentence, because VADER's rules rescan the words
    before each word (its negation and idiom checks lower-case the whole text again), so
    the cost of scoring a text whole grows with the square of its length. The rule, for
    the VADER columns:

    - A text of at most ``LONG_TEXT_WORDS`` (120) white-space words is scored whole, exactly
      as ``polarity_scores(text)``, so questions, reviews and text messages score as VADER
      scores them.
    - A longer text is cut into sentences after ``.``, ``!`` or ``?`` (optionally followed
      by a closing quote or bracket) and white space, and at blank lines, by a regular
      expression that needs no NLTK data; a sentence of more than ``LONG_TEXT_WORDS`` words
      (a run-on without punctuation) is cut further into pieces of that many words. Each
      piece is scored by VADER on its own, as VADER's authors advise for paragraphs, and
      the four scores of the text are the means of its pieces' scores weighted by their
      numbers of words: a long sentence weighs more than a fragment such as "Thanks.",
      and ``vader_pos``, ``vader_neu`` and ``vader_neg`` still sum to 1. Exclamation marks,
      capitals and "but" then act within their own sentence, not across the whole text.

    TextBlob's pattern analyser costs the same per word whatever the length, so it scores
    every text whole. ``python -m benchmarks.text_length`` measures the time per word of
    both at 20, 200 and 2,000 words per text; ``python -m benchmarks.feature_speed`` gives
    texts per second on Quora questions.

    Both analysers are Python code run once per text, so each **distinct** text of a
    column is scored once and its scores are copied to its repeats. The analysers are
    built on first use and kept at module level, never on the estimator, so a fitted
    ``SentimentFeatures`` pickles to a few hundred bytes.

    Parameters
    ----------
    analyzers : sequence of {"vader", "textblob"}, default=("vader", "textblob")
        The analysers to run, in the order of their output columns.

    Examples
    --------
    >>> SentimentFeatures(analyzers=["vader"]).fit_transform(["I hate this"]).round(4)
    array([[-0.5719,  0.    ,  0.351 ,  0.649 ]])
    """

    _parameter_constraints: dict = {
        **TextFeatures._parameter_constraints,
        "analyzers": ["array-like"],
    }

    def __init__(self, *, analyzers=("vader", "textblob")):
        self.analyzers = analyzers

    def _check_params(self) -> None:
        check_selection("analyzers", self.analyzers, ANALYZERS)

    def _transform_column(self, state, texts: pa.Array) -> np.ndarray:
        # Score each distinct text once; repeated questions then cost a copy.
        encoded = pc.dictionary_encode(texts)
        distinct_texts = encoded.dictionary.to_pylist()
        scores = np.hstack([_SCORERS[name](distinct_texts) for name in self.analyzers])
        return scores[encoded.indices.to_numpy(zero_copy_only=False)]

    def _feature_names(self, state) -> list[str]:
        return [column for name in self.analyzers for column in ANALYZERS[name]]


def _vader_scores(texts: list[str]) -> np.ndarray:
    """(n_texts, 4) array of VADER's compound, pos, neu and neg scores."""
    polarity_scores = _vader_analyzer().polarity_scores
    scores = np.zeros((len(texts), len(_VADER_SCORES)))
    for row, text in enumerate(texts):
        if not text:  # VADER gives zeros for "" too; skipping it saves the call
            continue
        if len(text.split()) <= LONG_TEXT_WORDS:
            by_name = polarity_scores(text)
            scores[row] = [by_name[name] for name in _VADER_SCORES]
        else:
            scores[row] = _vader_scores_by_sentence(text, polarity_scores)
    return scores


def _vader_scores_by_sentence(text: str, polarity_scores) -> np.ndarray:
    """VADER's four scores of a long text: the word-weighted means of its pieces' scores."""
    pieces, n_words = _sentence_pieces(text)
    piece_scores = np.array([[by_name[name] for name in _VADER_SCORES]
                             for by_name in map(polarity_scores, pieces)])
    return np.asarray(n_words, dtype=float) @ piece_scores / sum(n_words)


def _sentence_pieces(text: str) -> tuple[list[str], list[int]]:
    """The sentences of ``text``, runs of more than LONG_TEXT_WORDS words cut into pieces
    of that many, and the number of words of each."""
    pieces, n_words = [], []
    for sentence in _SENTENCE_BREAK.split(text):
        words = sentence.split()
        if len(words) <= LONG_TEXT_WORDS:
            if words:
                pieces.append(sentence)
                n_words.append(len(words))
            continue
        for start in range(0, len(words), LONG_TEXT_WORDS):
            piece = words[start:start + LONG_TEXT_WORDS]
            pieces.append(" ".join(piece))
            n_words.append(len(piece))
    return pieces, n_words


def _textblob_scores(texts: list[str]) -> np.ndarray:
    """(n_texts, 2) array of TextBlob's PatternAnalyzer polarity and subjectivity."""
    sentiment = _pattern_sentiment()
    scores = np.zeros((len(texts), 2))
    for row, text in enumerate(texts):
        if text:
            polarity, subjectivity = sentiment(text)
            scores[row] = polarity, subjectivity
    return scores


_SCORERS = {"vader": _vader_scores, "textblob": _textblob_scores}


@cache
def _vader_analyzer():
    """VADER's analyser with the word lexicon of the first nltk_data folder that has one.

    The user's own ``vader_lexicon`` (``NLTK_DATA``, NLTK's default folders) wins over the
    copy textclf ships, as for every NLTK resource (``textclf.nltk_resources``); the emoji
    lexicon, which NLTK does not distribute, stays the vaderSentiment package's.
    """
    # Imported here: the analyser reads its lexicons (about 7,500 words and 3,500 emoji)
    # when first built, not when textclf is imported.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from ..nltk_resources import find_resource

    analyzer = SentimentIntensityAnalyzer()
    lexicon_path = find_resource("vader_lexicon")
    with lexicon_path.open() as lexicon:
        # vaderSentiment only reads a lexicon file from its own folder; its make_lex_dict()
        # parses the attribute that holds the text, so the resolved copy goes there (the
        # package's own copy, read by the constructor, is parsed and replaced).
        analyzer.lexicon_full_filepath = lexicon.read().decode("utf-8")
    analyzer.lexicon = analyzer.make_lex_dict()
    logging.getLogger("textclf.features").info("VADER lexicon: %s (%d words)", lexicon_path,
                                               len(analyzer.lexicon))
    return analyzer


@cache
def _pattern_sentiment():
    # Importing textblob takes a second or more (it imports NLTK); only pay it when used.
    from textblob.en import sentiment

    return sentiment
