"""Stage 1, data: Kaggle-format question files and the datasets shipped with textclf.

>>> from textclf.data import load_dataset, read_test
>>> train = load_dataset("sms_spam")          # qid, question_text, target
>>> test = read_test("test.csv")              # any Kaggle file, by path
"""

from ._duplicates import (
    duplicate_groups,
    grouped_stratified_folds,
    grouped_train_test_split,
)
from ._kaggle_csv import (
    TEST_COLUMNS,
    TRAIN_COLUMNS,
    DataValidationError,
    EmptyTextWarning,
    read_test,
    read_train,
    validate_questions,
)
from ._shipped import list_datasets, load_dataset
from ._split import KaggleSplit, split_train_test

__all__ = [
    "TEST_COLUMNS",
    "TRAIN_COLUMNS",
    "DataValidationError",
    "EmptyTextWarning",
    "KaggleSplit",
    "duplicate_groups",
    "grouped_stratified_folds",
    "grouped_train_test_split",
    "list_datasets",
    "load_dataset",
    "read_test",
    "read_train",
    "split_train_test",
    "validate_questions",
]
