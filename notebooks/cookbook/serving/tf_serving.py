"""Chapter 16.10: TensorFlow Serving's client contract, without the server binary.

* :func:`instances_payload` / :func:`inputs_payload`: the two REST request bodies (row and columnar).
* :func:`blueprint`: a Flask blueprint that answers ``POST /v1/models/NAME[/versions/N]:predict``
  and ``GET /v1/models/NAME[/metadata]`` the way ``tensorflow_model_server`` does, including its
  error shape (``{"error": "..."}`` with a 4xx status). Mount it on any Flask app (part 1's app
  factory takes ``blueprints=``) or run :func:`create_app` under gunicorn.
* :class:`SavedModelServable` (a SavedModel's signatures) and :class:`OnnxServable` (the same
  model as ONNX, for light workers) are the backends.
* :func:`grpc_server` serves the same servables over TF Serving's gRPC ``PredictionService``
  (the ``tensorflow-serving-api`` protos) on loopback; :func:`grpc_predict` is the client.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np

DEFAULT_SIGNATURE = "serving_default"


class ServingError(Exception):
    """A request TF Serving would refuse: carries the HTTP status and gRPC code name."""

    def __init__(self, message: str, status: int = 400, code: str = "INVALID_ARGUMENT"):
        super().__init__(message)
        self.status, self.code = status, code


# --------------------------------------------------------------------------------------------
# backends


def latest_version(base_path) -> Path:
    """TF Serving's layout: ``BASE/NAME/<version>/saved_model.pb``; the highest number wins."""
    base = Path(base_path)
    versions = sorted((int(p.name), p) for p in base.iterdir() if p.is_dir() and p.name.isdigit())
    if not versions:
        raise FileNotFoundError(f"no numbered version folder (e.g. {base.name}/1) under {base}")
    return versions[-1][1]


class SavedModelServable:
    """Every signature of a SavedModel: ``servable(signature, {input: array}) -> {output: array}``."""

    def __init__(self, path, version: int | None = None):
        import tensorflow as tf

        self.path = Path(path)
        self.version = version if version is not None else (
            int(self.path.name) if self.path.name.isdigit() else 1)
        self._loaded = tf.saved_model.load(str(self.path))
        self.signatures = {}
        for name, fn in self._loaded.signatures.items():
            _, spec = fn.structured_input_signature
            self.signatures[name] = {
                "fn": fn,
                "inputs": {k: (v.dtype.as_numpy_dtype, v.shape.as_list()) for k, v in spec.items()},
                "outputs": {k: v.shape.as_list() for k, v in fn.structured_outputs.items()}}

    @classmethod
    def from_base(cls, base_path) -> "SavedModelServable":
        folder = latest_version(base_path)
        return cls(folder, int(folder.name))

    def __call__(self, signature: str, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        import tensorflow as tf

        sig = self.signatures[signature]
        tensors = {k: tf.convert_to_tensor(v, dtype=sig["inputs"][k][0]) for k, v in inputs.items()}
        try:
            out = sig["fn"](**tensors)
        except (ValueError, TypeError, tf.errors.InvalidArgumentError) as err:
            raise ServingError(_first_line(err)) from None
        return {k: v.numpy() for k, v in out.items()}


class OnnxServable:
    """An ONNX file behind the same interface (one signature): ~80 MB per worker instead of a
    TensorFlow runtime's ~850 MB."""

    def __init__(self, path, signature: str = DEFAULT_SIGNATURE, version: int = 1, threads: int = 1):
        from .export import onnx_session

        self.session = onnx_session(path, threads)
        self.version = version
        self.signatures = {signature: {
            "inputs": {i.name: (np.float32, _dims(i.shape)) for i in self.session.get_inputs()},
            "outputs": {o.name: _dims(o.shape) for o in self.session.get_outputs()}}}

    def __call__(self, signature: str, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        names = [o.name for o in self.session.get_outputs()]
        feed = {k: np.asarray(v, dtype="float32") for k, v in inputs.items()}
        try:
            values = self.session.run(names, feed)
        except Exception as err:  # onnxruntime raises its own InvalidArgument/Fail types
            raise ServingError(_first_line(err)) from None
        return dict(zip(names, values))


def _dims(shape) -> list:
    """ONNX shapes name their free dimensions ('unk__6', 'batch'): those become None."""
    return [d if isinstance(d, int) else None for d in shape]


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


# --------------------------------------------------------------------------------------------
# REST payloads (client side)


def instances_payload(x, input_name: str | None = None, signature_name: str | None = None) -> dict:
    """Row format: one entry per example. With ``input_name`` each row is ``{name: value}``
    (needed when a signature has several inputs)."""
    rows = np.asarray(x).tolist()
    body: dict[str, Any] = {"instances": [{input_name: r} for r in rows] if input_name else rows}
    if signature_name:
        body["signature_name"] = signature_name
    return body


def inputs_payload(x, input_name: str | None = None, signature_name: str | None = None) -> dict:
    """Columnar format: the whole batch as one tensor per input name."""
    value = np.asarray(x).tolist()
    body: dict[str, Any] = {"inputs": {input_name: value} if input_name else value}
    if signature_name:
        body["signature_name"] = signature_name
    return body


# --------------------------------------------------------------------------------------------
# REST contract (server side)


def _signature(servable, name: str | None) -> tuple[str, dict]:
    name = name or DEFAULT_SIGNATURE
    if name not in servable.signatures:
        raise ServingError(f"Serving signature name: \"{name}\" not found in signature def")
    return name, servable.signatures[name]


def _parse_rows(body: dict, sig: dict) -> dict[str, np.ndarray]:
    rows = body["instances"]
    if not isinstance(rows, list) or not rows:
        raise ServingError("'instances' must be a non-empty list")
    names = list(sig["inputs"])
    if all(isinstance(r, dict) for r in rows):
        keys = set(rows[0])
        if any(set(r) != keys for r in rows):
            raise ServingError("Failed to process element: 1 of 'instances' list. "
                               "All objects should have the same keys")
        columns = {k: [r[k] for r in rows] for k in keys}
    elif len(names) == 1:
        columns = {names[0]: rows}
    else:
        raise ServingError(f"Expected {len(names)} named inputs per instance, got plain values")
    return _arrays(columns, sig)


def _parse_columns(body: dict, sig: dict) -> dict[str, np.ndarray]:
    value = body["inputs"]
    names = list(sig["inputs"])
    if isinstance(value, dict):
        columns = value
    elif len(names) == 1:
        columns = {names[0]: value}
    else:
        raise ServingError(f"Expected a dict of {len(names)} named inputs in 'inputs'")
    return _arrays(columns, sig)


def _arrays(columns: Mapping[str, Any], sig: dict) -> dict[str, np.ndarray]:
    missing = set(sig["inputs"]) - set(columns)
    extra = set(columns) - set(sig["inputs"])
    if missing or extra:
        raise ServingError(f"input keys {sorted(columns)} do not match the signature's "
                           f"inputs {sorted(sig['inputs'])}")
    out = {}
    for name, value in columns.items():
        dtype, shape = sig["inputs"][name]
        try:
            arr = np.asarray(value, dtype=dtype)
        except (ValueError, TypeError):
            raise ServingError(f"input '{name}' is not a rectangular array of numbers") from None
        if len(shape) != arr.ndim or any(s not in (None, -1) and s != a for s, a in zip(shape, arr.shape)):
            want = [-1 if s is None else s for s in shape]
            raise ServingError(f"input '{name}' has shape {list(arr.shape)}, the signature "
                               f"expects {want}")
        out[name] = arr
    return out


def predict(servable, body: Any) -> dict:
    """One REST predict call: request body (parsed JSON) -> response body, or ServingError."""
    if not isinstance(body, dict):
        raise ServingError("JSON Value: request body must be a JSON object")
    has_rows, has_cols = "instances" in body, "inputs" in body
    if has_rows == has_cols:
        raise ServingError("Missing 'instances' or 'inputs' key" if not has_rows else
                           "Not both 'instances' and 'inputs' keys may be present in request")
    name, sig = _signature(servable, body.get("signature_name"))
    arrays = _parse_rows(body, sig) if has_rows else _parse_columns(body, sig)
    outputs = servable(name, arrays)
    if has_rows:
        if len(outputs) == 1:
            return {"predictions": next(iter(outputs.values())).tolist()}
        n = len(next(iter(outputs.values())))
        return {"predictions": [{k: v[i].tolist() for k, v in outputs.items()} for i in range(n)]}
    if len(outputs) == 1:
        return {"outputs": next(iter(outputs.values())).tolist()}
    return {"outputs": {k: v.tolist() for k, v in outputs.items()}}


def metadata(name: str, servable) -> dict:
    """A compact form of ``GET /v1/models/NAME/metadata``."""
    def dims(shape):
        return [{"size": str(-1 if s is None else s)} for s in shape]

    defs = {}
    for sig_name, sig in servable.signatures.items():
        defs[sig_name] = {
            "inputs": {k: {"dtype": "DT_FLOAT", "tensor_shape": {"dim": dims(v[1])}, "name": k}
                       for k, v in sig["inputs"].items()},
            "outputs": {k: {"dtype": "DT_FLOAT", "tensor_shape": {"dim": dims(v)}, "name": k}
                        for k, v in sig["outputs"].items()},
            "method_name": "tensorflow/serving/predict"}
    return {"model_spec": {"name": name, "signature_name": "", "version": str(servable.version)},
            "metadata": {"signature_def": {"signature_def": defs}}}


def blueprint(servables: Mapping[str, Any], name: str = "tf_serving"):
    """A Flask blueprint with TF Serving's REST API for ``{model name: servable}``."""
    from flask import Blueprint, jsonify, request

    bp = Blueprint(name, __name__)

    def fail(message: str, status: int):
        return jsonify({"error": message}), status

    def lookup(model: str, version: int | None):
        servable = servables.get(model)
        if servable is None or (version is not None and version != servable.version):
            label = f"Specific({model}, {version})" if version is not None else f"Latest({model})"
            raise ServingError(f"Servable not found for request: {label}", 404, "NOT_FOUND")
        return servable

    @bp.errorhandler(ServingError)
    def _serving_error(err: ServingError):
        return fail(str(err), err.status)

    @bp.post("/v1/models/<model>:predict")
    @bp.post("/v1/models/<model>/versions/<int:version>:predict")
    def _predict(model: str, version: int | None = None):
        servable = lookup(model, version)
        raw = request.get_data(as_text=True)
        try:
            body = json.loads(raw)
        except json.JSONDecodeError as err:
            return fail(f"JSON Parse error: {err.msg} at offset {err.pos}", 400)
        return jsonify(predict(servable, body))

    @bp.get("/v1/models/<model>")
    @bp.get("/v1/models/<model>/versions/<int:version>")
    def _status(model: str, version: int | None = None):
        servable = lookup(model, version)
        return jsonify({"model_version_status": [{
            "version": str(servable.version), "state": "AVAILABLE",
            "status": {"error_code": "OK", "error_message": ""}}]})

    @bp.get("/v1/models/<model>/metadata")
    def _metadata(model: str):
        return jsonify(metadata(model, lookup(model, None)))

    return bp


def create_app(model_name: str | None = None, model_path: str | None = None):
    """A stand-alone Flask app for gunicorn: ``gunicorn -w 2 -b 127.0.0.1:8501
    'cookbook.serving.tf_serving:create_app()'`` with ``DLCB_SERVING_MODEL=name`` and
    ``DLCB_SERVING_PATH`` set to an ``.onnx`` file or a SavedModel base folder. Each response says
    which worker process answered (``X-Worker-Pid``)."""
    from flask import Flask

    name = model_name or os.environ.get("DLCB_SERVING_MODEL", "model")
    path = Path(model_path or os.environ["DLCB_SERVING_PATH"])
    servable = (OnnxServable(path) if path.suffix == ".onnx" else
                SavedModelServable.from_base(path) if not (path / "saved_model.pb").exists()
                else SavedModelServable(path))
    app = Flask(__name__)
    app.register_blueprint(blueprint({name: servable}))

    @app.after_request
    def _say_which_worker(response):
        response.headers["X-Worker-Pid"] = str(os.getpid())
        return response

    return app


# --------------------------------------------------------------------------------------------
# gRPC: TF Serving's PredictionService on loopback, and a client


def grpc_server(servables: Mapping[str, Any], port: int = 0, host: str = "127.0.0.1"):
    """Start a gRPC ``PredictionService`` for the servables; returns ``(server, port)``.
    Stop it with ``server.stop(0)``."""
    from concurrent import futures

    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    class Servicer(prediction_service_pb2_grpc.PredictionServiceServicer):
        def Predict(self, request, context):
            servable = servables.get(request.model_spec.name)
            if servable is None:
                context.abort(grpc.StatusCode.NOT_FOUND,
                              f"Servable not found for request: Latest({request.model_spec.name})")
            try:
                name, sig = _signature(servable, request.model_spec.signature_name or None)
                arrays = _arrays({k: tf.make_ndarray(v) for k, v in request.inputs.items()}, sig)
                outputs = servable(name, arrays)
            except ServingError as err:
                context.abort(getattr(grpc.StatusCode, err.code), str(err))
            response = predict_pb2.PredictResponse()
            response.model_spec.name = request.model_spec.name
            response.model_spec.signature_name = name
            response.model_spec.version.value = servable.version
            for key, value in outputs.items():
                response.outputs[key].CopyFrom(tf.make_tensor_proto(value))
            return response

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(Servicer(), server)
    bound = server.add_insecure_port(f"{host}:{port}")
    server.start()
    return server, bound


def grpc_predict(target: str, model: str, inputs: Mapping[str, np.ndarray], *,
                 signature: str = DEFAULT_SIGNATURE, timeout_s: float = 5.0) -> dict[str, np.ndarray]:
    """The client call of the book's recipe with today's API: PredictRequest + stub."""
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.model_spec.signature_name = signature
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(np.asarray(value, dtype="float32")))
    with grpc.insecure_channel(target) as channel:
        reply = prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(request, timeout_s)
    return {k: tf.make_ndarray(v) for k, v in reply.outputs.items()}


def predict_url(base_url: str, model: str, version: int | None = None) -> str:
    """``http://host:8501/v1/models/NAME[/versions/N]:predict``."""
    tail = f"/versions/{version}" if version is not None else ""
    return f"{base_url.rstrip('/')}/v1/models/{model}{tail}:predict"
