"""The real thing: the model service under gunicorn on 127.0.0.1 (started once for the module,
stopped for real), and the 16.7 web page calling it, driven in headless Chromium."""

import json
import os
import shutil
import urllib.request

import pytest
import requests

from cookbook.serving import browser, service


@pytest.fixture(scope="module")
def api():
    with service.serve(workers=1, env={"DLCB_SERVE_MODELS": "emoji,plurals"}, timeout_s=30) as server:
        yield server
    assert not server.running()


@pytest.fixture(scope="module")
def web(api):
    with service.serve("cookbook.serving.webapp:from_env()", workers=1,
                       env={"DLCB_SERVICE_URL": api.url}) as server:
        yield server


def test_gunicorn_serves_the_models(api):
    assert api.health["status"] == "ok" and set(api.health["models"]) == {"emoji", "plurals"}
    reply = requests.post(api.url + "/text/classify", json={"text": "flag of italy"}, timeout=30)
    assert reply.status_code == 200 and reply.json()["label"] == "Flags"
    reply = requests.post(api.url + "/seq2seq/plurals", json={"inputs": ["box", "child"]}, timeout=30)
    assert [o["output"] for o in reply.json()["outputs"]][0] == "boxes"


@pytest.mark.parametrize("body, headers, status", [
    (b'{"text": ', {"Content-Type": "application/json"}, 400),
    (b"x" * (9 * 1024 * 1024), {"Content-Type": "application/json"}, 413),
    (json.dumps({"text": 7}).encode(), {"Content-Type": "application/json"}, 400),
    (b"text=hello", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
])
def test_bad_requests_over_http_get_4xx_json(api, body, headers, status):
    reply = requests.post(api.url + "/text/classify", data=body, headers=headers, timeout=30)
    assert reply.status_code == status and reply.json()["status"] == status


def test_the_service_binds_loopback_only(api):
    assert api.url.startswith("http://127.0.0.1:")


def test_stop_ends_master_and_workers():
    server = service.start(workers=1, env={"DLCB_SERVE_MODELS": ""}, ready_timeout=120)
    with urllib.request.urlopen(server.url + "/health", timeout=5) as reply:
        assert reply.status == 200
    server.stop()
    assert not server.running()
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url + "/health", timeout=2)


def drive(page, url: str) -> dict:
    page.goto(url)
    seen = {"title": page.title()}
    page.select_option("#model", "plurals")
    page.fill("#query", "mouse")
    page.click("#go")
    page.wait_for_selector("#results li")
    seen["plurals"] = page.locator("#results li").all_inner_texts()
    seen["console"] = list(page.console_errors)  # (the refused query below logs its 422)
    page.select_option("#model", "emoji")
    page.fill("#query", "qqqzx")
    page.click("#go")
    seen["error"] = page.locator("#error").inner_text()
    return seen


@pytest.mark.skipif(shutil.which("chromium") is None and not os.environ.get("DLCB_CHROMIUM")
                    and not os.environ.get("CI"), reason="no Chromium (make system)")
def test_the_page_calls_the_service_in_headless_chromium(web):
    seen = browser.run(drive, web.url, timeout_s=120)
    assert seen["title"] == "Ask the models"
    assert seen["plurals"] and seen["plurals"][0] == "mice"
    assert "none of the words is known" in seen["error"]
    assert seen["console"] == []


def test_the_front_end_forwards_uploads_and_reports_refusals(api):
    """/look sends the upload on to the service; here the image model is not loaded, so the page
    shows the service's reason (and its status), and a form without a file is refused first."""
    import io

    from PIL import Image

    from cookbook.serving.webapp import create_web_app

    client = create_web_app(api.url).test_client()
    png = io.BytesIO()
    Image.new("RGB", (32, 32)).save(png, format="PNG")
    reply = client.post("/look", data={"file": (io.BytesIO(png.getvalue()), "x.png")})
    assert reply.status_code == 404 and "not loaded" in reply.get_data(as_text=True)
    assert client.post("/look", data={}).status_code == 400
    down = create_web_app("http://127.0.0.1:9").test_client()  # nothing listens on port 9
    reply = down.post("/ask", data={"query": "cat", "model": "plurals"})
    assert reply.status_code == 502 and "unreachable" in reply.get_data(as_text=True)
