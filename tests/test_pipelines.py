import pandas as pd
import pytest

from pipelines import clean
from textclf.data import load_dataset, split_train_test


def test_clean_job_keeps_every_qid_in_order_and_says_where_it_wrote(tmp_path, capsys):
    clean.main(["--dataset", "sms_spam", "--output-dir", str(tmp_path), "--sample", "2"])
    written = tmp_path / "clean" / "sms_spam.parquet"
    output = pd.read_parquet(written)
    assert output["qid"].tolist() == load_dataset("sms_spam")["qid"].tolist()
    assert {"clean_text", "embedding_text", "target"} <= set(output.columns)
    printed = capsys.readouterr().out
    assert str(written.resolve()) in printed and printed.count("  clean:") == 2


def test_clean_job_reads_a_kaggle_file_by_path(tmp_path, write_file):
    path = write_file("mine.csv", "qid,question_text,target\na,Why are geese running?,1\n")
    written = clean.run(train_path=str(path), output_dir=tmp_path)
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


def test_classical_job_scores_approaches_stacks_them_and_submits_the_best(tmp_path, capsys):
    from pipelines import classical

    split = split_train_test(load_dataset("sms_spam").head(1200), test_size=0.25)
    split.train.to_csv(tmp_path / "train.csv", index=False)
    split.test.to_csv(tmp_path / "test.csv", index=False)
    evaluation = classical.main([
        "--approach", "count_bnb", "wordchar_lr", "stack", "--train", str(tmp_path / "train.csv"),
        "--test", str(tmp_path / "test.csv"), "--folds", "3", "--output-dir", str(tmp_path),
        "--cache-dir", str(tmp_path / "cache")])

    written = tmp_path / "classical" / "train"
    results = pd.read_csv(written / "results.csv")
    assert sorted(results["approach"]) == ["count_bnb", "stack", "wordchar_lr"]
    # Each row holds its approach's own figures: cross-fitted F1 first, the tuned one beside.
    for row in results.itertuples():
        assert row.oof_f1 == pytest.approx(evaluation.results[row.approach].crossfit_f1)
        assert row.oof_f1_tuned == pytest.approx(evaluation.results[row.approach].f1)
    assert evaluation.best() == max(evaluation.results,
                                    key=lambda name: evaluation.results[name].crossfit_f1)
    # The stack is scored on its bases' folds, and they keep repeated texts together.
    keys = split.train["question_text"].str.casefold().str.split().str.join(" ").to_numpy()
    for (train, valid), (_, stack_valid) in zip(evaluation.results["count_bnb"].folds,
                                                evaluation.results["stack"].folds):
        assert (valid == stack_valid).all() and not set(keys[train]) & set(keys[valid])
    oof = pd.read_parquet(written / "oof.parquet")
    assert oof["qid"].tolist() == split.train["qid"].tolist()
    assert oof[["count_bnb", "wordchar_lr", "stack"]].notna().all().all()
    submission = pd.read_csv(written / "submission.csv")
    assert submission["qid"].tolist() == split.test["qid"].tolist()
    best = evaluation.results[evaluation.best()]
    assert results.loc[0, "approach"] == evaluation.best()
    assert submission["prediction"].tolist() == best.test_labels.tolist()
    assert "| stack" in capsys.readouterr().out
    assert any((tmp_path / "cache").iterdir())


def test_classical_job_keeps_an_earlier_run_unless_asked(tmp_path):
    from pipelines import classical

    arguments = ["--approach", "count_mnb", "--folds", "2", "--output-dir", str(tmp_path)]
    classical.main(arguments)
    with pytest.raises(FileExistsError):
        classical.main(arguments)
    classical.main([*arguments, "--overwrite"])


def test_every_declared_approach_builds_an_unfitted_classifier():
    from sklearn.base import is_classifier

    from pipelines.approaches import APPROACHES, get_approach

    for name, approach in APPROACHES.items():
        assert approach.name == name and is_classifier(approach.build())
    with pytest.raises(ValueError, match="unknown approach 'nope'"):
        get_approach("nope")


def test_all_leaves_out_fine_tuning_and_classical_leaves_out_every_network():
    from pipelines.approaches import APPROACHES, STACK
    from pipelines.main import parse_args

    every = parse_args(["--approach", "all"]).approach
    classical = parse_args(["--approach", "classical"]).approach
    assert "minilm_lr" in every and "bilstm" in every and every[-1] == STACK
    assert "minilm_finetune" not in every
    assert parse_args(["--approach", "minilm_finetune"]).approach == ["minilm_finetune"]
    assert not {name for name in classical if name != STACK and APPROACHES[name].neural}
    assert "minilm_lr" not in classical and "tfidf_lr" in classical
