"""The text-length benchmark runs end to end at a tiny size; its figures live in
benchmarks/results/text_length.md."""

import pandas as pd


def test_texts_of_each_length_hold_the_same_real_words():
    from benchmarks import text_length

    streams = text_length.word_streams()
    by_length = {n: text_length.texts_of_length(streams, n, 10_000) for n in (20, 200, 2000)}
    for n, (texts, y) in by_length.items():
        assert len(texts) == 10_000 // n == len(y)
        assert {len(text.split()) for text in texts} == {n}
        assert y.mean() == text_length.POSITIVE_SHARE
    # Joined class by class, the texts of every length are the same words.
    words = {n: {label: sorted(" ".join(t for t, label_of in zip(texts, y)
                                        if label_of == label).split())
                 for label in (0, 1)}
             for n, (texts, y) in by_length.items()}
    assert words[20] == words[200] == words[2000]


def test_text_length_benchmark_times_every_builder_at_each_length(tmp_path, capsys):
    from benchmarks import text_length

    # --builders offers exactly the builders the script knows.
    assert [builder.name for builder in text_length.builders()] == text_length.BUILDER_NAMES
    table = text_length.main(["--lengths", "5", "50", "--words-per-length", "1000",
                              "--repeats", "1", "--output-dir", str(tmp_path)])
    written = pd.read_csv(tmp_path / "text_length.csv")
    pd.testing.assert_frame_equal(written, table, check_exact=False, rtol=1e-5)
    assert set(written["builder"]) == set(text_length.BUILDER_NAMES)
    assert len(written) == 2 * len(text_length.BUILDER_NAMES)
    for _, rows in written.groupby("builder"):
        assert rows["words_per_text"].tolist() == [5, 50]
        assert (rows["words"] == 1000).all()
    assert (written["seconds"] > 0).all()
    assert (written.loc[written["words_per_text"] == 5, "ratio_to_shortest"] == 1).all()

    report = (tmp_path / "text_length.md").read_text()
    assert "--words-per-length 1000" in report and "ratio 50/5" in report
    for name in text_length.BUILDER_NAMES:
        assert f"| {name} " in report
    assert "written:" in capsys.readouterr().out
