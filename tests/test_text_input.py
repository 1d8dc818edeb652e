"""Reading texts: one column or a table, missing values, white-space words."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.base import BaseEstimator

from textclf._text_input import joined_texts, split_tokens, split_words, text_columns


def test_words_are_split_at_any_white_space():
    texts = pa.array(["", "  ", " a  b ", "a\u00a0b\tc\n", "x"], pa.large_string())
    assert split_words(texts).to_pylist() == [[], [], ["a", "b"], ["a", "b", "c"], ["x"]]
    assert split_words(texts.slice(2, 2)).to_pylist() == [["a", "b"], ["a", "b", "c"]]



def test_tokens_know_their_text():
    tokens, text_of_token = split_tokens(pa.array(["b a", "", " c "], pa.large_string()))
    assert tokens.to_pylist() == ["b", "a", "c"]
    np.testing.assert_array_equal(text_of_token, [0, 0, 2])


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
