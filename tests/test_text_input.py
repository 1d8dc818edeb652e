"""Reading texts: one column or a table, missing values, white-space words."""

import pandas as pd
import pyarrow as pa
import pytest
from sklearn.base import BaseEstimator

from textclf._text_input import joined_texts, split_tokens, split_words, text_columns


def test_words_are_split_at_any_white_space():
    texts = pa.array(["", "  ", " a  b ", "a\u00a0b\tc\n", "x"], pa.large_string())
    assert split_words(texts).to_pylist() == [[], [], ["a", "b"], ["a", "b", "c"], ["x"]]
    assert split_words(texts.slice(2, 2)).to_pylist() == [["a", "b"], ["a", "b", "c"]]


def test_tokens_are_split_like_str_split_and_know_their_text():
    texts = ["  Why\u00a0is\tthe sky  blue ? ", "", "one", "a\u2003b\x1cc"]
    tokens, text_of_token = split_tokens(pa.array(texts, type=pa.large_string()))
    expected = [(i, token) for i, text in enumerate(texts) for token in text.split()]
    assert list(zip(text_of_token.tolist(), tokens.to_pylist())) == expected


def test_a_column_records_its_name_and_a_table_its_columns():
    estimator = BaseEstimator()
    [column] = text_columns(estimator, pd.Series(["x", None], name="question_text"), reset=True)
    assert column.to_pylist() == ["x", ""] and estimator.n_features_in_ == 1
    assert estimator.feature_names_in_.tolist() == ["question_text"]
    table = pd.DataFrame({"title": ["a", "b"], "body": ["c", None]})
    assert joined_texts(estimator, table, reset=True).to_pylist() == ["a c", "b "]
    assert estimator.feature_names_in_.tolist() == ["title", "body"]
    with pytest.raises(ValueError, match="X is one column of texts, but BaseEstimator was "
                                         "fitted on 2 columns"):
        text_columns(estimator, ["one text"], reset=False)
