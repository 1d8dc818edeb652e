import numpy as np
import pandas as pd
import pytest

from textclf.submission import SubmissionError, write_submission

QIDS = ["00002165364db923c7e6", "000032939017120e6e44", "0000412ca6e4628ce2cf", "000042bf85"]


def read_back(path):
    return pd.read_csv(path, dtype={"qid": str})


@pytest.mark.parametrize("predictions", [
    [0, 1, 1, 0],
    np.array([False, True, True, False]),
    pd.Series([0, 1, 1, 0], dtype="Int64"),
    np.array([0.0, 1.0, 1.0, 0.0]),
])
def test_written_file_round_trips_with_integer_labels_in_input_order(tmp_path, predictions):
    path = write_submission(QIDS, predictions, tmp_path / "submission.csv")
    assert path == tmp_path / "submission.csv"
    frame = read_back(path)
    assert frame.columns.tolist() == ["qid", "prediction"]
    assert frame["qid"].tolist() == QIDS
    assert frame["prediction"].dtype == "int64"
    assert frame["prediction"].tolist() == [0, 1, 1, 0]
    assert path.read_text().splitlines()[1] == f"{QIDS[0]},0"


def test_existing_file_is_not_overwritten_unless_asked(tmp_path):
    path = tmp_path / "submission.csv"
    path.write_text("old")
    with pytest.raises(FileExistsError, match="submission.csv already exists"):
        write_submission(QIDS, [0, 1, 1, 0], path)
    assert path.read_text() == "old"
    write_submission(QIDS, [0, 1, 1, 0], path, overwrite=True)
    assert read_back(path)["prediction"].tolist() == [0, 1, 1, 0]
    assert [p.name for p in tmp_path.iterdir()] == ["submission.csv"]


@pytest.mark.parametrize("qids, predictions, message", [
    (QIDS, [0, 1, 1], "qids has 4 rows but predictions has 3"),
    (QIDS[:3] + [QIDS[0]], [0, 1, 1, 0],
     r"unique; 2 rows share a qid, e.g. '00002165364db923c7e6' at index \[0, 3\]"),
    (QIDS[:3] + [""], [0, 1, 1, 0], "must not be empty or missing; found '' at index 3"),
    (QIDS[:3] + ["  "], [0, 1, 1, 0], "must not be empty or missing; found '  ' at index 3"),
    (QIDS[:3] + [None], [0, 1, 1, 0], "must not be empty or missing; found a missing value"),
    (QIDS, [0, 1, np.nan, 0],
     r"must not be missing; found NaN at index 2 \(qid '0000412ca6e4628ce2cf'\)"),
    (QIDS, [0, 1, 2, 0], "must be 0 or 1; found 2 at index 2"),
    (QIDS, [0, 0.7, 1, 0],
     r"0.7 at index 1 .*look like probabilities: threshold them first.*best_f1_threshold"),
    (QIDS, ["0", "1", "1", "0"], "0/1 numbers or booleans; found '0' at index 0"),
    (QIDS, np.array([[0.9, 0.1]] * 4), "output of predict_proba"),
    ([], [], "qids is empty"),
])
def test_bad_inputs_are_rejected_and_nothing_is_written(tmp_path, qids, predictions, message):
    with pytest.raises(SubmissionError, match=message):
        write_submission(qids, predictions, tmp_path / "submission.csv")
    assert not any(tmp_path.iterdir())


def test_expected_qids_must_all_be_present_exactly_once(tmp_path):
    with pytest.raises(SubmissionError,
                       match=r"1 expected qid\(s\) missing \('000042bf85'\); "
                             r"1 qid\(s\) not expected \('ffff'\)"):
        write_submission(QIDS[:3] + ["ffff"], [0, 1, 1, 0], tmp_path / "s.csv",
                         expected_qids=QIDS)
    with pytest.raises(SubmissionError, match=r"1 expected qid\(s\) missing \('000042bf85'\)"):
        write_submission(QIDS[:3], [0, 1, 1], tmp_path / "s.csv", expected_qids=QIDS)
    assert not any(tmp_path.iterdir())


def test_many_missing_qids_are_counted_and_the_first_few_named(tmp_path):
    expected = [f"q{i}" for i in range(100)]
    with pytest.raises(SubmissionError, match=r"90 expected qid\(s\) missing \('q10', 'q11', "
                                              r"'q12', 'q13', 'q14', \.\.\.\)"):
        write_submission(expected[:10], [0] * 10, tmp_path / "s.csv", expected_qids=expected)


def test_expected_qids_must_be_in_the_same_order(tmp_path):
    shuffled = [QIDS[1], QIDS[0], QIDS[2], QIDS[3]]
    with pytest.raises(SubmissionError, match=r"another order \(2 rows out of place\); first "
                                              "difference at index 0: got '000032939017120e6e44'"):
        write_submission(shuffled, [0, 1, 1, 0], tmp_path / "s.csv", expected_qids=QIDS)
    assert not any(tmp_path.iterdir())
    path = write_submission(pd.Series(QIDS, index=[9, 8, 7, 6]), [0, 1, 1, 0],
                            tmp_path / "s.csv", expected_qids=pd.Series(QIDS))
    assert read_back(path)["qid"].tolist() == QIDS


def test_a_real_test_file_submission(tmp_path, quora_dir):
    from textclf.data import read_test

    test = read_test(quora_dir / "test.csv")
    predictions = (np.arange(len(test)) % 17 == 0).astype(int)
    path = write_submission(test["qid"], predictions, tmp_path / "submission.csv",
                            expected_qids=test["qid"])
    frame = read_back(path)
    assert len(frame) == len(test) and frame["qid"].tolist() == test["qid"].tolist()
    assert set(frame["prediction"]) == {0, 1}
