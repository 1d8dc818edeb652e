"""The neural model on Keras's JAX backend: the same tests, another backend.

The network is written with ``keras.ops`` and layers only, so that it runs unchanged where
TensorFlow is not installed (the GPU machines of the benchmark have JAX and PyTorch). The
suite runs on TensorFlow; this test runs the layer, schedule and weight-averaging tests and
the classifier's train / predict / save / load / mixed-precision tests again in a process
whose backend is JAX. (PyTorch's wheels from PyPI carry several GB of CUDA libraries, so
that backend is left to machines that have it.)
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("jax")

TESTS = Path(__file__).resolve().parent
# The classifier tests that exercise a backend: compiled training with weight averaging,
# prediction, the .keras round trip and mixed precision. The rest is backend-independent.
CLASSIFIER_TESTS = ("test_trains_and_predicts_probabilities_of_both_classes",
                    "test_save_and_load_give_identical_predictions",
                    "test_mixed_precision_trains_with_a_float32_output")


@pytest.mark.slow
def test_neural_tests_pass_on_the_jax_backend():
    command = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
               "-W", "ignore::DeprecationWarning",
               str(TESTS / "test_neural_layers.py"), str(TESTS / "test_neural_schedules.py"),
               str(TESTS / "test_neural_swa.py"), str(TESTS / "test_neural_classifier.py"),
               "-k", f"not test_neural_classifier or {' or '.join(CLASSIFIER_TESTS)}"]
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    which = "import keras; print(keras.backend.backend())"
    backend = subprocess.run([sys.executable, "-c", which], capture_output=True, text=True,
                             check=True, env=env)
    assert backend.stdout.split()[-1] == "jax"
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env,
                            cwd=TESTS.parent)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary, summary
    for name in CLASSIFIER_TESTS:  # a renamed test must not drop out unnoticed
        assert f"test_neural_classifier.py::{name} PASSED" in result.stdout, name
