import pandas as pd
import pytest

from pipelines import clean
from textclf.data import load_dataset


def test_clean_job_keeps_every_qid_in_order_and_says_where_it_wrote(tmp_path, capsys):
    clean.main(["--train", "sms_spam", "--output-dir", str(tmp_path), "--sample", "2"])
    written = tmp_path / "clean" / "sms_spam.parquet"
    output = pd.read_parquet(written)
    assert output["qid"].tolist() == load_dataset("sms_spam")["qid"].tolist()
    assert {"clean_text", "embedding_text", "target"} <= set(output.columns)
    printed = capsys.readouterr().out
    assert str(written.resolve()) in printed and printed.count("  clean:") == 2


def test_clean_job_reads_a_kaggle_file_by_path(tmp_path, write_file):
    path = write_file("mine.csv", "qid,question_text,target\na,Why are geese running?,1\n")
    written = clean.run(str(path), output_dir=tmp_path)
    assert pd.read_parquet(written)["clean_text"].tolist() == ["goose run"]


@pytest.mark.slow
def test_cleaning_benchmark_runs_on_a_small_sample(tmp_path, capsys):
    from benchmarks import text_cleaning

    data = load_dataset("sms_spam").head(300)
    data.to_csv(tmp_path / "train.csv", index=False)
    data.drop(columns="target").to_csv(tmp_path / "test.csv", index=False)
    text_cleaning.main(["--train", str(tmp_path / "train.csv"), "--test",
                        str(tmp_path / "test.csv"), "--repeats", "1"])
    printed = capsys.readouterr().out
    assert "600 questions" in printed
    assert "same steps, same output: 600 of 600 rows identical" in printed
