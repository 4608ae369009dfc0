"""Headless Chromium for page checks (chapter 16): Debian's ``/usr/bin/chromium`` driven by
Playwright, so no browser is downloaded. Used by the notebooks and the tests alike::

    def visit(page, url):
        page.goto(url)
        page.fill("#query", "cat")
        return page.inner_text("#results")

    shown = browser.run(visit, url)      # works in a script, a test and a Jupyter kernel

``page()`` is the underlying context manager, for code that is not running inside an event loop.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

# Without the background-networking switches Chromium keeps dialling Google's hosts, which a
# closed network refuses loudly; --no-sandbox because CI runs as root, where the sandbox won't start.
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")


class BrowserMissing(RuntimeError):
    """No Chromium executable was found."""


def chromium_path() -> str:
    """The Chromium to drive: ``$DLCB_CHROMIUM``, else the first of chromium / chromium-browser /
    google-chrome on PATH."""
    explicit = os.environ.get("DLCB_CHROMIUM")
    if explicit:
        if not Path(explicit).exists():
            raise BrowserMissing(f"DLCB_CHROMIUM={explicit} does not exist")
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing("no Chromium found: install Debian's `chromium` (make system) "
                         "or point DLCB_CHROMIUM at a Chrome/Chromium executable")


@contextmanager
def page(timeout_ms: float = 20_000):
    """A fresh headless Chromium page (own empty profile); closed with its browser on exit.
    Console errors of the page are collected in ``page.console_errors``."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with tempfile.TemporaryDirectory(prefix="dlcb-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=list(CHROMIUM_FLAGS))
        try:
            tab = context.pages[0] if context.pages else context.new_page()
            tab.set_default_timeout(timeout_ms)
            tab.console_errors = []
            tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
            yield tab
        finally:
            context.close()


def _event_loop_running() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run(visit, *args, timeout_ms: float = 20_000, timeout_s: float = 180.0):
    """Open a fresh page, call ``visit(page, *args)`` and return its result (plain data: the
    page is closed afterwards). Playwright's synchronous API refuses to run on a thread that
    already runs an asyncio loop, as a Jupyter kernel's main thread does; there the visit runs
    on a worker thread of its own."""
    def visit_in_fresh_page():
        with page(timeout_ms=timeout_ms) as tab:
            return visit(tab, *args)

    if not _event_loop_running():
        return visit_in_fresh_page()
    with ThreadPoolExecutor(1, thread_name_prefix="chromium") as pool:
        return pool.submit(visit_in_fresh_page).result(timeout=timeout_s)
