"""Wikimedia Commons: download the pictures that a Wikidata query names.

Wikidata's image property (P18) holds Commons file names, which the query service returns as
``http://commons.wikimedia.org/wiki/Special:FilePath/<name>`` addresses. Asking that address with
``?width=N`` makes Commons answer with a thumbnail N pixels wide instead of the original (some
originals are hundreds of megapixels). :func:`download_images` fetches a list of such files
politely (a descriptive User-Agent, a pause between requests), skips files it already has, and
counts the ones it could not use (HTTP errors, files that are not images, truncated files)
instead of stopping at the first.

Offline, :mod:`cookbook.fixtures.wikimedia_commons` answers in the same way with real photos.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from urllib.parse import quote, unquote, urlsplit

from . import USER_AGENT

REAL_BASE_URL = "https://commons.wikimedia.org"
FILE_PATH = "/wiki/Special:FilePath/"

# The book's query: a picture of every class that has at least one instance.
CLASS_PICTURES = """
SELECT DISTINCT ?pic WHERE {
  ?item wdt:P31 ?class .
  ?class wdt:P18 ?pic
} LIMIT %d"""


class CommonsError(RuntimeError):
    """Something is wrong with the request itself (not with one file): a bad name or folder."""


def file_name(pic: str) -> str:
    """'http://commons.wikimedia.org/wiki/Special:FilePath/Flock%20of%20sheep.jpg' or
    'File:Flock of sheep.jpg' -> 'Flock of sheep.jpg'."""
    path = urlsplit(pic).path if "://" in pic else pic
    if FILE_PATH in path:
        path = path.split(FILE_PATH, 1)[1]
    name = unquote(path).split("/")[-1]
    name = name[5:] if name.startswith("File:") else name
    if not name.strip():
        raise CommonsError(f"no Commons file name in {pic!r}")
    return name.replace("_", " ")


def file_url(name: str, width: int | None = 320, base_url: str = REAL_BASE_URL) -> str:
    """The Special:FilePath address of ``name``, as a ``width``-pixel thumbnail."""
    url = base_url.rstrip("/") + FILE_PATH + quote(name.replace(" ", "_"))
    return url if width is None else f"{url}?width={int(width)}"


def local_name(name: str) -> str:
    """A safe file name for the cache folder (Commons names may hold any character)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).stem).strip("_")[:120] or "image"
    return stem + ".jpg"


@dataclass
class DownloadReport:
    """What :func:`download_images` did, file by file."""

    downloaded: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)     # HTTP 404
    bad: dict[str, str] = field(default_factory=dict)      # name -> why (not an image, truncated)
    failed: dict[str, str] = field(default_factory=dict)   # name -> other HTTP or network error
    files: dict[str, Path] = field(default_factory=dict)   # name -> local file (usable images)

    @property
    def usable(self) -> int:
        return len(self.files)

    def counts(self) -> dict[str, int]:
        return {"downloaded": len(self.downloaded), "already_there": len(self.already_there),
                "not_found": len(self.not_found), "bad": len(self.bad),
                "failed": len(self.failed), "usable": self.usable}

    def __str__(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.counts().items())


def check_image(data: bytes) -> str | None:
    """None when ``data`` decodes completely as an image, else the reason it does not."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()  # decodes every pixel: a cut-off file fails here, not at open()
            if img.width < 1 or img.height < 1:
                return "empty image"
    except Exception as err:  # PIL raises OSError, SyntaxError, DecompressionBombError, ...
        return f"not a readable image ({type(err).__name__}: {str(err)[:80]})"
    return None


def _save_as_jpeg(data: bytes, dest: Path) -> None:
    from PIL import Image

    tmp = dest.with_suffix(".part")
    with Image.open(io.BytesIO(data)) as img:
        img.convert("RGB").save(tmp, "JPEG", quality=90)
    tmp.replace(dest)  # only complete files ever carry the final name: resuming trusts them


def download_images(names: Iterable[str], folder: str | Path, width: int = 320,
                    base_url: str = REAL_BASE_URL, pause: float = 1.0, timeout: float = 30.0,
                    retries: int = 1, session=None) -> DownloadReport:
    """Fetch each Commons file (names or Special:FilePath URLs) as a ``width``-px thumbnail into
    ``folder`` as JPEG. Files already in ``folder`` are not fetched again. One bad file never
    stops the loop: it is counted in the report. ``pause`` seconds separate requests."""
    import requests

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    http = session or requests.Session()
    report, last = DownloadReport(), None
    for raw in names:
        name = file_name(raw)
        dest = folder / local_name(name)
        if dest.is_file():
            report.already_there.append(name)
            report.files[name] = dest
            continue
        for attempt in range(retries + 1):
            if last is not None and pause > 0:
                time.sleep(max(0.0, pause - (time.monotonic() - last)))
            last = time.monotonic()
            try:
                response = http.get(file_url(name, width, base_url), timeout=timeout,
                                    headers={"User-Agent": USER_AGENT})
            except requests.RequestException as err:
                outcome = ("failed", f"{type(err).__name__}")
            else:
                outcome = _judge(response)
            if outcome[0] != "retry":
                break
        kind, detail = outcome if outcome[0] != "retry" else ("failed", outcome[1])
        if kind == "ok":
            _save_as_jpeg(detail, dest)
            report.downloaded.append(name)
            report.files[name] = dest
        elif kind == "not_found":
            report.not_found.append(name)
        else:
            getattr(report, kind)[name] = detail
    return report


def _judge(response) -> tuple[str, object]:
    if response.status_code == 404:
        return "not_found", None
    if response.status_code in (429, 500, 502, 503, 504):
        return "retry", f"HTTP {response.status_code}"
    if response.status_code != 200:
        return "failed", f"HTTP {response.status_code}"
    data = response.content
    expected = response.headers.get("Content-Length")
    if expected is not None and expected.isdigit() and int(expected) != len(data):
        return "bad", f"truncated ({len(data)} of {expected} bytes)"
    problem = check_image(data)
    return ("bad", problem) if problem else ("ok", data)
