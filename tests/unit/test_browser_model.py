"""The 16.9 page in headless Chromium: the onnxruntime-web build from the folder's pinned npm
packages loads the exported model and its next-character probabilities match Keras within 1e-4;
the local server adds the cross-origin isolation headers only when asked."""

import urllib.request

import numpy as np
import pytest

from cookbook import env

env.setup()

import keras  # noqa: E402

from cookbook.serving import browser  # noqa: E402
from cookbook.serving import export as ex  # noqa: E402
from cookbook.text.textgen import char_vocabulary  # noqa: E402


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    ex.check_web_packages()   # fails with the `npm ci --prefix ...` command when missing
    vocab = char_vocabulary("to be, or not to be: that is the question!\n")
    keras.utils.set_random_seed(2)
    chars = keras.Input((ex.SEQ_LEN, vocab.size), name="chars")
    x = keras.layers.LSTM(16)(chars)
    model = keras.Model(chars, keras.layers.Dense(vocab.size, activation="softmax")(x))
    folder = tmp_path_factory.mktemp("web")
    ex.write_web_assets(model, vocab, folder)
    return model, vocab, folder


def test_headers(assets):
    _, _, folder = assets
    for isolate in (False, True):
        with ex.serve_page(folder, isolate=isolate) as url:
            with urllib.request.urlopen(url + "model/vocab.json") as reply:
                assert reply.status == 200
                assert (reply.headers.get("Cross-Origin-Embedder-Policy") == "require-corp") is isolate
            with urllib.request.urlopen(url + "node_modules/onnxruntime-web/dist/ort.wasm.min.js") as reply:
                assert reply.status == 200
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(url + "model/../../../etc/passwd")


def test_page_matches_keras_in_chromium(assets):
    model, vocab, folder = assets
    texts = ["to be or not", "", "x" * 60, "unknown é"]
    ref = model.predict(ex.one_hot_windows(texts, vocab.index, vocab.size), verbose=0)
    tokens = list(vocab.reserved) + list(vocab.tokens)

    def visit(page):
        with ex.serve_page(folder) as url:
            info = ex.open_page(page, url)
            probs = page.evaluate("t => charModel.probs(t)", texts)
            gen = page.evaluate("([t, n]) => charModel.generate(t, n)", ["to be", 12])
            return info, np.array(probs), gen, page.console_errors

    info, probs, gen, errors = browser.run(visit)
    assert info["vocabSize"] == vocab.size and info["threads"] == 1 and not info["isolated"]
    assert ex.max_abs_diff(probs, ref) <= 1e-4
    expected = ex.greedy_continuation(lambda x: model(x).numpy(), "to be", 12, vocab.index, tokens)
    assert gen["text"] == expected and gen["msPerChar"] > 0
    assert errors == []
