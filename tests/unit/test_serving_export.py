"""cookbook.serving.export: the character model's input contract and each export format's parity
with Keras (ONNX, SavedModel, TFLite float/int8, Core ML spec), on a tiny LSTM."""

import numpy as np
import pytest

from cookbook import env

env.setup()

import keras  # noqa: E402

from cookbook.serving import export as ex  # noqa: E402

V = 12


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(1)
    chars = keras.Input((ex.SEQ_LEN, V), name="chars")
    x = keras.layers.LSTM(32, name="lstm")(chars)  # >= 1024 weights per matrix: quantized
    return keras.Model(chars, keras.layers.Dense(V, activation="softmax", name="probs")(x))


@pytest.fixture(scope="module")
def x():
    return np.eye(V, dtype="float32")[np.random.default_rng(0).integers(0, V, (5, ex.SEQ_LEN))]


def test_one_hot_windows_pads_left_truncates_and_maps_unknowns():
    index = {"<unk>": 0, " ": 1, "a": 2, "b": 3}
    out = ex.one_hot_windows(["ab", "z" + "a" * 50], index, 4, seq_len=5)
    assert out.shape == (2, 5, 4) and np.all(out.sum(-1) == 1)
    assert out[0].argmax(-1).tolist() == [1, 1, 1, 2, 3]
    assert out[1].argmax(-1).tolist() == [2] * 5          # only the last 5 characters count
    assert ex.one_hot_windows("zz", index, 4, seq_len=3)[0].argmax(-1).tolist() == [1, 0, 0]


def test_window_dataset_targets_follow_the_window():
    ids = np.arange(100) % V
    xb, yb = next(iter(ex.window_dataset(ids, V, step=3, batch_size=4, shuffle=False)))
    assert xb.shape == (4, ex.SEQ_LEN, V)
    assert xb.numpy()[1].argmax(-1).tolist() == ids[3:3 + ex.SEQ_LEN].tolist()
    assert yb.numpy().tolist() == [ids[s + ex.SEQ_LEN] for s in (0, 3, 6, 9)]
    assert ex.windows_count(100, step=3) == len(range(0, 60, 3))
    with pytest.raises(ValueError):
        ex.window_dataset(ids[:10], V)


def test_onnx_and_saved_model_match_keras(model, x, tmp_path):
    ref = model.predict(x, verbose=0)
    onnx_path = ex.to_onnx(model, tmp_path / "m.onnx")
    assert ex.max_abs_diff(ex.onnx_predict(onnx_path, x), ref) < 1e-6
    sess = ex.onnx_session(onnx_path)
    assert [i.name for i in sess.get_inputs()] == ["chars"]
    assert [o.name for o in sess.get_outputs()] == ["probs"]
    saved = ex.to_saved_model(model, tmp_path / "sm" / "1", signature="next_char",
                              extra_signatures=("serving_default",))
    summary = ex.signature_summary(saved, "next_char")
    assert summary == {"inputs": {"chars": ("float32", [None, ex.SEQ_LEN, V])},
                       "outputs": {"probs": ("float32", [None, V])}}
    assert ex.size_bytes(saved) > ex.size_bytes(saved / "saved_model.pb")


def test_unrolled_copy_and_tflite(model, x, tmp_path):
    ref = model.predict(x, verbose=0)
    twin = ex.unrolled_copy(model)
    assert twin.get_layer("lstm").unroll and not model.get_layer("lstm").unroll
    assert ex.max_abs_diff(twin.predict(x, verbose=0), ref) < 1e-6
    flt = ex.to_tflite(model, tmp_path / "f.tflite")
    q = ex.to_tflite(model, tmp_path / "q.tflite", quantize=True)
    runner = ex.TFLiteRunner(flt)
    assert ex.max_abs_diff(runner(x), ref) < 1e-5
    assert ex.max_abs_diff(runner(x[:1]), ref[:1]) < 1e-5      # resized for another batch
    assert ex.max_abs_diff(ex.tflite_predict(q, x), ref) < 5e-2
    assert ex.size_bytes(q) < ex.size_bytes(flt)


def test_coreml_spec(model, tmp_path):
    labels = ["<unk>"] + [chr(97 + i) for i in range(V - 1)]
    spec = ex.coreml_spec(ex.to_coreml(model, tmp_path / "m.mlpackage", labels=labels))
    assert spec["type"] == "mlProgram"
    assert list(spec["inputs"]) == ["chars"]
    assert spec["inputs"]["chars"]["ranges"][0] == (1, 64)
    assert spec["labels"] == labels
    assert spec["predicted_feature"] == "classLabel"


def test_missing_npm_packages_name_the_install_command(tmp_path):
    with pytest.raises(ex.WebModelMissing, match="npm ci --prefix notebooks/cookbook/serving/web_model"):
        ex.check_web_packages(tmp_path)


def test_greedy_continuation_uses_the_predictor():
    tokens = ["<unk>", " ", "a", "b"]
    index = {t: i for i, t in enumerate(tokens)}
    always_b = lambda x: np.tile(np.eye(4)[3], (len(x), 1))  # noqa: E731
    assert ex.greedy_continuation(always_b, "a", 3, index, tokens) == "bbb"
    always_unk = lambda x: np.tile(np.eye(4)[0], (len(x), 1))  # noqa: E731
    assert ex.greedy_continuation(always_unk, "a", 2, index, tokens) == "  "
