import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from textclf.metrics import ErrorAnalysis, error_analysis, write_error_analysis

# Hand-made: threshold 0.5. Positives missed: d (0.05), e (0.30), f (0.375).
# Negatives flagged: g (0.95), h (0.75), i (0.50, exactly at the threshold). Closest to 0.5:
# i (distance 0), c (0.0625, a hit), then b (0.625, a hit) and f (0.375, a miss) tied at
# 0.125 and kept in input order. (Binary fractions, so the tie is exact in floating point.)
ROWS = pd.DataFrame({
    "qid": list("abcdefghij"),
    "question_text": [
        "Why is the sky blue?", "Are cats | dogs?", "How do I learn?", "Is it fair?",
        "Why do they lie?", "What is wrong\nwith them?", "How to cook rice?",
        "Which book to read?", "Where is Paris?", "When is it?",
    ],
    "target": [1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
    "proba": [0.9, 0.625, 0.5625, 0.05, 0.30, 0.375, 0.95, 0.75, 0.50, 0.10],
})


def analyse(top=20):
    return error_analysis(ROWS["qid"], ROWS["question_text"], ROWS["target"], ROWS["proba"],
                          0.5, top=top)


def test_picks_the_most_confident_errors_and_the_rows_nearest_the_threshold():
    analysis = analyse(top=3)
    assert isinstance(analysis, ErrorAnalysis)
    assert analysis.false_negatives["qid"].tolist() == ["d", "e", "f"]
    assert analysis.false_positives["qid"].tolist() == ["g", "h", "i"]
    assert analysis.uncertain["qid"].tolist() == ["i", "c", "b"]
    assert analyse(top=4).uncertain["qid"].tolist() == ["i", "c", "b", "f"]
    assert (analysis.n_true_positives, analysis.n_false_negatives) == (3, 3)
    assert (analysis.n_false_positives, analysis.n_true_negatives) == (3, 1)
    assert analysis.n_samples == 10


def test_uncertain_rows_are_ordered_by_distance_then_input_order():
    distance = (ROWS["proba"] - 0.5).abs()
    expected = ROWS.assign(distance=distance).sort_values("distance", kind="stable")["qid"]
    assert analyse(top=10).uncertain["qid"].tolist() == expected.tolist()


def test_frames_carry_qid_text_target_proba_and_prediction():
    row = analyse().false_positives.iloc[0]
    assert analyse().false_positives.columns.tolist() == [
        "qid", "question_text", "target", "proba", "predicted"]
    assert (row["qid"], row["question_text"], row["target"], row["proba"], row["predicted"]) \
        == ("g", "How to cook rice?", 0, 0.95, 1)


def test_top_limits_every_list():
    analysis = analyse(top=2)
    assert [len(analysis.false_negatives), len(analysis.false_positives),
            len(analysis.uncertain)] == [2, 2, 2]


def test_writes_csv_files_and_a_markdown_report(tmp_path):
    paths = write_error_analysis(analyse(), tmp_path / "lr")
    assert set(paths) == {"false_negatives", "false_positives", "uncertain", "report"}
    missed = pd.read_csv(paths["false_negatives"], keep_default_na=False)
    assert missed["qid"].tolist() == ["d", "e", "f"]
    assert missed["question_text"].iloc[2] == "What is wrong\nwith them?"  # CSV keeps text whole
    report = paths["report"].read_text(encoding="utf-8")
    assert "| target 1 | 3 | 3 |" in report
    assert "Are cats \\| dogs?" in report  # a pipe cannot break the table
    assert "What is wrong with them?" in report
    # Nothing but the four outputs: temporary files were renamed into place.
    assert sorted(p.name for p in (tmp_path / "lr").iterdir()) == [
        "error_analysis.md", "false_negatives.csv", "false_positives.csv", "uncertain.csv"]


def test_existing_files_are_not_overwritten_unless_asked(tmp_path):
    (tmp_path / "uncertain.csv").write_text("keep me")
    with pytest.raises(FileExistsError, match="uncertain.csv"):
        write_error_analysis(analyse(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uncertain.csv"]
    assert (tmp_path / "uncertain.csv").read_text() == "keep me"
    write_error_analysis(analyse(), tmp_path, overwrite=True)
    assert pd.read_csv(tmp_path / "uncertain.csv")["qid"].iloc[0] == "i"


@pytest.mark.parametrize("change, message", [
    ({"qids": ["a", "b"]}, "qids has shape"),
    ({"texts": np.array(["x"] * 9)}, "texts has shape"),
    ({"threshold": float("nan")},
     r"'threshold' parameter of error_analysis must be a float in the range \(-inf, inf\)"),
    ({"threshold": True}, "'threshold' parameter of error_analysis"),
    ({"top": 0}, r"'top' parameter of error_analysis must be an int in the range \[1, inf\)"),
    ({"top": True}, "'top' parameter of error_analysis"),
])
def test_bad_inputs_are_rejected(change, message):
    arguments = {"qids": ROWS["qid"], "texts": ROWS["question_text"], "y_true": ROWS["target"],
                 "proba": ROWS["proba"], "threshold": 0.5}
    top = change.pop("top", 20)
    arguments.update(change)
    error = InvalidParameterError if "parameter of" in message else ValueError
    with pytest.raises(error, match=message):
        error_analysis(**arguments, top=top)
