"""The study end to end: runs, metrics, artifacts, submission, served model; untracked too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient
from sklearn.metrics import f1_score

from textclf import cli, study
from textclf.data import DataValidationError, load_dataset, split_train_test
from textclf.study import _runner
from textclf.tracking import APPROACH_TAG, PARENT_TAG

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
QUICK = ["--approach", "count_mnb", "tfidf_lr", "stack", "--max-rows", "600", "--folds", "2"]


def runs_of(experiment_name="textclf") -> pd.DataFrame:
    return mlflow.search_runs(experiment_names=[experiment_name])


def artifact_paths(run_id: str, path: str = "") -> set[str]:
    client, found = MlflowClient(), set()
    for item in client.list_artifacts(run_id, path):
        found |= artifact_paths(run_id, item.path) if item.is_dir else {item.path}
    return found


def comparable(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns=["run_id", "fit_seconds"])


def test_folds_fitted_in_worker_processes_give_the_same_table(mlflow_store, tmp_path,
                                                              monkeypatch):
    one = study.main([*QUICK, "--output-dir", str(tmp_path / "a")])
    asked, oof_predict = [], _runner.oof_predict

    def recording(*args, n_jobs=1, **kwargs):
        asked.append(n_jobs)
        return oof_predict(*args, n_jobs=n_jobs, **kwargs)

    monkeypatch.setattr(_runner, "oof_predict", recording)
    two = study.main([*QUICK, "--output-dir", str(tmp_path / "b"), "--jobs", "2"])
    assert asked == [2, 2, 1]  # the two approaches, then the stack
    pd.testing.assert_frame_equal(comparable(two.table), comparable(one.table))
    # How the folds were spread is not a parameter: the runs of both have the same key.
    keys = runs_of().dropna(subset=["tags.textclf.run_key"]).groupby(
        "tags.textclf.approach")["tags.textclf.run_key"].nunique()
    assert (keys == 1).all()


def test_one_parent_run_holds_a_child_run_per_approach_with_metrics_and_artifacts(
        mlflow_store, tmp_path, capsys):
    outcome = study.main([*QUICK, "--output-dir", str(tmp_path / "out")])

    runs = runs_of()
    parent = runs[runs[f"tags.{PARENT_TAG}"] == "true"]
    children = runs[runs["tags.mlflow.parentRunId"] == outcome.parent_run_id]
    assert parent["run_id"].tolist() == [outcome.parent_run_id]
    assert sorted(children[f"tags.{APPROACH_TAG}"]) == ["count_mnb", "stack", "tfidf_lr"]
    data = study.load_study_data("sms_spam", seed=42, max_rows=600)
    for child in children.itertuples(name=None, index=False):
        child = dict(zip(children.columns, child))
        child_run_id = child["run_id"]
        metrics = MlflowClient().get_run(child_run_id).data.metrics
        assert {"oof_f1", "oof_f1_tuned", "threshold", "oof_precision", "oof_recall",
                "oof_roc_auc", "oof_pr_auc", "holdout_f1", "fit_seconds"} <= set(metrics)
        assert len(MlflowClient().get_metric_history(child_run_id, "fold_f1")) == 2
        # The headline is the cross-fitted F1; the holdout F1 is the test rows' F1 at the
        # out-of-fold threshold.
        result = outcome.outcomes[child[f"tags.{APPROACH_TAG}"]].result
        assert metrics["oof_f1"] == pytest.approx(result.crossfit_f1)
        assert metrics["oof_f1_tuned"] == pytest.approx(result.f1)
        test_proba = pd.read_parquet(mlflow.artifacts.download_artifacts(
            run_id=child_run_id, artifact_path="predictions/test.parquet"))["proba"]
        assert metrics["holdout_f1"] == pytest.approx(f1_score(
            data.test_labels, test_proba >= metrics["threshold"]))
        # Each child says what it is and which code and data made it.
        logged = MlflowClient().get_run(child_run_id).data
        assert {"textclf_version", "data_fingerprint"} <= set(logged.params)
        assert {"textclf_version", "code_version"} <= set(logged.tags)
        assert logged.tags["mlflow.note.content"]
        assert {"predictions/oof.parquet", "predictions/test.parquet",
                "plots/precision_recall.png", "plots/f1_threshold.png",
                "plots/confusion_matrix.png",
                "error_analysis/error_analysis.md"} <= artifact_paths(child_run_id)
    stack = children[children[f"tags.{APPROACH_TAG}"] == "stack"].run_id.item()
    assert MlflowClient().get_run(stack).data.params["bases"] == "count_mnb,tfidf_lr"
    # The champion is the best by the cross-fitted F1, the table's first column of figures.
    assert list(outcome.table.columns[:4]) == ["approach", "oof_f1", "oof_f1_tuned",
                                              "holdout_f1"]
    assert "seed_quora_f1" not in outcome.table.columns
    assert outcome.best == max(outcome.outcomes,
                               key=lambda name: outcome.outcomes[name].result.crossfit_f1)
    tfidf = children[children[f"tags.{APPROACH_TAG}"] == "tfidf_lr"].run_id.item()
    assert "insights/top_weights.png" in artifact_paths(tfidf)
    tfidf_params = MlflowClient().get_run(tfidf).data.params
    assert tfidf_params["wordwisetfidfvectorizer__ngram_range"] == "(1, 2)"
    assert {"comparison.csv", "comparison.md", "comparison.png", "submission.csv",
            "champion.json"} <= artifact_paths(outcome.parent_run_id)

    # The table printed is the one logged; the best row is the submitted approach.
    printed = capsys.readouterr().out
    assert f"best: {outcome.best}" in printed and "| stack" in printed
    assert outcome.table.loc[0, "approach"] == outcome.best

    # Every test qid, in order, with 0/1 at the champion's out-of-fold threshold.
    submission = pd.read_csv(outcome.submission)
    assert submission["qid"].tolist() == data.test["qid"].tolist()
    assert submission["prediction"].tolist() == \
        outcome.outcomes[outcome.best].result.test_labels.tolist()

    # The registered champion reproduces the logged test probabilities and labels.
    data.test.to_csv(tmp_path / "test.csv", index=False)
    assert cli.main(["predict", "--model", "models:/textclf@champion", "--input",
                     str(tmp_path / "test.csv"), "--output", str(tmp_path / "again.csv")]) == 0
    assert pd.read_csv(tmp_path / "again.csv").equals(submission)
    best_run = outcome.outcomes[outcome.best].run_id
    logged = pd.read_parquet(mlflow.artifacts.download_artifacts(
        run_id=best_run, artifact_path="predictions/test.parquet"))
    served = mlflow.pyfunc.load_model("models:/textclf@champion").predict(
        data.test[["question_text"]])
    assert served["probability"].tolist() == logged["proba"].tolist()


def test_same_seed_same_numbers_and_resume_reuses_finished_approaches(mlflow_store, tmp_path,
                                                                      capsys):
    first = study.main([*QUICK, "--output-dir", str(tmp_path / "a")])
    # The feature cache changes where features come from, not what they are.
    again = study.main([*QUICK, "--output-dir", str(tmp_path / "b"), "--cache-dir",
                             str(tmp_path / "cache")])
    assert any((tmp_path / "cache").iterdir())
    pd.testing.assert_frame_equal(comparable(again.table), comparable(first.table))
    assert len(runs_of()) == 8  # two parents, three children each

    resumed = study.main([*QUICK, "--output-dir", str(tmp_path / "b"), "--resume",
                               "--overwrite"])
    assert len(runs_of()) == 9  # a new parent, no new child runs
    assert all(outcome.resumed for outcome in resumed.outcomes.values())
    assert set(resumed.table["run_id"]) == set(again.table["run_id"])
    pd.testing.assert_frame_equal(resumed.table, again.table)

    # A finished approach whose run records other code is refitted, not reused.
    tfidf_run = resumed.outcomes["tfidf_lr"].run_id
    MlflowClient().set_tag(tfidf_run, "code_version", "an-older-release")
    # Another commit with the same source files is the same code: still reused.
    MlflowClient().set_tag(resumed.outcomes["count_mnb"].run_id, "git_commit", "0" * 40)
    refitted = study.main([*QUICK, "--output-dir", str(tmp_path / "b"), "--resume",
                                "--overwrite"])
    assert not refitted.outcomes["tfidf_lr"].resumed
    assert refitted.outcomes["tfidf_lr"].run_id != tfidf_run
    assert refitted.outcomes["count_mnb"].resumed
    assert MlflowClient().get_run(refitted.outcomes["tfidf_lr"].run_id).data.tags[
        "code_version"] != "an-older-release"

    cli.main(["compare"])
    assert "| stack" in capsys.readouterr().out


def test_the_stack_combines_the_named_bases_and_runs_them(mlflow_store, tmp_path):
    outcome = study.main(["--approach", "count_mnb", "--stack-bases", "count_bnb,tfidf_lr",
                               "--max-rows", "600", "--folds", "2", "--output-dir",
                               str(tmp_path / "out")])
    assert list(outcome.outcomes) == ["count_mnb", "count_bnb", "tfidf_lr", "stack"]
    stack = MlflowClient().get_run(outcome.outcomes["stack"].run_id).data.params
    assert stack["bases"] == "count_bnb,tfidf_lr"
    parent = MlflowClient().get_run(outcome.parent_run_id).data.params
    assert parent["stacked_approaches"] == "count_bnb,tfidf_lr"
    # On the very folds of its bases.
    for name in ("count_bnb", "tfidf_lr"):
        for (_, stack_valid), (_, base_valid) in zip(outcome.outcomes["stack"].result.folds,
                                                     outcome.outcomes[name].result.folds):
            assert (stack_valid == base_valid).all()


def test_bad_input_is_one_line_and_status_2_with_the_traceback_at_debug(mlflow_store,
                                                                       tmp_path, capsys):
    wrong = tmp_path / "bad.csv"
    wrong.write_text("qid,question_text,target\nq1,hello,0\nq2,bye,maybe\n")
    for arguments, message in [
            (["run", "--train", str(wrong)], "bad.csv"),
            (["run", "--approach", "nope"], "unknown approach 'nope'"),
            (["run", "--jobs", "0"], "--jobs must be at least 1"),
            (["run", "--test", str(tmp_path / "missing.csv")], "missing.csv"),
            (["predict", "--model", "models:/x@y", "--input", str(tmp_path / "none.csv"),
              "--output", str(tmp_path / "s.csv")], "none.csv")]:
        assert cli.main(arguments) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and message in error, error
        assert "Traceback" not in error
    assert cli.main(["--log-level", "DEBUG", "run", "--train", str(wrong)]) == 2
    error = capsys.readouterr().err
    assert "Traceback" in error and "DataValidationError" in error


def test_an_existing_submission_is_kept_and_bad_parameters_fail_before_any_run(
        mlflow_store, tmp_path, capsys):
    out = tmp_path / "out"
    (out / "sms_spam").mkdir(parents=True)
    (out / "sms_spam" / "submission.csv").write_text("qid,prediction\nmine,1\n")
    with pytest.raises(FileExistsError, match="submission.csv already exists"):
        study.main([*QUICK, "--output-dir", str(out)])
    assert cli.main(["run", *QUICK, "--output-dir", str(out)]) == 2
    assert "pass --overwrite to replace it" in capsys.readouterr().err
    assert (out / "sms_spam" / "submission.csv").read_text() == "qid,prediction\nmine,1\n"

    for arguments, message in [
            (["--approach", "tfidf_lr", "nope"], "unknown approach 'nope'"),
            (["--train", "missing.csv"], "neither a shipped dataset"),
            (["--test", "missing.csv"], "file not found: missing.csv"),
            (["--folds", "1"], "--folds must be at least 2"),
            (["--folds", "2.5"], "expected a whole number")]:
        with pytest.raises(SystemExit):
            study.main([*arguments, "--output-dir", str(out)])
        assert message in capsys.readouterr().err

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,text,label\n1,hello,0\n")
    with pytest.raises(DataValidationError, match="wrong.csv.*question_text"):
        study.main(["--train", str(wrong), "--output-dir", str(out)])
    assert mlflow.get_experiment_by_name("textclf") is None  # nothing was tracked
    assert sorted(p.name for p in out.rglob("*")) == ["sms_spam", "submission.csv"]


def test_predict_refuses_a_bad_test_file_and_an_unknown_experiment(mlflow_store, tmp_path,
                                                                  capsys):
    bad = tmp_path / "test.csv"
    bad.write_text("qid,text\n1,hello\n")
    assert cli.main(["predict", "--model", "models:/textclf@champion", "--input", str(bad),
                     "--output", str(tmp_path / "s.csv")]) == 2
    assert "test.csv: missing column(s) 'question_text'" in capsys.readouterr().err
    assert not (tmp_path / "s.csv").exists()
    assert cli.main(["compare", "--experiment", "nothing-here"]) == 2
    assert "no MLflow experiment 'nothing-here'" in capsys.readouterr().err


def _environment(tracking_uri: str) -> dict[str, str]:
    return {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri,
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize("command", [[], ["run"], ["predict"], ["compare"]])
def test_the_console_script_answers_help_for_every_command(command):
    result = subprocess.run([str(VENV_BIN / "textclf"), *command, "--help"],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    usage = result.stdout
    assert usage.startswith(f"usage: textclf {' '.join(command)}".rstrip())
    expected = {(): "predict", ("run",): "--approach", ("predict",): "--model",
                ("compare",): "--experiment"}[tuple(command)]
    assert expected in usage


@pytest.mark.slow
def test_mlflow_run_of_the_project_runs_the_main_entry_point(mlflow_store, tmp_path):
    completed = subprocess.run(
        [str(VENV_BIN / "mlflow"), "run", str(REPO), "--env-manager", "local", "-e", "main",
         "--experiment-name", "textclf",
         "-P", "approaches=count_mnb,count_bnb,bilstm,stack", "-P", "max_rows=500",
         "-P", "folds=2", "-P", "epochs=1", "-P", f"output_dir={tmp_path / 'out'}"],
        cwd=tmp_path, env=_environment(mlflow_store), capture_output=True, text=True,
        timeout=600, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    runs = runs_of()
    children = runs[runs[f"tags.{APPROACH_TAG}"].notna()]
    assert sorted(children[f"tags.{APPROACH_TAG}"]) == ["bilstm", "count_bnb", "count_mnb",
                                                        "stack"]
    # MLflow's own run of the entry point becomes the parent of the approaches.
    parent = runs[runs["tags.mlflow.project.entryPoint"] == "main"]
    assert set(children["tags.mlflow.parentRunId"]) == set(parent["run_id"])
    for child in children.itertuples():
        assert {"oof_f1", "threshold", "holdout_f1"} <= set(
            MlflowClient().get_run(child.run_id).data.metrics)
        assert {"predictions/oof.parquet", "predictions/test.parquet",
                "plots/f1_threshold.png"} <= artifact_paths(child.run_id)
    network = children[children[f"tags.{APPROACH_TAG}"] == "bilstm"].run_id.item()
    network_run = MlflowClient().get_run(network).data
    # The study thresholds out of fold, so the network keeps no rows of its own for
    # validation; its weight averaging starts at the epoch it resolved from its share.
    assert {"fold0_loss", "fold0_lr", "fold1_loss"} <= set(network_run.metrics)
    assert not any(name.endswith("val_f1") for name in network_run.metrics)
    assert network_run.params["swa_start_epoch"] == "1"
    stack = children[children[f"tags.{APPROACH_TAG}"] == "stack"].run_id.item()
    assert MlflowClient().get_run(stack).data.params["bases"] == "count_mnb,count_bnb,bilstm"
    # Quiet: textclf's own progress, none of TensorFlow's native notices or gensim's chatter.
    assert "approach 1 of 4: count_mnb" in completed.stderr
    for noise in ("cudart_stub", "cuda drivers", "cuInit", "oneDNN", "absl::InitializeLog",
                  "gensim"):
        assert noise not in completed.stderr, noise

    # The submission: every test qid in order, 0/1 labels; predict with the registered
    # champion writes the same file from the test CSV.
    submission = pd.read_csv(tmp_path / "out" / "sms_spam" / "submission.csv")
    test = study.load_study_data("sms_spam", seed=42, max_rows=500).test
    assert submission.columns.tolist() == ["qid", "prediction"]
    assert submission["qid"].astype(str).tolist() == test["qid"].tolist()
    assert set(submission["prediction"]) <= {0, 1}
    test.to_csv(tmp_path / "test.csv", index=False)
    predicted = subprocess.run(
        [str(VENV_BIN / "textclf"), "predict", "--model", "models:/textclf@champion",
         "--input", str(tmp_path / "test.csv"), "--output", str(tmp_path / "again.csv")],
        cwd=tmp_path, env=_environment(mlflow_store), capture_output=True, text=True,
        timeout=600, check=False)
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    assert pd.read_csv(tmp_path / "again.csv").equals(submission)


@pytest.mark.slow
def test_runs_go_to_a_tracking_server_named_by_the_environment(mlflow_store, tmp_path,
                                                                 monkeypatch, start_server):
    uri = start_server(lambda port: [
        str(VENV_BIN / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", f"sqlite:///{tmp_path}/server.db",
        "--artifacts-destination", str(tmp_path / "artifacts"), "--workers", "1"],
        "/health", env=_environment(""))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(uri)
    outcome = study.main(["--approach", "count_mnb", "count_bnb", "--max-rows", "400",
                          "--folds", "2", "--output-dir", str(tmp_path / "o")])
    runs = runs_of()
    assert len(runs) == 3
    assert "predictions/oof.parquet" in artifact_paths(
        outcome.outcomes["count_mnb"].run_id)
    # The artifacts went through the server to its own store.
    assert any((tmp_path / "artifacts").rglob("oof.parquet"))
    version = MlflowClient().get_model_version_by_alias("textclf", "champion")
    assert version.version == "1"


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
        mlflow_store, tmp_path):
    arguments = ["--approach", "count_mnb", "--max-rows", "400", "--folds", "2",
                 "--output-dir", str(tmp_path), "--no-tracking"]
    first = study.main(arguments)
    with pytest.raises(FileExistsError, match="submission.csv already exists"):
        study.main(arguments)
    again = study.main([*arguments, "--overwrite", "--resume"])
    assert again.outcomes["count_mnb"].resumed
    pd.testing.assert_frame_equal(again.table, first.table)
    assert mlflow.get_experiment_by_name("textclf") is None


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
