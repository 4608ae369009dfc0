"""Project Gutenberg: download a book's plain text by its id and cut off the licence boilerplate.

The book (recipes 5.1 and 8.2) downloads etexts straight from Project Gutenberg. This client keeps
that online path with plain HTTP, so it works against the real site, a mirror, or a local
stand-in (:mod:`cookbook.fixtures.gutenberg`)::

    text = fetch_book(100)                        # https://www.gutenberg.org/cache/epub/100/pg100.txt
    text = fetch_book(100, base_url=mirror_url)   # a mirror: <mirror>/100/pg100.txt, <mirror>/100.txt ...
    body = strip_headers(text)

``fetch_book`` tries the URL layouts of gutenberg.org (``cache/epub/{id}/pg{id}.txt``,
``files/{id}/{id}-0.txt``) and those of mirrors and plain folders (``{id}/pg{id}.txt``,
``{id}/{id}-0.txt``, ``{id}.txt``) below ``base_url``, keeps a verified copy in the download cache,
and raises :class:`BookNotFound` (404 on every layout) or :class:`CorruptBook` (cut-off transfer,
binary or empty content) with a message that says what went wrong.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from . import USER_AGENT

DEFAULT_BASE_URL = "https://www.gutenberg.org"
# Layouts below a base URL, tried in order: gutenberg.org's cache and its files/ tree (what the
# book's "100-0.txt" came from), then the same two one level up (a base URL that already ends in
# /cache/epub, or a mirror) and a flat folder of "<id>.txt" files.
URL_LAYOUTS = ("cache/epub/{id}/pg{id}.txt", "files/{id}/{id}-0.txt",
               "{id}/pg{id}.txt", "{id}/{id}-0.txt", "{id}.txt")


class GutenbergError(RuntimeError):
    """A book could not be fetched; the message says why."""


class BookNotFound(GutenbergError):
    """No layout below the base URL holds the book (HTTP 404/410)."""


class CorruptBook(GutenbergError):
    """The server answered, but what arrived is not a complete plain-text book."""


# --------------------------------------------------------------------------------------------
# header / footer stripping

# Markers that end the licence header. Modern files say "*** START OF THE PROJECT GUTENBERG
# EBOOK ...", files from the 2000s "*** START OF THIS PROJECT GUTENBERG EBOOK ...", and the 1990s
# etexts close their long "small print" licence with "*END*THE SMALL PRINT!...".
_START_MARKERS = [re.compile(p, re.IGNORECASE) for p in (
    r"^\s*\*{3}\s*START OF (THE|THIS) PROJECT GUTENBERG",
    r"^\s*\*{3}\s*START OF THE COPYRIGHTED PROJECT GUTENBERG",
    r"^\s*\*END\*?\s*THE SMALL PRINT",
    r"^\s*\*{3}START\*\*THE SMALL PRINT",
)]
# Markers that start the licence footer, newest style first.
_END_MARKERS = [re.compile(p, re.IGNORECASE) for p in (
    r"^\s*\*{3}\s*END OF (THE|THIS) PROJECT GUTENBERG",
    r"^\s*\*{3}\s*END OF THE COPYRIGHTED PROJECT GUTENBERG",
    r"^\s*End of (the )?Project Gutenberg",
    r"^\s*End of Project Gutenberg'?s",
    r"^\s*\*{3}END\*?\s*THE SMALL PRINT",
)]
# A "Produced by ..." credit paragraph often sits right after the start marker; it is not text.
_CREDIT = re.compile(r"^\s*(Produced by|This etext was (prepared|produced) by|E-?text prepared by|"
                     r"Transcribed from)", re.IGNORECASE)


def _first_match(lines: list[str], patterns, start: int = 0, stop: int | None = None) -> int | None:
    for index in range(start, len(lines) if stop is None else stop):
        if any(p.match(lines[index]) for p in patterns):
            return index
    return None


def strip_headers(text: str) -> str:
    """Return the book's own text without Project Gutenberg's licence header and footer.

    Handles the modern ``*** START OF THE ...`` / ``*** END OF THE ...`` markers, the older
    ``THIS PROJECT GUTENBERG`` variants, the 1990s "small print" licence, a leading byte-order
    mark, Windows line ends and an opening "Produced by" credit. Text without any marker comes
    back unchanged (apart from line ends and surrounding blank lines).
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    end = _first_match(lines, _END_MARKERS)
    # Old etexts carry both a START line and, further down, the end of the small print: the body
    # begins after the last start-type marker that comes before the footer.
    start = None
    index = 0
    while (found := _first_match(lines, _START_MARKERS, index, end)) is not None:
        start, index = found, found + 1
    body = lines[(start + 1) if start is not None else 0:end]
    body = _drop_credit(body) if start is not None else body
    return "\n".join(body).strip("\n")


def _drop_credit(lines: list[str]) -> list[str]:
    """Remove a "Produced by ..." paragraph if it is the first paragraph of the body."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not _CREDIT.match(lines[first]):
        return lines
    stop = first
    while stop < len(lines) and lines[stop].strip():
        stop += 1
    return lines[stop:]


# --------------------------------------------------------------------------------------------
# downloading


def book_urls(book_id: int, base_url: str = DEFAULT_BASE_URL) -> list[str]:
    """The URLs tried for ``book_id`` below ``base_url``, in order."""
    book_id = _check_id(book_id)
    base = base_url.rstrip("/")
    return [f"{base}/{layout.format(id=book_id)}" for layout in URL_LAYOUTS]


def _check_id(book_id) -> int:
    try:
        value = int(book_id)
    except (TypeError, ValueError):
        raise ValueError(f"a Gutenberg book id is a positive integer, got {book_id!r}") from None
    if value <= 0 or str(value) != str(book_id).strip():
        raise ValueError(f"a Gutenberg book id is a positive integer, got {book_id!r}")
    return value


def _cache_file(book_id: int, base_url: str) -> Path:
    """One cache file per (server, book): a loopback server never poisons the real site's copy."""
    from .. import paths

    server = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:12]
    return paths.cache_dir() / "gutenberg" / server / f"{book_id}.txt"


def fetch_book(book_id: int, base_url: str = DEFAULT_BASE_URL, *, strip: bool = False,
               cache: bool = True, timeout: float = 60.0, retries: int = 2,
               backoff: float = 1.0) -> str:
    """Download book ``book_id`` as text (the whole file, or the body when ``strip=True``).

    Tries each layout of :data:`URL_LAYOUTS` below ``base_url``. Retries connection errors and
    5xx answers with back-off; a 404 moves on to the next layout. The text is decoded as UTF-8
    (older etexts as Latin-1) and checked (complete transfer, not binary, not empty) before it is
    cached under the download cache, atomically.
    """
    book_id = _check_id(book_id)
    cached = _cache_file(book_id, base_url) if cache else None
    if cached is not None and cached.exists():
        text = cached.read_text(encoding="utf-8")
        return strip_headers(text) if strip else text

    failures: list[str] = []
    for url in book_urls(book_id, base_url):
        try:
            raw = _download(url, timeout=timeout, retries=retries, backoff=backoff)
        except BookNotFound as err:
            failures.append(str(err))
            continue
        text = decode_book(raw, url)
        if cached is not None:
            _atomic_write_text(cached, text)
        return strip_headers(text) if strip else text
    raise BookNotFound(f"Gutenberg book {book_id} not found below {base_url}: "
                       + "; ".join(failures)
                       + ". Check the id on https://www.gutenberg.org/ebooks/" + str(book_id))


def _download(url: str, *, timeout: float, retries: int, backoff: float) -> bytes:
    import requests

    last = "no attempt made"
    for attempt in range(retries + 1):
        try:
            response = requests.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT})
        except requests.exceptions.ChunkedEncodingError as err:
            # urllib3 noticed fewer bytes than Content-Length announced
            raise CorruptBook(f"{url}: transfer cut off ({_short(err)})") from None
        except requests.RequestException as err:
            last = f"{type(err).__name__}: {_short(err)}"
        else:
            if response.status_code in (404, 410):
                raise BookNotFound(f"{url}: HTTP {response.status_code}")
            if response.status_code >= 500:
                last = f"HTTP {response.status_code}"
            elif response.status_code != 200:
                raise GutenbergError(f"{url}: HTTP {response.status_code}")
            else:
                announced = response.headers.get("Content-Length")
                body = response.content
                if announced and announced.isdigit() and int(announced) != len(body) \
                        and not response.headers.get("Content-Encoding"):
                    raise CorruptBook(f"{url}: got {len(body)} of {announced} bytes (transfer cut off)")
                return body
        if attempt < retries:
            time.sleep(backoff * 2 ** attempt)
    raise GutenbergError(f"{url}: {last} (after {retries + 1} attempts)")


def decode_book(raw: bytes, where: str = "book") -> str:
    """Bytes -> text; raise CorruptBook for empty, binary or HTML content."""
    if not raw.strip():
        raise CorruptBook(f"{where}: empty file")
    if b"\x00" in raw[:65536]:
        raise CorruptBook(f"{where}: binary content (NUL bytes), not a plain-text book")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # pre-2010 etexts are often ISO-8859-1
    head = text.lstrip("\ufeff \r\n\t")[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        raise CorruptBook(f"{where}: an HTML page arrived instead of plain text")
    control = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > 0.01 * min(len(text), 65536):
        raise CorruptBook(f"{where}: too many control characters for a plain-text book")
    return text.replace("\r\n", "\n")


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _short(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
