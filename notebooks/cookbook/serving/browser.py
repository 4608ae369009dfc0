"""Headless Chromium for page checks (chapter 16): Debian's ``/usr/bin/chromium`` driven by
Playwright, so no browser is downloaded. Used by the notebook and the tests alike::

    with browser.page() as page:
        page.goto(url)
        page.fill("#query", "cat")
"""

from __future__ import annotations

import os
import shutil
import tempfile
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
