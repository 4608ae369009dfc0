"""Stack Exchange data dumps: download a site's 7z archive, stream-parse ``Posts.xml``, and pair
each question with its accepted answer.

The book (recipe 6.1) downloads one site's dump from the Internet Archive, unpacks it with the
``7z`` command-line tool and splits ``Posts.xml`` lines on quotes. This client keeps the online
path but does each step robustly and in pure Python:

* :func:`download_dump` streams ``{base_url}/{site}.7z`` to disk (a ``.part`` file renamed on
  success, so a cut-off transfer never looks complete);
* :func:`extract_posts` unpacks only ``Posts.xml`` with ``py7zr`` (no ``7z`` binary needed);
* :func:`iter_posts` walks the XML with ``iterparse`` and frees each ``<row>`` after use, so even
  Stack Overflow's ~100 GB ``Posts.xml`` never sits in memory;
* :func:`pair_accepted_answers` joins questions with their accepted answers in one pass.

Against the real archive::

    archive = download_dump("travel.stackexchange.com", "data/se")
    posts = list(iter_posts(extract_posts(archive, "data/se"), limit=100_000))

Any server laid out like the archive works: pass its address as ``base_url`` (the notebook's
offline stand-in is :mod:`cookbook.fixtures.stackexchange`).
"""

from __future__ import annotations

import html
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable, Iterator, Mapping
from . import USER_AGENT

DEFAULT_BASE_URL = "https://archive.org/download/stackexchange"
QUESTION, ANSWER = "1", "2"  # PostTypeId values in the dumps


class StackExchangeError(RuntimeError):
    """A dump could not be downloaded or read; the message says why."""


class DumpNotFound(StackExchangeError):
    """The server has no archive for that site (HTTP 404/410)."""


class CorruptDump(StackExchangeError):
    """What arrived is not a complete 7z archive holding Posts.xml."""


# --------------------------------------------------------------------------------------------
# download


def dump_filename(site: str) -> str:
    """The archive's name on the Internet Archive. Stack Overflow is split per table; every
    other site is one archive (``travel.stackexchange.com.7z``)."""
    site = site.strip().lower()
    if site in {"stackoverflow", "stackoverflow.com"}:
        return "stackoverflow.com-Posts.7z"
    return site if site.endswith(".7z") else f"{site}.7z"


def dump_url(site: str, base_url: str = DEFAULT_BASE_URL) -> str:
    return f"{base_url.rstrip('/')}/{dump_filename(site)}"


def download_dump(site: str, dest_dir: str | os.PathLike, *, base_url: str = DEFAULT_BASE_URL,
                  timeout: float = 60.0, chunk_size: int = 1 << 20) -> Path:
    """Stream the site's 7z archive into ``dest_dir`` and return its path.

    An archive already there is reused when it opens as a 7z file (the dumps are GBs; never
    download twice). The body goes to a ``.part`` file that is renamed only when the byte count
    matches ``Content-Length``."""
    import requests

    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / dump_filename(site)
    if target.exists() and _is_7z(target):
        return target
    url = dump_url(site, base_url)
    try:
        response = requests.get(url, stream=True, timeout=timeout, allow_redirects=True,
                                headers={"User-Agent": USER_AGENT})
    except requests.RequestException as err:
        raise StackExchangeError(f"could not reach {url}: {type(err).__name__}: {err}") from None
    with response:
        if response.status_code in (404, 410):
            raise DumpNotFound(f"{url} answered {response.status_code}: no dump for site {site!r} "
                               "(check the name, e.g. 'travel.stackexchange.com')")
        if response.status_code != 200:
            raise StackExchangeError(f"{url} answered HTTP {response.status_code}")
        expected = response.headers.get("Content-Length")
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=dest_dir)
        received = 0
        try:
            with os.fdopen(fd, "wb") as out:
                try:
                    for block in response.iter_content(chunk_size):
                        out.write(block)
                        received += len(block)
                except requests.RequestException as err:
                    raise CorruptDump(f"transfer of {url} broke off after {received} bytes "
                                      f"({type(err).__name__})") from None
            if expected is not None and received != int(expected):
                raise CorruptDump(f"transfer of {url} stopped at {received} of {expected} bytes")
            if not _is_7z(Path(tmp)):
                raise CorruptDump(f"{url} did not deliver a 7z archive")
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return target


def _is_7z(path: Path) -> bool:
    import py7zr

    try:
        return py7zr.is_7zfile(path)
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# extraction and streaming parse


def extract_posts(archive: str | os.PathLike, dest_dir: str | os.PathLike) -> Path:
    """Unpack only ``Posts.xml`` from the archive into ``dest_dir`` and return its path.

    py7zr decompresses to disk; the XML is then read in a streaming fashion by iter_posts."""
    import py7zr

    archive, dest_dir = Path(archive), Path(dest_dir)
    try:
        with py7zr.SevenZipFile(archive, "r") as z:
            names = z.getnames()
            member = next((n for n in names if n.rsplit("/", 1)[-1] == "Posts.xml"), None)
            if member is None:
                raise CorruptDump(f"{archive.name} holds no Posts.xml (found: {names[:5]})")
            z.extract(path=dest_dir, targets=[member])
    except (py7zr.exceptions.Bad7zFile, EOFError) as err:
        raise CorruptDump(f"{archive.name} is not a readable 7z archive: {err}") from None
    return dest_dir / member


def iter_posts(source, limit: int | None = None) -> Iterator[dict]:
    """Yield each ``<row>`` of a Posts.xml (path or binary file object) as a dict of its
    attributes. Rows are cleared as soon as they are read, so memory stays flat."""
    count = 0
    context = ET.iterparse(source, events=("start", "end"))
    root = None
    try:
        for event, elem in context:
            if root is None and event == "start":
                root = elem
                continue
            if event != "end" or elem.tag != "row":
                continue
            yield dict(elem.attrib)
            count += 1
            elem.clear()
            root.clear()  # drop the references the root keeps to finished rows
            if limit is not None and count >= limit:
                return
    except ET.ParseError as err:
        raise CorruptDump(f"Posts.xml is not well-formed after {count} rows: {err}") from None


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def html_to_text(body: str) -> str:
    """A post body is HTML (``<p>``, ``<code>``...): drop the tags, decode entities, squeeze
    whitespace. The book tokenized the raw HTML and got words like ``lt`` and ``p``."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", body or ""))).strip()


def pair_accepted_answers(posts: Iterable[Mapping[str, str]]) -> list[dict]:
    """Join questions with their accepted answers in one pass over ``posts``.

    Only the answers some question accepted are kept, so memory grows with the number of pairs,
    not with the dump. (Dumps list posts by Id, so a question comes before its answers; an
    answer seen first is kept until its question shows up.)"""
    questions: dict[str, dict] = {}      # accepted answer id -> question
    answers: dict[str, str] = {}         # answer id -> body, for accepted answers
    early: dict[str, tuple[str, str]] = {}  # answer id -> (parent id, body) seen before its question
    for post in posts:
        kind = post.get("PostTypeId")
        if kind == QUESTION and post.get("AcceptedAnswerId"):
            accepted = post["AcceptedAnswerId"]
            questions[accepted] = post
            if accepted in early:
                answers[accepted] = early.pop(accepted)[1]
        elif kind == ANSWER:
            if post.get("Id") in questions:
                answers[post["Id"]] = post.get("Body", "")
            else:
                early[post.get("Id", "")] = (post.get("ParentId", ""), post.get("Body", ""))
    pairs = []
    for answer_id, question in questions.items():
        if answer_id not in answers:
            continue  # accepted answer missing from this (partial) dump
        pairs.append({
            "question_id": int(question["Id"]), "answer_id": int(answer_id),
            "title": html.unescape(question.get("Title", "")),
            "question": html_to_text(question.get("Body", "")),
            "answer": html_to_text(answers[answer_id]),
            "tags": re.findall(r"<([^>]+)>", question.get("Tags", "")),
            "view_count": int(question.get("ViewCount", 0) or 0),
            "score": int(question.get("Score", 0) or 0),
        })
    pairs.sort(key=lambda p: p["question_id"])
    return pairs
