import zipfile

import nltk
import pytest

from textclf import nltk_resources
from textclf.nltk_resources import (
    BUNDLED_NLTK_DATA,
    MissingResourceError,
    english_stopwords,
    find_resource,
)


@pytest.fixture
def empty_nltk_data(tmp_path, monkeypatch):
    """An NLTK search path holding only an empty folder, as on a fresh machine."""
    folder = tmp_path / "nltk_data"
    folder.mkdir()
    monkeypatch.setenv("NLTK_DATA", str(folder))
    monkeypatch.setattr(nltk.data, "path", [str(folder)])
    english_stopwords.cache_clear()
    yield folder
    english_stopwords.cache_clear()


@pytest.mark.parametrize("name", sorted(nltk_resources.RESOURCES))
def test_every_resource_resolves_from_the_bundled_copy(empty_nltk_data, name):
    assert str(find_resource(name)).startswith(str(BUNDLED_NLTK_DATA))


@pytest.mark.parametrize("name", sorted(nltk_resources.RESOURCES))
def test_a_missing_resource_says_what_where_and_how(empty_nltk_data, name):
    with pytest.raises(MissingResourceError) as error:
        find_resource(name, include_bundled=False)
    message = str(error.value)
    assert f"NLTK resource {name!r}" in message
    assert str(empty_nltk_data) in message
    assert f"python -m nltk.downloader -d <folder> {name}" in message


def test_the_users_own_copy_wins(empty_nltk_data):
    own = empty_nltk_data / "corpora" / "stopwords"
    own.mkdir(parents=True)
    (own / "english").write_text("alpha\nbeta\n")
    assert english_stopwords() == {"alpha", "beta"}


def test_bundled_stop_words_are_nltks_179(empty_nltk_data):
    words = english_stopwords()
    assert len(words) == 179
    assert {"the", "don't", "wouldn't", "ourselves"} <= words and "never" not in words


def test_unknown_resource_name_is_rejected():
    with pytest.raises(ValueError, match="unknown NLTK resource 'punkt'"):
        find_resource("punkt")


def test_bundled_wordnet_and_vader_work_through_nltk(empty_nltk_data):
    find_resource("wordnet")
    from nltk.corpus.reader.wordnet import WordNetCorpusReader
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    wordnet = WordNetCorpusReader(find_resource("wordnet"), None)
    assert wordnet.get_version() == "3.0"
    assert wordnet.synsets("dog")[0].lexname() == "noun.animal"
    analyser = SentimentIntensityAnalyzer(lexicon_file=nltk_resources.RESOURCES["vader_lexicon"])
    assert analyser.polarity_scores("I hate this")["compound"] == pytest.approx(-0.5719)


def test_sentiment_features_score_with_the_users_own_vader_lexicon(empty_nltk_data):
    from textclf.features import SentimentFeatures
    from textclf.features._sentiment import _vader_analyzer

    # A lexicon in which "hate" is a positive word: only the user's copy can say so.
    (empty_nltk_data / "sentiment").mkdir()
    with zipfile.ZipFile(empty_nltk_data / "sentiment" / "vader_lexicon.zip", "w") as archive:
        archive.writestr("vader_lexicon/vader_lexicon.txt", "hate\t3.0\t0.5\t[3, 3]\n")
    _vader_analyzer.cache_clear()
    try:
        compound = SentimentFeatures(analyzers=["vader"]).fit_transform(["I hate this"])[0, 0]
    finally:
        _vader_analyzer.cache_clear()
    assert compound > 0.5
