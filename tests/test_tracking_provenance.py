import pandas as pd

from textclf.tracking import code_version, data_fingerprint, run_key


def frame(texts):
    return pd.DataFrame({"qid": [f"q{i}" for i in range(len(texts))],
                         "question_text": texts, "target": [0, 1][:len(texts)]})


def test_the_fingerprint_follows_the_content_not_the_object():
    one, same = frame(["a b", "c"]), frame(["a b", "c"])
    assert data_fingerprint(one) == data_fingerprint(same)
    assert data_fingerprint(one) != data_fingerprint(frame(["a b", "C"]))
    assert data_fingerprint(one) != data_fingerprint(one.rename(columns={"target": "label"}))
    assert data_fingerprint(one, None) != data_fingerprint(one)
    assert data_fingerprint(one, one) != data_fingerprint(one)


def test_the_run_key_changes_with_approach_parameters_and_data():
    key = run_key("tfidf_lr", {"C": 2.0, "folds": 5}, "abc")
    assert key == run_key("tfidf_lr", {"folds": 5, "C": 2.0}, "abc")
    assert len({key, run_key("count_lr", {"C": 2.0, "folds": 5}, "abc"),
                run_key("tfidf_lr", {"C": 1.0, "folds": 5}, "abc"),
                run_key("tfidf_lr", {"C": 2.0, "folds": 5}, "abd")}) == 4


def test_the_code_version_names_the_package_and_the_commit_of_a_checkout():
    import re
    from pathlib import Path

    import textclf

    version = code_version()
    assert version["textclf_version"] == textclf.__version__
    checkout = (Path(textclf.__file__).resolve().parents[1] / ".git").exists()
    if checkout:
        assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", version["git_commit"])
    else:
        assert "git_commit" not in version
