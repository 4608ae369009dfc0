"""serving.browser: the page helper drives Debian's Chromium from plain code and from inside a
running asyncio loop (a Jupyter kernel's situation), and names what is missing."""

import asyncio
import functools
import http.server
import shutil
import threading

import pytest

from cookbook.serving import browser

PAGE = ("<html><body><input id=q><div id=out></div><script>"
        "document.getElementById('q').addEventListener('input',"
        " e => document.getElementById('out').textContent = e.target.value.toUpperCase())"
        "</script></body></html>")


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page")
    (folder / "index.html").write_text(PAGE)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def type_cat(page, url):
    page.goto(url)
    page.fill("#q", "cat")
    return page.text_content("#out")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no Chromium (make system)")
def test_run_outside_and_inside_an_event_loop(page_url):
    assert browser.run(type_cat, page_url) == "CAT"

    async def in_a_kernel_like_loop():
        return browser.run(type_cat, page_url)

    assert asyncio.run(in_a_kernel_like_loop()) == "CAT"


def test_a_missing_chromium_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCB_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(browser.BrowserMissing, match="DLCB_CHROMIUM"):
        browser.chromium_path()
