import pickle
import string
from numbers import Real

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import Interval, InvalidParameterError

from benchmarks import feature_speed
from textclf.data import load_dataset
from textclf.features import MetaFeatures
from textclf.features._base import TextFeatures
from textclf.features._meta import FEATURES
from textclf.nltk_resources import english_stopwords


def features_of(text, **params) -> dict[str, float]:
    transformer = MetaFeatures(**params).fit([text])
    return dict(zip(transformer.get_feature_names_out(), transformer.transform([text])[0]))


def python_meta_features(text: str) -> list[float]:
    """The documented definitions, written with Python's str methods, one text at a time."""
    words = text.split()
    stop_words = english_stopwords()
    n_words, n_chars = len(words), len(text)
    n_unique = len(set(words))
    n_stop = sum(word.lower() in stop_words for word in words)
    n_punctuation = sum(char in string.punctuation for char in text)
    n_upper = sum(word.isupper() for word in words)
    n_title = sum(word.istitle() for word in words)

    def ratio(a, b):
        return a / b if b else 0.0

    return [n_words, n_unique, n_chars, n_stop, n_punctuation, n_upper, n_title,
            ratio(sum(map(len, words)), n_words), text.count("?"), text.count("!"),
            ratio(n_unique, n_words), ratio(n_stop, n_words), ratio(n_upper, n_words),
            ratio(n_title, n_words), ratio(n_punctuation, n_chars)]


TRICKY_TEXTS = [
    "", " ", "\t\n", "  leading and trailing  ", "a\u00a0b\u3000c\u2028d\x1ce\x85f",
    "😀 Café ÉCOLE 20ºC x²", "İstanbul ǅemal ǈ KELVIN \u212a", "“Quoted” — dash… ¿Qué?",
    "THE The the tHe", "!!!???", "U.S.A. isn't I'M", "ⁿ Iₙ ªb",
]


def test_golden_two_sentences():
    # Words: Why is the USA so Rich? The USA is not rich!  (11, of which 9 distinct:
    # "is" and "USA" repeat, "the"/"The" and "Rich?"/"rich!" differ). Stop words: why, is,
    # the, so, The, is, not. Upper: USA twice. Title: Why, Rich?, The. Word characters:
    # 3+2+3+3+2+5+3+3+2+3+5 = 34, plus 10 spaces = 44 characters.
    assert features_of("Why is the USA so Rich? The USA is not rich!") == pytest.approx({
        "n_words": 11, "n_unique_words": 9, "n_chars": 44, "n_stop_words": 7,
        "n_punctuation": 2, "n_upper_words": 2, "n_title_words": 3,
        "mean_word_length": 34 / 11, "n_question_marks": 1, "n_exclamation_marks": 1,
        "unique_word_ratio": 9 / 11, "stop_word_ratio": 7 / 11, "upper_word_ratio": 2 / 11,
        "title_word_ratio": 3 / 11, "punctuation_ratio": 2 / 44})


def test_golden_white_space_and_non_ascii_punctuation():
    # Words: I, can't, say, it:, it's, “odd”…  (tab and no-break space separate words;
    # leading and trailing spaces make none). Stop words: I, it's ("can't" is not in NLTK's
    # list, "it:" has punctuation attached). ASCII punctuation: two apostrophes and ":";
    # the curly quotes and the ellipsis are not string.punctuation. "I" is upper and title.
    # Characters: 2 + 1+1 + 5+1 + 3+1 + 3+1 + 4+1 + 6 + 2 = 31.
    assert features_of("  I can't\tsay it:\u00a0it's “odd”…  ") == pytest.approx({
        "n_words": 6, "n_unique_words": 6, "n_chars": 31, "n_stop_words": 2,
        "n_punctuation": 3, "n_upper_words": 1, "n_title_words": 1,
        "mean_word_length": 22 / 6, "n_question_marks": 0, "n_exclamation_marks": 0,
        "unique_word_ratio": 1.0, "stop_word_ratio": 2 / 6, "upper_word_ratio": 1 / 6,
        "title_word_ratio": 1 / 6, "punctuation_ratio": 3 / 31})


def test_empty_and_missing_texts_give_zeros_not_nan():
    features = MetaFeatures().fit_transform(["", None, np.nan, "   \n"])
    assert features.shape == (4, len(FEATURES))
    assert not np.isnan(features).any()
    np.testing.assert_array_equal(features[:3], 0.0)
    # White space only: characters but no words, so word ratios are 0.
    assert features_of("   \n") == pytest.approx({**dict.fromkeys(FEATURES, 0.0), "n_chars": 4})


def test_unicode_and_emoji_follow_python_string_methods():
    # An emoji is one character; "ÉCOLE" is upper case and "Café" title case; Python counts
    # "º" and "x" as lower case, so neither "20ºC" nor "x²" is upper case. Word characters:
    # 1 + 4 + 5 + 4 + 2 = 16, plus 4 spaces.
    assert features_of("😀 Café ÉCOLE 20ºC x²") == pytest.approx({
        "n_words": 5, "n_unique_words": 5, "n_chars": 20, "n_stop_words": 0,
        "n_punctuation": 0, "n_upper_words": 1, "n_title_words": 1,
        "mean_word_length": 16 / 5, "n_question_marks": 0, "n_exclamation_marks": 0,
        "unique_word_ratio": 1.0, "stop_word_ratio": 0.0, "upper_word_ratio": 1 / 5,
        "title_word_ratio": 1 / 5, "punctuation_ratio": 0.0})


def test_agrees_with_the_python_definitions_on_real_and_tricky_texts():
    texts = load_dataset("sms_spam")["question_text"].tolist() + TRICKY_TEXTS
    expected = np.array([python_meta_features(text) for text in texts])
    np.testing.assert_allclose(MetaFeatures().fit_transform(texts), expected)


def test_a_very_long_text():
    text = "word " * 200_000 + "END!"
    features = features_of(text)
    assert features["n_words"] == 200_001
    assert features["n_unique_words"] == 2
    assert features["n_chars"] == 1_000_004
    assert features["n_upper_words"] == 1
    assert features["n_exclamation_marks"] == 1
    assert features["mean_word_length"] == pytest.approx(4.0)


def test_output_is_float64_and_each_row_depends_on_its_text_only():
    texts = load_dataset("sms_spam")["question_text"].head(300)
    transformer = MetaFeatures().fit(texts)
    features = transformer.transform(texts)
    assert features.dtype == np.float64
    assert features.shape == (300, len(FEATURES))
    np.testing.assert_array_equal(transformer.transform(texts[::-1]), features[::-1])
    np.testing.assert_array_equal(transformer.transform(texts[:7]), features[:7])


def test_feature_names_and_a_subset_in_the_order_asked():
    texts = ["Why is the USA so Rich?", "ok"]
    everything = MetaFeatures().fit(texts)
    assert list(everything.get_feature_names_out()) == list(FEATURES)
    subset = MetaFeatures(features=("n_question_marks", "n_words")).fit(texts)
    assert list(subset.get_feature_names_out()) == ["n_question_marks", "n_words"]
    all_columns = everything.transform(texts)
    np.testing.assert_array_equal(subset.transform(texts),
                                  all_columns[:, [FEATURES.index("n_question_marks"),
                                                  FEATURES.index("n_words")]])


def test_several_text_columns_get_prefixed_names():
    frame = pd.DataFrame({"title": ["Hello World", None], "body": ["why?", "OK!"]})
    transformer = MetaFeatures(features=["n_words", "n_question_marks"]).fit(frame)
    assert list(transformer.get_feature_names_out()) == [
        "title__n_words", "title__n_question_marks", "body__n_words", "body__n_question_marks"]
    np.testing.assert_array_equal(transformer.transform(frame), [[2, 0, 1, 1], [0, 0, 1, 0]])


@pytest.mark.parametrize("features, error, message", [
    ("n_words", InvalidParameterError,
     r"'features' parameter of MetaFeatures must be an array-like or None\. Got 'n_words'"),
    (3, InvalidParameterError, "'features' parameter of MetaFeatures must be an array-like"),
    ([], ValueError, "features is empty"),
    (["n_words", "n_verbs"], ValueError, r"features names unknown \['n_verbs'\]"),
    (["n_words", "n_chars", "n_words"], ValueError, r"\['n_words'\] more than once"),
])
def test_invalid_feature_selection_is_a_clear_error(features, error, message):
    with pytest.raises(error, match=message):
        MetaFeatures(features=features).fit(["a text"])


def test_pickle_round_trip():
    texts = ["Why is the USA so Rich?", "", "😀 ok"]
    transformer = MetaFeatures(features=["n_words", "upper_word_ratio"]).fit(texts)
    restored = pickle.loads(pickle.dumps(transformer))
    assert restored.get_params() == transformer.get_params()
    np.testing.assert_array_equal(restored.transform(texts), transformer.transform(texts))


def test_in_a_column_transformer_pipeline_with_logistic_regression():
    data = load_dataset("sms_spam")
    train, test = data.iloc[:3500], data.iloc[3500:]
    model = make_pipeline(
        ColumnTransformer([("meta", MetaFeatures(), "question_text")]),
        StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(train[["question_text"]], train["target"])
    names = model[0].get_feature_names_out()
    assert list(names) == [f"meta__{name}" for name in FEATURES]
    # Spam is long, shouty and full of punctuation: meta features alone rank it well.
    scores = model.predict_proba(test[["question_text"]])[:, 1]
    assert roc_auc_score(test["target"], scores) > 0.9


def test_the_benchmark_runs_on_a_small_file(tmp_path, capsys):
    data = load_dataset("sms_spam").head(40)
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    data.to_csv(train, index=False)
    data[["qid", "question_text"]].to_csv(test, index=False)
    feature_speed.main(["--train", str(train), "--test", str(test), "--rows", "60",
                        "--repeats", "1"])
    printed = capsys.readouterr().out
    assert "| MetaFeatures() (15 features) |" in printed
    assert '| SentimentFeatures(analyzers=["textblob"]) |' in printed
    assert "agree on 60 of 60 rows" in printed


class _Words(TextFeatures):
    """A feature builder that only declares its parameter's constraints."""

    _parameter_constraints: dict = {
        **TextFeatures._parameter_constraints,
        "scale": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, scale=1.0):
        self.scale = scale

    def _transform_column(self, state, texts):
        return MetaFeatures(features=["n_words"]).fit_transform(texts.to_pylist()) * self.scale

    def _feature_names(self, state):
        return ["scaled_words"]


def test_a_feature_builder_gets_its_constraints_checked_at_fit_and_transform():
    assert _Words(scale=2.0).fit_transform(["a b", "c"]).ravel().tolist() == [4.0, 2.0]
    with pytest.raises(InvalidParameterError, match="'scale' parameter of _Words must be"):
        _Words(scale=0).fit(["a b"])
    fitted = _Words().fit(["a b"])
    fitted.set_params(scale=-1)
    with pytest.raises(InvalidParameterError, match="'scale' parameter of _Words must be"):
        fitted.transform(["a b"])
