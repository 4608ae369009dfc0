"""cookbook.serving.app: the Flask app factory with the real zoo models (loaded once for the
module), through Flask's test client. Bad input of every kind gets a 4xx JSON reply naming the
problem; never a 5xx, never a traceback."""

import io
import json

import numpy as np
import pytest

from cookbook.serving import app as service_app
from cookbook.serving.models import BadInput, open_image


@pytest.fixture(scope="module")
def client():
    models = service_app.load_models(["emoji", "plurals", "chatbot"])
    app = service_app.create_app(models, limits={"max_request_bytes": 256 * 1024,
                                                 "max_image_pixels": 1_000_000})
    app.testing = False  # errors must be handled by the app, not re-raised by the test client
    return app.test_client()


def png_bytes(width: int, height: int, mode: str = "RGB") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, (width, height)).save(buf, format="PNG")
    return buf.getvalue()


def upload(data: bytes, name: str = "x.png"):
    return {"file": (io.BytesIO(data), name)}


J = "application/json"
HUGE = "x" * 300_000

# (method, path, request kwargs, expected status)
BAD_REQUESTS = {
    "malformed json": ("post", "/text/classify", dict(data='{"text": "red', content_type=J), 400),
    "json is a list": ("post", "/text/classify", dict(json=["red heart"]), 400),
    "json is a string": ("post", "/text/classify", dict(json="red heart"), 400),
    "json null": ("post", "/text/classify", dict(data="null", content_type=J), 400),
    "no content type": ("post", "/text/classify", dict(data='{"text": "red heart"}'), 415),
    "form instead of json": ("post", "/text/classify", dict(data={"text": "red heart"}), 415),
    "empty body": ("post", "/text/classify", dict(data="", content_type=J), 400),
    "empty object": ("post", "/text/classify", dict(json={}), 400),
    "text is a number": ("post", "/text/classify", dict(json={"text": 42}), 400),
    "text is null": ("post", "/text/classify", dict(json={"text": None}), 400),
    "text is a list": ("post", "/text/classify", dict(json={"text": ["red"]}), 400),
    "text is blank": ("post", "/text/classify", dict(json={"text": "   "}), 400),
    "texts not a list": ("post", "/text/classify", dict(json={"texts": "red heart"}), 400),
    "texts empty": ("post", "/text/classify", dict(json={"texts": []}), 400),
    "texts holds a number": ("post", "/text/classify", dict(json={"texts": ["red", 3]}), 400),
    "too many texts": ("post", "/text/classify", dict(json={"texts": ["red heart"] * 65}), 413),
    "text too long": ("post", "/text/classify", dict(json={"text": "heart " * 300}), 413),
    "unknown words": ("post", "/text/classify", dict(json={"text": "qzxv blorft"}), 422),
    "sql injection as a word": ("post", "/seq2seq/plurals", dict(json={"input": "x'; DROP TABLE--"}), 422),
    "body over the limit": ("post", "/text/classify", dict(data=json.dumps({"text": HUGE}), content_type=J), 413),
    "nan in json": ("post", "/seq2seq/plurals", dict(data='{"input": NaN}', content_type=J), 400),
    "unknown seq2seq model": ("post", "/seq2seq/translator", dict(json={"input": "cat"}), 404),
    "unknown decoder": ("post", "/seq2seq/plurals", dict(json={"input": "cat", "decoder": "sample"}), 400),
    "beam not a number": ("post", "/seq2seq/plurals", dict(json={"input": "cat", "decoder": "beam", "beam": "wide"}), 400),
    "beam is a bool": ("post", "/seq2seq/plurals", dict(json={"input": "cat", "decoder": "beam", "beam": True}), 400),
    "beam too wide": ("post", "/seq2seq/plurals", dict(json={"input": "cat", "decoder": "beam", "beam": 99}), 400),
    "beam zero": ("post", "/seq2seq/plurals", dict(json={"input": "cat", "decoder": "beam", "beam": 0}), 400),
    "too many beam inputs": ("post", "/seq2seq/plurals", dict(json={"inputs": ["cat"] * 9, "decoder": "beam"}), 413),
    "word longer than the model": ("post", "/seq2seq/plurals", dict(json={"input": "a" * 40}), 413),
    "characters never seen": ("post", "/seq2seq/plurals", dict(json={"input": "кот"}), 422),
    "get without input": ("get", "/seq2seq/plurals", dict(), 400),
    "chatbot prompt without words": ("post", "/seq2seq/chatbot", dict(json={"input": "*** ..."}), 422),
    "image model not loaded": ("post", "/images/similar", dict(data=upload(png_bytes(8, 8))), 404),
    "not an image": ("post", "/size", dict(data=upload(b"GIF89a but not really", "a.gif")), 415),
    "a text file": ("post", "/size", dict(data=upload(b"hello world", "a.txt")), 415),
    "empty file": ("post", "/size", dict(data=upload(b"")), 400),
    "no file field": ("post", "/size", dict(data={"other": (io.BytesIO(b"x"), "x.png")}), 400),
    "form without upload": ("post", "/size", dict(data={"other": "x"}), 415),
    "json instead of upload": ("post", "/size", dict(json={"file": "x"}), 415),
    "truncated png": ("post", "/size", dict(data=upload(png_bytes(64, 64)[:60])), 415),
    "oversized image": ("post", "/size", dict(data=upload(png_bytes(2000, 1000, "1"))), 413),
    "unknown route": ("get", "/predict", dict(), 404),
    "wrong method": ("delete", "/health", dict(), 405),
    "get on a post route": ("get", "/text/classify", dict(), 405),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_bad_input_gets_a_4xx_json_reason(client, case):
    method, path, kwargs, status = BAD_REQUESTS[case]
    reply = getattr(client, method)(path, **kwargs)
    assert reply.status_code == status, reply.get_data(as_text=True)[:300]
    body = reply.get_json()
    assert body["status"] == status and isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in reply.get_data(as_text=True)


def test_at_least_thirty_bad_inputs():
    assert len(BAD_REQUESTS) >= 30


def test_health_lists_the_models(client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok" and set(body["models"]) == {"emoji", "plurals", "chatbot"}


def test_classify_one_and_many(client):
    one = client.post("/text/classify", json={"text": "flag of france"}).get_json()
    assert one["label"] == "Flags"
    assert sum(t["probability"] for t in one["top"]) <= 1.0 + 1e-6
    many = client.post("/text/classify", json={"texts": ["flag of japan", "grinning face"]}).get_json()
    assert [p["label"] for p in many["predictions"]] == ["Flags", "Smileys & Emotion"]


def test_seq2seq_greedy_batch_equals_single_and_beam_agrees(client):
    words = ["cat", "mouse", "box", "city", "knife"]
    batch = client.post("/seq2seq/plurals", json={"inputs": words}).get_json()["outputs"]
    single = [client.get("/seq2seq/plurals", query_string={"input": w}).get_json()["output"] for w in words]
    assert [o["output"] for o in batch] == single
    assert sum(o == w + "s" for o, w in zip(single, words)) <= 2  # it does more than append 's'
    beam = client.post("/seq2seq/plurals", json={"input": "mouse", "decoder": "beam", "beam": 3}).get_json()
    assert len(beam["alternatives"]) == 3 and beam["output"] == beam["alternatives"][0]["output"]
    scores = [a["score"] for a in beam["alternatives"]]
    assert scores == sorted(scores, reverse=True)


def test_chatbot_answers_something(client):
    reply = client.post("/seq2seq/chatbot", json={"inputs": ["hi", "how are you ?"], "decoder": "beam"})
    assert reply.status_code == 200
    assert all(o["output"].strip() for o in reply.get_json()["outputs"])


def test_size_of_an_upload(client):
    reply = client.post("/size", data=upload(png_bytes(40, 30)))
    assert reply.get_json() == {"results": {"width": 40, "height": 30}}
    assert "<form" in client.get("/size").get_data(as_text=True)


def test_an_unexpected_error_is_a_json_500_without_traceback():
    class Broken:
        max_chars = 10

        def info(self):
            return {}

        def decode(self, *args):
            raise RuntimeError("secret internals")

    app = service_app.create_app({"plurals": Broken()})
    reply = app.test_client().post("/seq2seq/plurals", json={"input": "cat"})
    assert reply.status_code == 500 and "secret" not in reply.get_data(as_text=True)
    assert reply.get_json()["error"] == "internal error (RuntimeError)"


def test_blueprints_mount_on_the_same_app():
    from flask import Blueprint

    extra = Blueprint("extra", __name__)

    @extra.post("/v1/models/<name>:predict")
    def predict(name):
        raise BadInput(f"no model {name}", 404)

    client = service_app.create_app(blueprints=[extra]).test_client()
    reply = client.post("/v1/models/demo:predict", json={})
    assert reply.status_code == 404 and reply.get_json()["error"] == "no model demo"


def test_open_image_refuses_decompression_bombs_before_decoding():
    with pytest.raises(BadInput) as err:
        open_image(png_bytes(3000, 3000, "1"), max_pixels=1_000_000)
    assert err.value.status == 413
    assert open_image(png_bytes(10, 10, "RGBA"), 1000).mode == "RGB"
    assert np.asarray(open_image(png_bytes(10, 10, "L"), 1000)).shape == (10, 10, 3)
