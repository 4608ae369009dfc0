"""Chapter 16's microservice: a Flask app factory, JSON in and out, served by gunicorn.

``create_app(models, blueprints=())`` builds the app around already-loaded models (see
:mod:`cookbook.serving.models`); every route checks its input and answers a bad request with a
4xx JSON error ``{"error": "...", "status": 4xx}``, never a 5xx or a traceback. Other blueprints
(e.g. a TensorFlow-Serving-style ``/v1/models/NAME:predict``) mount on the same app and share its
limits and error replies.

Routes (each present only when its model is loaded, except ``/health`` and ``/size``):

============================  ====================================================================
``GET  /health``              ``{"status": "ok", "models": {...}}``
``GET|POST /size``            16.5: multipart ``file`` -> ``{"results": {"width", "height"}}``
``POST /images/similar``      16.6: multipart ``file`` (+ ``k``) -> nearest images of chapter 10
``POST /text/classify``       16.6: ``{"text": ...}`` or ``{"texts": [...]}`` -> emoji groups
``POST /seq2seq/<name>``      16.8: ``{"input"|"inputs", "decoder": "greedy"|"beam", "beam": 4}``
``GET  /seq2seq/<name>``      16.8, the book's contract: ``?input=...`` (+ ``decoder``)
============================  ====================================================================

Run it with gunicorn (one model set per worker, loaded at start)::

    DLCB_SERVE_MODELS=images,emoji,plurals,chatbot \\
        gunicorn -w 2 -b 127.0.0.1:5050 --timeout 30 'cookbook.serving.app:from_env()'
"""

from __future__ import annotations

import os
import time
from typing import Iterable, Mapping

from .models import BadInput, text_batch

# Limits, all overridable through create_app(limits=...):
DEFAULT_LIMITS = {
    "max_request_bytes": 8 * 1024 * 1024,   # whole request body (Flask answers 413 beyond it)
    "max_image_pixels": 40_000_000,         # decoded image size (decompression bombs)
    "max_batch": 64,                        # texts per request
    "max_text_chars": 1_000,                # characters per text
    "max_k": 50,                            # neighbours per image
    "max_beam": 8,                          # beam width
    "max_beam_inputs": 8,                   # inputs per beam-search request (beam runs per input)
}

MODEL_NAMES = ("images", "emoji", "plurals", "chatbot")

UPLOAD_FORM = """<!doctype html><title>Upload an image</title>
<form method=post enctype=multipart/form-data><input type=file name=file>
<input type=submit value=Upload></form>"""


def load_models(names: Iterable[str] = MODEL_NAMES, call: str = "function") -> dict:
    """Load the named models once (``images``, ``emoji``, ``plurals``, ``chatbot``)."""
    from . import models as m

    loaded = {}
    for name in names:
        name = name.strip()
        if not name:
            continue
        if name == "images":
            loaded[name] = m.ImageSearch()
        elif name == "emoji":
            loaded[name] = m.TextClassifier(call=call)
        elif name in ("plurals", "chatbot"):
            loaded[name] = m.Seq2Seq(name)
        else:
            raise ValueError(f"unknown model {name!r}: choose from {', '.join(MODEL_NAMES)}")
    return loaded


def create_app(models: Mapping[str, object] | None = None, *, blueprints: Iterable = (),
               limits: Mapping[str, int] | None = None):
    """The Flask app serving ``models`` (name -> loaded model, see :func:`load_models`), with the
    extra Flask ``blueprints`` registered on it. ``limits`` overrides :data:`DEFAULT_LIMITS`."""
    from flask import Flask, jsonify, request
    from werkzeug.exceptions import HTTPException

    models = dict(models or {})
    lim = {**DEFAULT_LIMITS, **(limits or {})}
    app = Flask("cookbook.serving")
    app.config.update(MAX_CONTENT_LENGTH=lim["max_request_bytes"], MAX_FORM_MEMORY_SIZE=lim["max_request_bytes"],
                      JSON_SORT_KEYS=False, SERVING_LIMITS=lim, SERVING_MODELS=models)

    def error(message: str, status: int):
        return jsonify(error=message, status=status), status

    @app.errorhandler(BadInput)
    def bad_input(err: BadInput):
        return error(err.message, err.status)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        messages = {413: f"request body over the limit of {lim['max_request_bytes']:,} bytes"}
        return error(messages.get(err.code, err.description or err.name), err.code or 400)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):  # a bug, not the client's fault: logged, but no traceback sent
        app.logger.exception("unhandled error")
        return error(f"internal error ({type(err).__name__})", 500)

    def json_body() -> dict:
        if not request.is_json:
            raise BadInput("send Content-Type: application/json", 415)
        payload = request.get_json(silent=True)
        if payload is None:
            raise BadInput("the body is not valid JSON")
        if not isinstance(payload, dict):
            raise BadInput("the JSON body must be an object")
        return payload

    def uploaded_image():
        from .models import open_image

        if request.mimetype != "multipart/form-data":
            raise BadInput("upload the image as multipart/form-data, field 'file'", 415)
        if "file" not in request.files:
            raise BadInput("no 'file' field in the upload")
        return open_image(request.files["file"].read(), lim["max_image_pixels"])

    def need(name: str):
        if name not in models:
            raise BadInput(f"model '{name}' is not loaded in this service", 404)
        return models[name]

    def int_field(value, name: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise BadInput(f"'{name}' must be an integer")
        try:
            number = int(value)
        except ValueError:
            raise BadInput(f"'{name}' must be an integer, not {str(value)[:20]!r}") from None
        if not low <= number <= high:
            raise BadInput(f"'{name}' must be between {low} and {high}")
        return number

    @app.get("/health")
    def health():
        return jsonify(status="ok", models={n: m.info() for n, m in models.items()})

    @app.route("/size", methods=["GET", "POST"])
    def size():
        if request.method == "GET":
            return UPLOAD_FORM
        image = uploaded_image()
        return jsonify(results={"width": image.width, "height": image.height})

    @app.post("/images/similar")
    def similar_images():
        search = need("images")
        k = int_field(request.form.get("k", "10"), "k", 1, lim["max_k"])
        started = time.perf_counter()
        hits = search([uploaded_image()], k=k)[0]
        return jsonify(results=hits, seconds=round(time.perf_counter() - started, 4))

    @app.post("/text/classify")
    def classify():
        model = need("emoji")
        texts, many = text_batch(json_body(), "text", lim["max_batch"], lim["max_text_chars"])
        predictions = model(texts)
        return jsonify(predictions=predictions) if many else jsonify(predictions[0])

    @app.route("/seq2seq/<name>", methods=["GET", "POST"])
    def seq2seq(name: str):
        if name not in ("plurals", "chatbot"):
            raise BadInput(f"no seq2seq model '{name}': plurals or chatbot", 404)
        model = need(name)
        if request.method == "GET":  # the book's contract: ?input=...
            payload = {"input": request.args.get("input", "")}
            decoder, beam = request.args.get("decoder", "greedy"), request.args.get("beam", "4")
        else:
            payload = json_body()
            decoder, beam = payload.get("decoder", "greedy"), payload.get("beam", 4)
        if decoder not in ("greedy", "beam"):
            raise BadInput(f"'decoder' must be 'greedy' or 'beam', not {str(decoder)[:20]!r}")
        beam = int_field(beam, "beam", 1, lim["max_beam"])
        max_items = lim["max_beam_inputs"] if decoder == "beam" else lim["max_batch"]
        texts, many = text_batch(payload, "input", max_items, min(lim["max_text_chars"], model.max_chars))
        outputs = model.decode(texts, decoder, beam)
        return jsonify(outputs=outputs, decoder=decoder) if many else jsonify(**outputs[0], decoder=decoder)

    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return app


def from_env():
    """The gunicorn entry point: models from ``$DLCB_SERVE_MODELS`` (comma-separated, default all),
    ``$DLCB_SERVE_CALL=predict`` for the slow ``model.predict`` text classifier, one TF thread."""
    from .. import env
    from .models import limit_threads

    env.quiet_tensorflow()
    limit_threads(int(os.environ.get("DLCB_SERVE_THREADS", "1")))
    names = os.environ.get("DLCB_SERVE_MODELS", ",".join(MODEL_NAMES)).split(",")
    return create_app(load_models(names, call=os.environ.get("DLCB_SERVE_CALL", "function")))
