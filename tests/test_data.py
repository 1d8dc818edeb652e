import gzip
import hashlib
import re
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest

from textclf.data import (
    DataValidationError,
    EmptyTextWarning,
    duplicate_groups,
    grouped_stratified_folds,
    list_datasets,
    load_dataset,
    read_test,
    read_train,
    split_train_test,
    validate_questions,
)

GOOD_TRAIN = "qid,question_text,target\nq1,Why is the sky blue?,0\nq2,NA,1\nq3,null,0\n"


def test_read_train_keeps_rows_order_and_literal_na_texts(write_file):
    frame = read_train(write_file("train.csv", GOOD_TRAIN))
    assert frame.columns.tolist() == ["qid", "question_text", "target"]
    assert frame["qid"].tolist() == ["q1", "q2", "q3"]
    # 'NA' and 'null' are questions here, not missing values.
    assert frame["question_text"].tolist() == ["Why is the sky blue?", "NA", "null"]
    assert frame["target"].tolist() == [0, 1, 0]
    assert frame["target"].dtype == "int64"


def test_read_test_needs_no_target_and_keeps_extra_columns(write_file):
    frame = read_test(write_file("test.csv", "qid,question_text,source\nq1,Hi?,web\n"))
    assert frame.columns.tolist() == ["qid", "question_text", "source"]


@pytest.mark.parametrize("suffix", [".gz", ".zip"])
def test_reads_compressed_files_like_kaggle_ships_them(tmp_path, suffix):
    path = tmp_path / f"train.csv{suffix}"
    if suffix == ".gz":
        path.write_bytes(gzip.compress(GOOD_TRAIN.encode()))
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("train.csv", GOOD_TRAIN)
    assert read_train(path)["qid"].tolist() == ["q1", "q2", "q3"]


def test_a_zip_of_two_files_is_refused_with_their_names(tmp_path):
    path = tmp_path / "train.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("train.csv", GOOD_TRAIN)
        archive.writestr("test.csv", GOOD_TRAIN)
    with pytest.raises(DataValidationError, match=r"exactly one CSV, found \['train.csv', "
                                                  r"'test.csv'\]"):
        read_train(path)


def test_byte_order_mark_is_not_part_of_the_first_column(write_file):
    frame = read_train(write_file("bom.csv", b"\xef\xbb\xbf" + GOOD_TRAIN.encode()))
    assert frame.columns[0] == "qid"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataValidationError, match=r"nope\.csv: no such file"):
        read_train(tmp_path / "nope.csv")


def test_missing_column_names_file_column_and_columns_found(write_file):
    path = write_file("train.csv", "qid,question_text\nq1,Why?\n")
    with pytest.raises(DataValidationError) as error:
        read_train(path)
    message = str(error.value)
    assert str(path) in message and "'target'" in message and "['qid', 'question_text']" in message


def test_duplicate_qids_name_the_qid_and_its_rows(write_file):
    path = write_file("train.csv", "qid,question_text,target\na,x,0\nb,y,0\na,z,1\n")
    with pytest.raises(DataValidationError,
                       match=r"train\.csv: column 'qid' must be unique.*'a' at rows \[1, 3\]"):
        read_train(path)


def test_empty_qid_is_an_error_naming_the_row(write_file):
    path = write_file("train.csv", "qid,question_text,target\na,x,0\n,y,0\n")
    with pytest.raises(DataValidationError, match=r"column 'qid' is empty at row 2"):
        read_train(path)


@pytest.mark.parametrize("bad", ["2", "yes", "", "-1", "0.5"])
def test_target_outside_0_1_names_value_row_and_qid(write_file, bad):
    path = write_file("train.csv", f"qid,question_text,target\na,x,0\nb,y,{bad}\n")
    expected = (rf"train\.csv: column 'target' must be 0 or 1; found '{re.escape(bad)}' "
                r"at row 2 \(qid 'b'\)")
    with pytest.raises(DataValidationError, match=expected):
        read_train(path)


def test_many_bad_targets_are_summarised(write_file):
    rows = "".join(f"q{i},text,7\n" for i in range(20))
    with pytest.raises(DataValidationError, match=r"and 15 more"):
        read_train(write_file("train.csv", "qid,question_text,target\n" + rows))


def test_empty_file_and_header_only_file_are_errors(write_file):
    with pytest.raises(DataValidationError, match=r"empty\.csv: the file is empty"):
        read_train(write_file("empty.csv", ""))
    with pytest.raises(DataValidationError, match=r"header\.csv: has a header but no rows"):
        read_train(write_file("header.csv", "qid,question_text,target\n"))


def test_wrong_encoding_names_line_byte_row_and_column(write_file):
    latin1 = "qid,question_text,target\nq1,fine,0\nq2,caf\xe9 au lait,1\n".encode("latin-1")
    with pytest.raises(DataValidationError,
                       match=r"latin\.csv: not valid UTF-8 at line 3, byte 7 \(0xe9\), in row "
                             r"2 \(qid 'q2'\), column 'question_text'"):
        read_train(write_file("latin.csv", latin1))


def test_wrong_encoding_names_the_first_bad_row_whatever_its_column(write_file):
    latin1 = ("qid,question_text,target\nq1,caf\xe9,0\nq\xe92,fine,1\n").encode("latin-1")
    with pytest.raises(DataValidationError, match=r"line 2, byte 7 \(0xe9\), in row 1 "
                                                  r"\(qid 'q1'\), column 'question_text'"):
        read_train(write_file("first.csv", latin1))


def test_wrong_encoding_in_a_quoted_multi_line_text_names_its_row(write_file):
    # The bad byte is on the file's 4th line but in the 2nd data row: the row is what a
    # user looks up in a spreadsheet.
    latin1 = ('qid,question_text,target\nq1,"two\nlines",0\nq2,"na\xefve",1\n'
              ).encode("latin-1")
    with pytest.raises(DataValidationError,
                       match=r"line 4, byte 7 \(0xef\), in row 2 \(qid 'q2'\), "
                             r"column 'question_text'"):
        read_train(write_file("multi.csv", latin1))


def test_malformed_csv_is_reported_with_the_file(write_file):
    path = write_file("bad.csv", "qid,question_text,target\nq1,a,0\nq2,b,0,extra,fields\n")
    with pytest.raises(DataValidationError, match=r"bad\.csv: not a well-formed CSV"):
        read_train(path)


def test_empty_texts_are_kept_and_counted_in_a_warning(write_file):
    path = write_file("train.csv", 'qid,question_text,target\na,,0\nb,"  ",1\nc,ok?,0\n')
    with pytest.warns(EmptyTextWarning, match=r"2 row\(s\) have an empty question_text"):
        frame = read_train(path)
    assert frame["qid"].tolist() == ["a", "b", "c"]
    assert frame["question_text"].tolist() == ["", "  ", "ok?"]


def test_frames_with_missing_texts_keep_every_qid():
    frame = pd.DataFrame({"qid": ["a", "b"], "question_text": [None, float("nan")]})
    with pytest.warns(EmptyTextWarning):
        checked = validate_questions(frame, source="frame", labelled=False)
    assert checked["question_text"].tolist() == ["", ""]


def test_shipped_datasets_have_the_documented_size_and_balance():
    assert list_datasets() == ["sms_spam", "womens_clothing_not_recommended"]
    expected = {"sms_spam": (4862, 0.132), "womens_clothing_not_recommended": (22641, 0.181)}
    for name, (rows, positives) in expected.items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no empty texts either
            frame = load_dataset(name)
        assert len(frame) == rows
        assert frame["target"].mean() == pytest.approx(positives, abs=5e-4)
        assert frame["qid"].is_unique


def test_shipped_qids_are_derived_from_dataset_name_and_source_row():
    frame = load_dataset("sms_spam")
    for row in (0, 1, len(frame) - 1):
        assert frame["qid"][row] == hashlib.sha1(f"sms_spam:{row}".encode()).hexdigest()[:20]


def test_unknown_dataset_lists_the_available_ones():
    with pytest.raises(ValueError, match=r"unknown dataset 'quora'.*'sms_spam'"):
        load_dataset("quora")


def test_split_is_stratified_disjoint_ordered_and_reproducible():
    data = load_dataset("sms_spam")
    split = split_train_test(data, test_size=0.25, random_state=7)
    assert len(split.train) + len(split.test) == len(data)
    assert set(split.train["qid"]).isdisjoint(split.test["qid"])
    assert set(split.train["qid"]) | set(split.test["qid"]) == set(data["qid"])
    assert "target" not in split.test.columns
    assert split.test_labels["qid"].tolist() == split.test["qid"].tolist()
    positives = data["target"].mean()
    assert split.test_labels["target"].mean() == pytest.approx(positives, abs=0.005)
    assert split.train["target"].mean() == pytest.approx(positives, abs=0.005)
    position = {qid: i for i, qid in enumerate(data["qid"])}
    assert split.test["qid"].map(position).is_monotonic_increasing
    again = split_train_test(data, test_size=0.25, random_state=7)
    assert again.test["qid"].tolist() == split.test["qid"].tolist()


def test_split_files_are_written_and_never_silently_replaced(tmp_path, write_file):
    split = split_train_test(write_file("train.csv", GOOD_TRAIN * 1 + "q4,a,1\nq5,b,0\nq6,c,1\n"),
                             test_size=2, random_state=0)
    written = split.write(tmp_path / "out")
    assert read_test(written["test"])["qid"].tolist() == split.test["qid"].tolist()
    assert read_train(written["train"])["qid"].tolist() == split.train["qid"].tolist()
    with pytest.raises(FileExistsError):
        split.write(tmp_path / "out")
    split.write(tmp_path / "out", overwrite=True)


def test_real_quora_files_load(quora_dir):
    train = read_train(quora_dir / "train_natural.csv")
    test = read_test(quora_dir / "test.csv")
    assert (len(train), len(test)) == (48820, 56370)
    assert train["target"].mean() == pytest.approx(0.0619, abs=5e-4)


def test_identical_texts_share_a_group_after_case_and_space_folding():
    groups = duplicate_groups(["Why is X?", "why  is x?", "Why is X ?", None, "", "Ｗｈｙ is X?"])
    assert groups.tolist() == [0, 0, 1, 2, 2, 0]


def test_the_holdout_split_keeps_every_copy_of_a_text_on_one_side():
    frame = load_dataset("sms_spam")
    keys = frame["question_text"].str.casefold().str.split().str.join(" ")
    assert keys.duplicated().sum() > 100  # the shipped messages repeat
    split = split_train_test(frame, test_size=0.2, random_state=3)
    train_keys = set(split.train["question_text"].str.casefold().str.split().str.join(" "))
    test_keys = set(split.test["question_text"].str.casefold().str.split().str.join(" "))
    assert not train_keys & test_keys
    # Still stratified, still every row once, and about a fifth of the distinct texts held out.
    assert abs(split.test_labels["target"].mean() - frame["target"].mean()) < 0.01
    assert sorted([*split.train["qid"], *split.test["qid"]]) == sorted(frame["qid"])
    assert len(test_keys) == pytest.approx(0.2 * keys.nunique(), abs=2)
    ungrouped = split_train_test(frame, test_size=0.2, random_state=3, group_duplicates=False)
    assert set(ungrouped.train["question_text"]) & set(ungrouped.test["question_text"])


def test_grouped_folds_are_stratified_over_groups_and_reject_bad_groups():
    y = np.array([0, 1] * 50)
    groups = np.repeat(np.arange(25), 4)
    folds = grouped_stratified_folds(y, groups, n_splits=5, random_state=0)
    for train, valid in folds:
        assert not set(groups[train]) & set(groups[valid])
        assert y[valid].sum() > 0
    with pytest.raises(ValueError, match="groups has 3 rows but y has 100"):
        grouped_stratified_folds(y, [1, 2, 3])
