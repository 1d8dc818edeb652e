import mlflow
import pandas as pd
import pytest

from pipelines import clean
from textclf import study
from textclf.data import load_dataset, split_train_test


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


def test_an_untracked_study_scores_stacks_and_submits_the_best_with_nothing_logged(
        mlflow_store, tmp_path, capsys):
    split = split_train_test(load_dataset("sms_spam").head(1200), test_size=0.25)
    split.train.to_csv(tmp_path / "train.csv", index=False)
    split.test.to_csv(tmp_path / "test.csv", index=False)
    outcome = study.main([
        "--approach", "count_bnb", "wordchar_lr", "stack", "--train", str(tmp_path / "train.csv"),
        "--test", str(tmp_path / "test.csv"), "--folds", "3", "--output-dir", str(tmp_path),
        "--cache-dir", str(tmp_path / "cache"), "--no-tracking"])

    assert outcome.parent_run_id is None and outcome.model_uri is None
    assert mlflow.get_experiment_by_name("textclf") is None
    written = tmp_path / "train"
    results = pd.read_csv(written / "comparison.csv")
    assert sorted(results["approach"]) == ["count_bnb", "stack", "wordchar_lr"]
    assert "run_id" not in results.columns
    # Each row holds its approach's own figures: cross-fitted F1 first, the tuned one beside.
    found = {name: outcome.result for name, outcome in outcome.outcomes.items()}
    for row in results.itertuples():
        assert row.oof_f1 == pytest.approx(found[row.approach].crossfit_f1)
        assert row.oof_f1_tuned == pytest.approx(found[row.approach].f1)
    assert outcome.best == max(found, key=lambda name: found[name].crossfit_f1)
    # The stack is scored on its bases' folds, and they keep repeated texts together.
    keys = split.train["question_text"].str.casefold().str.split().str.join(" ").to_numpy()
    for (train, valid), (_, stack_valid) in zip(found["count_bnb"].folds,
                                                found["stack"].folds):
        assert (valid == stack_valid).all() and not set(keys[train]) & set(keys[valid])
    oof = pd.read_parquet(written / "oof.parquet")
    assert oof["qid"].tolist() == split.train["qid"].tolist()
    assert oof[["count_bnb", "wordchar_lr", "stack"]].notna().all().all()
    test = pd.read_parquet(written / "test.parquet")
    assert test["qid"].tolist() == split.test["qid"].tolist()
    submission = pd.read_csv(written / "submission.csv")
    assert submission["qid"].tolist() == split.test["qid"].tolist()
    assert results.loc[0, "approach"] == outcome.best
    assert submission["prediction"].tolist() == found[outcome.best].test_labels.tolist()
    assert "| stack" in (written / "comparison.md").read_text()
    assert "| stack" in capsys.readouterr().out
    assert any((tmp_path / "cache").iterdir())


def test_an_untracked_study_keeps_an_earlier_one_unless_asked_and_resumes_from_its_store(
        tmp_path, caplog):
    arguments = ["--approach", "count_mnb", "--max-rows", "400", "--folds", "2",
                 "--output-dir", str(tmp_path), "--no-tracking"]
    first = study.main(arguments)
    with pytest.raises(FileExistsError, match="submission.csv already exists"):
        study.main(arguments)
    again = study.main([*arguments, "--overwrite", "--resume"])
    assert again.outcomes["count_mnb"].resumed
    pd.testing.assert_frame_equal(again.table, first.table)


def test_every_declared_approach_builds_an_unfitted_classifier():
    from sklearn.base import is_classifier

    for name, approach in study.APPROACHES.items():
        assert approach.name == name and is_classifier(approach.build())
    with pytest.raises(ValueError, match="unknown approach 'nope'"):
        study.get_approach("nope")


def test_all_leaves_out_fine_tuning_and_classical_leaves_out_every_network():
    every = study.select_approaches(["all"])
    classical = study.select_approaches(["classical"])
    assert "minilm_lr" in every and "bilstm" in every and every[-1] == study.STACK
    assert "minilm_finetune" not in every
    assert study.select_approaches(["minilm_finetune"]) == ["minilm_finetune"]
    assert not {name for name in classical
                if name != study.STACK and study.APPROACHES[name].neural}
    assert "minilm_lr" not in classical and "tfidf_lr" in classical
    assert study.select_approaches(["tfidf_lr,count_lr", "tfidf_lr"]) == ["tfidf_lr",
                                                                         "count_lr"]
    with pytest.raises(ValueError, match="unknown approach 'stack'"):
        study.select_approaches(["stack"], allow_stack=False)
