"""Recipe 16.7: a small web site that calls the model microservice over HTTP and renders the answer.

The page (``GET /``) has a text box (``#query``), a choice of model (``#model``: plurals, chatbot,
emoji) and an image upload (``#image``). ``POST /ask`` forwards the text to the microservice's JSON
API and ``POST /look`` the image to its ``/images/similar``; the result comes back as an HTML list
(``#results li``) or as a message (``#error``). The site keeps no model: the service at
``service_url`` owns them, so the web workers stay small.

    gunicorn -b 127.0.0.1:8000 'cookbook.serving.webapp:from_env()'   # DLCB_SERVICE_URL=http://...
"""

from __future__ import annotations

import html
import os

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Ask the models</title>
<link rel="icon" href="data:,">
<style>body{{font-family:sans-serif;max-width:44em;margin:2em auto}} li{{margin:.2em 0}}
#error{{color:#a00}}</style></head>
<body><h1>Ask the models</h1>
<form id="ask" method="post" action="/ask">
<select id="model" name="model">{options}</select>
<input id="query" name="query" size="40" value="{query}" autofocus>
<select id="decoder" name="decoder"><option>greedy</option><option{beam_selected}>beam</option></select>
<button id="go" type="submit">Ask</button></form>
<form id="look" method="post" action="/look" enctype="multipart/form-data">
<input id="image" type="file" name="file" accept="image/*"> <button id="upload" type="submit">Similar images</button>
</form>
{body}
</body></html>"""

MODELS = {"plurals": "plural of a word", "chatbot": "chatbot reply", "emoji": "emoji group"}


def render(query: str = "", model: str = "plurals", decoder: str = "greedy",
           results: list[str] | None = None, error: str | None = None, took: float | None = None) -> str:
    options = "".join(f'<option value="{k}"{" selected" if k == model else ""}>{html.escape(v)}</option>'
                      for k, v in MODELS.items())
    body = ""
    if error:
        body = f'<p id="error">{html.escape(error)}</p>'
    elif results is not None:
        items = "".join(f"<li>{html.escape(r)}</li>" for r in results)
        timing = f' <small id="took">({took * 1000:.0f} ms)</small>' if took is not None else ""
        body = f'<h2>Results{timing}</h2><ul id="results">{items}</ul>'
    return PAGE.format(options=options, query=html.escape(query), body=body,
                       beam_selected=" selected" if decoder == "beam" else "")


def create_web_app(service_url: str, timeout: float = 20.0):
    """The front end, calling the microservice at ``service_url`` with ``requests``."""
    import time

    import requests
    from flask import Flask, request

    app = Flask("cookbook.serving.webapp")
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    service_url = service_url.rstrip("/")

    def reply_of(response) -> tuple[dict | None, str | None]:
        try:
            body = response.json()
        except ValueError:
            return None, f"the service answered {response.status_code} without JSON"
        if response.status_code >= 400:
            return None, f"the service refused: {body.get('error', response.status_code)}"
        return body, None

    @app.get("/")
    def index():
        return render()

    @app.post("/ask")
    def ask():
        query = request.form.get("query", "")
        model = request.form.get("model", "plurals")
        decoder = request.form.get("decoder", "greedy")
        if model not in MODELS:
            return render(query, error=f"unknown model {model!r}"), 400
        started = time.perf_counter()
        try:
            if model == "emoji":
                response = requests.post(f"{service_url}/text/classify", json={"text": query}, timeout=timeout)
            else:
                response = requests.post(f"{service_url}/seq2seq/{model}",
                                         json={"input": query, "decoder": decoder}, timeout=timeout)
        except requests.RequestException as err:
            return render(query, model, decoder, error=f"the service is unreachable ({type(err).__name__})"), 502
        body, problem = reply_of(response)
        if problem:
            return render(query, model, decoder, error=problem), response.status_code
        if model == "emoji":
            results = [f"{t['label']}: {t['probability']:.2f}" for t in body["top"]]
        else:
            results = [body["output"]] + [a["output"] for a in body.get("alternatives", [])[1:]]
        return render(query, model, decoder, results, took=time.perf_counter() - started)

    @app.post("/look")
    def look():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return render(error="choose an image file first"), 400
        started = time.perf_counter()
        try:
            response = requests.post(f"{service_url}/images/similar", data={"k": "5"},
                                     files={"file": (upload.filename, upload.read())}, timeout=timeout)
        except requests.RequestException as err:
            return render(error=f"the service is unreachable ({type(err).__name__})"), 502
        body, problem = reply_of(response)
        if problem:
            return render(error=problem), response.status_code
        results = [f"{r['label']} ({r['name']}): {r['similarity']:.3f}" for r in body["results"]]
        return render(results=results, took=time.perf_counter() - started)

    @app.get("/health")
    def health():
        return {"status": "ok", "service": service_url}

    return app


def from_env():
    """gunicorn entry point: the microservice's address from ``$DLCB_SERVICE_URL``."""
    return create_web_app(os.environ.get("DLCB_SERVICE_URL", "http://127.0.0.1:5050"))
