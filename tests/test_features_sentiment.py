import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from textblob import TextBlob
from textblob.en import sentiment as pattern_sentiment
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from textclf.data import load_dataset
from textclf.features import MetaFeatures, SentimentFeatures
from textclf.features._sentiment import LONG_TEXT_WORDS, _vader_analyzer

ALL_COLUMNS = ["vader_compound", "vader_pos", "vader_neu", "vader_neg", "textblob_polarity",
               "textblob_subjectivity"]


@pytest.fixture(autouse=True)
def shipped_vader_lexicon(tmp_path, monkeypatch):
    """Score with the lexicon textclf ships, whatever nltk_data this machine has: the
    expected values below are that lexicon's (vaderSentiment 3.3.2's)."""
    import nltk

    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    _vader_analyzer.cache_clear()
    yield
    _vader_analyzer.cache_clear()


@pytest.fixture(scope="module")
def sms_texts():
    return load_dataset("sms_spam")["question_text"].head(200).tolist()


def scores_of(text, **params) -> dict[str, float]:
    transformer = SentimentFeatures(**params).fit([text])
    return dict(zip(transformer.get_feature_names_out(), transformer.transform([text])[0]))


def test_vader_scores_of_a_short_negative_sentence():
    assert scores_of("I hate this", analyzers=["vader"]) == pytest.approx({
        "vader_compound": -0.5719, "vader_pos": 0.0, "vader_neu": 0.351, "vader_neg": 0.649})


def test_textblob_scores_of_a_question():
    scores = scores_of("What is the best way to learn a beautiful language?",
                       analyzers=["textblob"])
    assert scores == pytest.approx({"textblob_polarity": 0.925,
                                    "textblob_subjectivity": 0.65})


def test_same_numbers_as_the_analysers_called_directly(sms_texts):
    features = SentimentFeatures().fit_transform(sms_texts)
    vader = SentimentIntensityAnalyzer()
    expected = []
    for text in sms_texts:
        vader_scores = vader.polarity_scores(text)
        blob = TextBlob(text).sentiment
        expected.append([vader_scores["compound"], vader_scores["pos"], vader_scores["neu"],
                         vader_scores["neg"], blob.polarity, blob.subjectivity])
    np.testing.assert_allclose(features, expected)


def test_columns_follow_the_order_of_analyzers():
    texts = ["What a great day!", "This is awful."]
    both = SentimentFeatures().fit(texts)
    assert list(both.get_feature_names_out()) == ALL_COLUMNS
    swapped = SentimentFeatures(analyzers=("textblob", "vader")).fit(texts)
    assert list(swapped.get_feature_names_out()) == ALL_COLUMNS[4:] + ALL_COLUMNS[:4]
    np.testing.assert_array_equal(swapped.transform(texts),
                                  both.transform(texts)[:, [4, 5, 0, 1, 2, 3]])
    assert both.transform(texts).dtype == np.float64


def test_empty_and_missing_texts_score_zero():
    features = SentimentFeatures().fit_transform(["", None, np.nan])
    np.testing.assert_array_equal(features, np.zeros((3, 6)))


def test_unicode_and_emoji():
    # VADER 3.3 reads an emoji through its description ("smiling face with heart-eyes").
    with_emoji = scores_of("I love it 😍")
    without = scores_of("I love it")
    assert with_emoji["vader_compound"] > without["vader_compound"] > 0
    features = SentimentFeatures().fit_transform(["¿Qué tal? ça va 🙂", "日本語の質問", "ⁿ²"])
    assert np.isfinite(features).all()


def test_a_very_long_text_scores_within_range():
    # 2,000 words without a sentence end: VADER reads it in pieces of LONG_TEXT_WORDS words.
    scores = scores_of("a wonderful, lovely day " * 500)
    assert 0.9 < scores["vader_compound"] <= 1.0
    assert 0.0 < scores["textblob_polarity"] <= 1.0
    assert scores["vader_pos"] + scores["vader_neu"] + scores["vader_neg"] == pytest.approx(
        1.0, abs=0.002)


LONG_REVIEW_SENTENCES = [
    "I absolutely love this dress, it is beautiful!",
    "The fabric feels cheap and the zipper broke after one wear.",
    'My sister said "it looks awful on you."',
    "Sizing runs small, so order one size up.",
    "NOT worth the price?",
]


def long_review() -> tuple[str, list[str]]:
    """A text of more than LONG_TEXT_WORDS words, and its sentences in order."""
    sentences = []
    while sum(len(sentence.split()) for sentence in sentences) <= LONG_TEXT_WORDS:
        sentences += LONG_REVIEW_SENTENCES
    # Sentences end at ". ", "! ", "? ", after a closing quote, and at a blank line.
    text = " ".join(sentences[:5]) + "\n\n" + " ".join(sentences[5:])
    return text, sentences


def word_weighted_vader(pieces: list[str]) -> dict[str, float]:
    vader = SentimentIntensityAnalyzer()
    weights = np.array([len(piece.split()) for piece in pieces], dtype=float)
    scores = [vader.polarity_scores(piece) for piece in pieces]
    return {f"vader_{name}": float(weights @ [score[name] for score in scores] / weights.sum())
            for name in ("compound", "pos", "neu", "neg")}


def vader_word_counts(monkeypatch) -> list[int]:
    """Record the number of words of every text VADER is called on."""
    words_per_call = []
    original = SentimentIntensityAnalyzer.polarity_scores

    def counting(self, text):
        words_per_call.append(len(text.split()))
        return original(self, text)

    monkeypatch.setattr(SentimentIntensityAnalyzer, "polarity_scores", counting)
    return words_per_call


def test_a_long_text_scores_the_word_weighted_mean_of_its_sentences():
    text, sentences = long_review()
    assert len(text.split()) > LONG_TEXT_WORDS
    scores = scores_of(text, analyzers=["vader"])
    assert scores == pytest.approx(word_weighted_vader(sentences))
    # Scored whole, the same text gets other numbers: the rule is what makes these.
    whole = SentimentIntensityAnalyzer().polarity_scores(text)
    assert scores["vader_compound"] != pytest.approx(whole["compound"], abs=1e-3)
    assert scores["vader_pos"] + scores["vader_neu"] + scores["vader_neg"] == pytest.approx(
        1.0, abs=0.002)


def test_a_run_on_sentence_is_scored_in_pieces_of_long_text_words():
    words = ("this is not a good day but the food was lovely " * 30).split()
    pieces = [" ".join(words[start:start + LONG_TEXT_WORDS])
              for start in range(0, len(words), LONG_TEXT_WORDS)]
    assert len(pieces) > 1 and max(len(piece.split()) for piece in pieces) == LONG_TEXT_WORDS
    assert scores_of(" ".join(words), analyzers=["vader"]) == pytest.approx(
        word_weighted_vader(pieces))


@pytest.mark.parametrize("text", [
    "I hate this",
    "Why are all politicians so stupid and corrupt?",
    # Several sentences, but short: scored whole, "but" and "!" acting across them.
    "Great dress! But the zipper broke. NEVER again!!",
    " ".join(["good"] * LONG_TEXT_WORDS),
])
def test_a_text_of_at_most_long_text_words_scores_as_vader_on_the_whole_text(text,
                                                                            monkeypatch):
    expected = SentimentIntensityAnalyzer().polarity_scores(text)
    words_per_call = vader_word_counts(monkeypatch)
    assert scores_of(text, analyzers=["vader"]) == {
        f"vader_{name}": expected[name] for name in ("compound", "pos", "neu", "neg")}
    assert words_per_call == [len(text.split())] * len(words_per_call)


def test_vader_never_reads_a_long_text_whole(monkeypatch, sms_texts):
    # Real messages joined into texts of about 2,000 words, plus one long run-on.
    joined, texts = [], []
    for message in sms_texts * 20:
        joined.append(message)
        if sum(len(part.split()) for part in joined) >= 2_000:
            texts.append(" ".join(joined))
            joined = []
    texts.append("a wonderful, lovely day " * 500)
    words_per_call = vader_word_counts(monkeypatch)
    features = SentimentFeatures(analyzers=["vader"]).fit_transform(texts)

    assert max(words_per_call) <= LONG_TEXT_WORDS
    # Every word is read once: the pieces of a text partition its words.
    assert sum(words_per_call) == sum(len(text.split()) for text in texts)
    np.testing.assert_allclose(features[:, 1:].sum(axis=1), 1.0, atol=0.002)
    assert (np.abs(features[:, 0]) <= 1).all()


def test_a_text_of_one_word_more_than_long_text_words_is_split(monkeypatch):
    text = " ".join(["good."] * (LONG_TEXT_WORDS + 1))
    words_per_call = vader_word_counts(monkeypatch)
    scores = scores_of(text, analyzers=["vader"])
    assert words_per_call == [1] * (LONG_TEXT_WORDS + 1)  # one call per sentence
    assert scores == pytest.approx(word_weighted_vader(["good."]))


def test_each_distinct_text_is_scored_once(monkeypatch):
    vader_calls, textblob_calls = [], []
    original_vader = SentimentIntensityAnalyzer.polarity_scores
    original_pattern = type(pattern_sentiment).__call__

    def counting_vader(self, text):
        vader_calls.append(text)
        return original_vader(self, text)

    def counting_pattern(self, text, *args, **kwargs):
        textblob_calls.append(text)
        return original_pattern(self, text, *args, **kwargs)

    monkeypatch.setattr(SentimentIntensityAnalyzer, "polarity_scores", counting_vader)
    monkeypatch.setattr(type(pattern_sentiment), "__call__", counting_pattern)
    texts = ["a good day", "a bad day", "a good day", None, "", "a good day", "a bad day"]
    features = SentimentFeatures().fit_transform(texts)

    assert sorted(vader_calls) == ["a bad day", "a good day"]
    assert sorted(textblob_calls) == ["a bad day", "a good day"]
    np.testing.assert_array_equal(features[2], features[0])
    np.testing.assert_array_equal(features[5], features[0])
    np.testing.assert_array_equal(features[6], features[1])
    assert features[0, 0] > 0 > features[1, 0]


@pytest.mark.parametrize("analyzers, error, message", [
    ("vader", InvalidParameterError,
     r"'analyzers' parameter of SentimentFeatures must be an array-like\. Got 'vader'"),
    (None, InvalidParameterError, "'analyzers' parameter of SentimentFeatures must be an"),
    ((), ValueError, "analyzers is empty"),
    (["vader", "afinn"], ValueError, r"analyzers names unknown \['afinn'\]"),
    (["textblob", "textblob"], ValueError, r"\['textblob'\] more than once"),
])
def test_invalid_analyzers_are_a_clear_error(analyzers, error, message):
    with pytest.raises(error, match=message):
        SentimentFeatures(analyzers=analyzers).fit(["a text"])


def test_pickle_round_trip_keeps_no_analyser():
    texts = ["I hate this", "I love this", ""]
    transformer = SentimentFeatures().fit(texts)
    features = transformer.transform(texts)  # builds the analysers
    pickled = pickle.dumps(transformer)
    assert len(pickled) < 2_000  # parameters only, not the lexicons
    np.testing.assert_array_equal(pickle.loads(pickled).transform(texts), features)


def test_importing_the_module_does_not_load_the_analysers():
    code = ("import sys; import textclf.features._sentiment; "
            "print(sorted(m for m in ('textblob', 'vaderSentiment') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_in_a_column_transformer_pipeline_with_logistic_regression():
    data = load_dataset("sms_spam")
    train, test = data.iloc[:3500], data.iloc[3500:]
    model = make_pipeline(
        ColumnTransformer([("sentiment", SentimentFeatures(), "question_text"),
                           ("meta", MetaFeatures(features=["n_words"]), "question_text")]),
        LogisticRegression(max_iter=1000))
    model.fit(train, train["target"])
    assert list(model[0].get_feature_names_out()) == (
        [f"sentiment__{name}" for name in ALL_COLUMNS] + ["meta__n_words"])
    scores = model.predict_proba(test)[:, 1]
    assert scores.shape == (len(test),)
    # Spam sounds enthusiastic ("FREE", "WIN"), so tone alone ranks it better than chance.
    assert roc_auc_score(test["target"], scores) > 0.65
