import subprocess
import sys

import textclf


def test_version_is_exposed():
    assert textclf.__version__.count(".") == 2


def test_importing_the_light_stages_loads_no_deep_learning_or_topic_stack():
    code = ("import sys, textclf, textclf.data, textclf.text, textclf.features, "
            "textclf.embeddings; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'torch', 'jax', 'gensim') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
