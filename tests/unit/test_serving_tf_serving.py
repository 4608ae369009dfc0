"""cookbook.serving.tf_serving: TF Serving's REST contract as a Flask blueprint (row and columnar
payloads, error shapes and statuses), mounted on a bare app and on part 1's app factory; the
ONNX backend; the gRPC PredictionService on loopback with the tensorflow-serving-api client."""

import numpy as np
import pytest

from cookbook import env

env.setup()

import flask  # noqa: E402
import keras  # noqa: E402

from cookbook.serving import export as ex  # noqa: E402
from cookbook.serving import tf_serving as ts  # noqa: E402

V = 10


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    keras.utils.set_random_seed(3)
    chars = keras.Input((ex.SEQ_LEN, V), name="chars")
    model = keras.Model(chars, keras.layers.Dense(V, activation="softmax")(keras.layers.LSTM(8)(chars)))
    base = tmp_path_factory.mktemp("serving") / "char_lstm"
    ex.to_saved_model(model, base / "1", signature="next_char", extra_signatures=("serving_default",))
    onnx_path = ex.to_onnx(model, base.parent / "m.onnx")
    x = np.eye(V, dtype="float32")[np.random.default_rng(0).integers(0, V, (3, ex.SEQ_LEN))]
    return model, base, onnx_path, x, model.predict(x, verbose=0)


@pytest.fixture(scope="module")
def client(setup):
    _, base, _, _, _ = setup
    app = flask.Flask("bare")
    app.register_blueprint(ts.blueprint({"char_lstm": ts.SavedModelServable.from_base(base)}))
    return app.test_client()


def test_payload_builders():
    x = np.zeros((2, 3))
    assert ts.instances_payload(x) == {"instances": x.tolist()}
    assert ts.instances_payload(x, "chars", "sig") == {
        "instances": [{"chars": r} for r in x.tolist()], "signature_name": "sig"}
    assert ts.inputs_payload(x, "chars") == {"inputs": {"chars": x.tolist()}}
    assert ts.predict_url("http://h:8501/", "m", 2) == "http://h:8501/v1/models/m/versions/2:predict"


def test_row_and_columnar_formats(setup, client):
    _, _, _, x, ref = setup
    for body in (ts.instances_payload(x), ts.instances_payload(x, "chars", "next_char")):
        reply = client.post("/v1/models/char_lstm:predict", json=body)
        assert reply.status_code == 200 and set(reply.json) == {"predictions"}
        assert ex.max_abs_diff(reply.json["predictions"], ref) < 1e-6
    for body in (ts.inputs_payload(x), ts.inputs_payload(x, "chars", "serving_default")):
        reply = client.post("/v1/models/char_lstm/versions/1:predict", json=body)
        assert reply.status_code == 200 and set(reply.json) == {"outputs"}
        assert ex.max_abs_diff(reply.json["outputs"], ref) < 1e-6


@pytest.mark.parametrize("url, body, status", [
    ("/v1/models/nope:predict", {"instances": [[0]]}, 404),
    ("/v1/models/char_lstm/versions/9:predict", {"instances": [[0]]}, 404),
    ("/v1/models/char_lstm:predict", {"examples": []}, 400),
    ("/v1/models/char_lstm:predict", {"instances": [], "inputs": []}, 400),
    ("/v1/models/char_lstm:predict", {"instances": []}, 400),
    ("/v1/models/char_lstm:predict", {"instances": [[1, 2]]}, 400),
    ("/v1/models/char_lstm:predict", {"instances": [[[0] * V] * 40, [[0] * V]]}, 400),
    ("/v1/models/char_lstm:predict", {"inputs": {"other": [[0]]}}, 400),
    ("/v1/models/char_lstm:predict", {"inputs": "text"}, 400),
    ("/v1/models/char_lstm:predict", {"instances": [[[0] * V] * 40], "signature_name": "x"}, 400),
    ("/v1/models/char_lstm:predict", [1, 2], 400),
])
def test_errors_are_json_4xx(client, url, body, status):
    reply = client.post(url, json=body)
    assert reply.status_code == status
    assert set(reply.json) == {"error"} and reply.json["error"]


def test_malformed_json_and_status_routes(client):
    reply = client.post("/v1/models/char_lstm:predict", data="{oops", content_type="application/json")
    assert reply.status_code == 400 and "JSON Parse error" in reply.json["error"]
    status = client.get("/v1/models/char_lstm").json["model_version_status"][0]
    assert status["state"] == "AVAILABLE" and status["version"] == "1"
    sigs = client.get("/v1/models/char_lstm/metadata").json["metadata"]["signature_def"]["signature_def"]
    assert set(sigs) == {"next_char", "serving_default"}
    assert client.get("/v1/models/nope").status_code == 404


def test_blueprint_mounts_on_the_service_app_factory(setup):
    from cookbook.serving import app as service_app

    _, base, _, x, ref = setup
    app = service_app.create_app({}, blueprints=[ts.blueprint({"m": ts.SavedModelServable.from_base(base)})])
    reply = app.test_client().post("/v1/models/m:predict", json=ts.instances_payload(x))
    assert reply.status_code == 200 and ex.max_abs_diff(reply.json["predictions"], ref) < 1e-6


def test_onnx_backend(setup):
    _, _, onnx_path, x, ref = setup
    servable = ts.OnnxServable(onnx_path)
    assert servable.signatures["serving_default"]["inputs"]["chars"][1] == [None, ex.SEQ_LEN, V]
    app = flask.Flask("onnx")
    app.register_blueprint(ts.blueprint({"m": servable}))
    c = app.test_client()
    assert ex.max_abs_diff(c.post("/v1/models/m:predict", json=ts.inputs_payload(x)).json["outputs"], ref) < 1e-6
    assert c.post("/v1/models/m:predict", json={"inputs": x[:, :5].tolist()}).status_code == 400


def test_grpc_loopback(setup):
    import grpc

    _, base, _, x, ref = setup
    server, port = ts.grpc_server({"char_lstm": ts.SavedModelServable.from_base(base)})
    try:
        out = ts.grpc_predict(f"127.0.0.1:{port}", "char_lstm", {"chars": x}, signature="next_char")
        assert ex.max_abs_diff(out["probs"], ref) < 1e-6
        with pytest.raises(grpc.RpcError) as err:
            ts.grpc_predict(f"127.0.0.1:{port}", "nope", {"chars": x})
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.RpcError) as err:
            ts.grpc_predict(f"127.0.0.1:{port}", "char_lstm", {"chars": x[:, :3]})
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    finally:
        server.stop(0)


def test_latest_version_picks_the_highest_number(tmp_path):
    for name in ("1", "10", "2", "notes"):
        (tmp_path / name).mkdir()
    assert ts.latest_version(tmp_path).name == "10"
    with pytest.raises(FileNotFoundError):
        ts.latest_version(tmp_path / "notes")
