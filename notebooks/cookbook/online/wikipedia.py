"""Wikipedia: the MediaWiki API (one page at a time) and the XML dumps (everything, streamed).

Two ways in, both taking the address as an argument, so that the same calls run against
wikimedia.org or a local stand-in (:mod:`cookbook.fixtures.wikipedia` for the API,
:mod:`cookbook.fixtures.wikimedia_dumps` for the dumps):

* **API** for a handful of pages: :func:`fetch_page_wikitext`, :func:`fetch_page_links`.
* **Dumps** for whole domains (all films): :func:`list_dumps` / :func:`find_latest_dump` read the
  dumps index, :func:`iter_dump_pages` streams ``pages-articles.xml.bz2`` page by page from a path,
  an open file or straight from an HTTP response (bz2 decompressed on the fly; a 20 GB dump never
  sits in memory or even on disk), and :func:`parse_film` turns a page's wikitext into a film
  record with mwparserfromhell.

    url = find_latest_dump("https://dumps.wikimedia.org/enwiki/")
    for page in iter_dump_pages(url, max_pages=50_000):
        film = parse_film(page)
"""

from __future__ import annotations

import bz2
import io
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator
from urllib.parse import urljoin
from . import USER_AGENT

DUMPS_URL = "https://dumps.wikimedia.org/enwiki/"
API_URL = "https://en.wikipedia.org/w/api.php"
DUMP_SUFFIX = "-pages-articles.xml.bz2"


class WikipediaError(RuntimeError):
    """The service answered, but not with what we asked for (missing page, no finished dump)."""


def _session(session=None):
    import requests

    if session is not None:
        return session
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    return s


def _get(url: str, session=None, timeout: float = 30.0, **kwargs):
    response = _session(session).get(url, timeout=timeout, **kwargs)
    response.raise_for_status()
    return response


# ------------------------------------------------------------------------------------------
# the dumps index


def list_dumps(index_url: str = DUMPS_URL, session=None) -> list[str]:
    """Dump dates (``'20240501'``) linked from a wiki's dumps index, newest first.

    The index is a plain directory listing; date folders are links like ``20240501/``."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_get(index_url, session).text, "html.parser")
    dates = {a.get("href", "").strip("/") for a in soup.find_all("a")}
    return sorted((d for d in dates if d.isdigit() and len(d) == 8), reverse=True)


def find_latest_dump(index_url: str = DUMPS_URL, session=None, wiki: str | None = None,
                     pause: float = 0.0) -> str:
    """URL of the newest *finished* ``pages-articles.xml.bz2`` dump.

    A dump folder appears before its files are written, so each date's page is checked (newest
    first) for a link to the finished file. ``pause`` seconds between requests keeps us polite to
    the real server."""
    from bs4 import BeautifulSoup

    wiki = wiki or index_url.rstrip("/").rsplit("/", 1)[-1]
    http = _session(session)
    for date in list_dumps(index_url, http):
        folder = urljoin(index_url if index_url.endswith("/") else index_url + "/", date + "/")
        try:
            page = _get(folder, http)
        except Exception:  # a half-published or vanished folder: try the previous one
            continue
        soup = BeautifulSoup(page.text, "html.parser")
        wanted = f"{wiki}-{date}{DUMP_SUFFIX}"
        for a in soup.find_all("a"):
            href = a.get("href", "")
            if href.rsplit("/", 1)[-1] == wanted:
                return urljoin(folder, href)
        if pause:
            time.sleep(pause)
    raise WikipediaError(f"no finished {DUMP_SUFFIX} dump found under {index_url}")


# ------------------------------------------------------------------------------------------
# streaming pages out of a dump


@dataclass(frozen=True)
class Page:
    title: str
    text: str
    ns: int = 0
    redirect: str | None = None


def _open_stream(source) -> tuple[IO[bytes], list]:
    """A binary stream of decompressed XML, and the things to close afterwards."""
    closers: list = []
    if isinstance(source, (str, Path)) and str(source).startswith(("http://", "https://")):
        response = _session().get(str(source), stream=True, timeout=60)
        response.raise_for_status()
        response.raw.decode_content = True
        closers.append(response)
        raw: IO[bytes] = response.raw
    elif isinstance(source, (str, Path)):
        raw = open(source, "rb")
        closers.append(raw)
    else:
        raw = source
    # look at the magic number: accept both .xml.bz2 and plain .xml
    magic = raw.read(3)
    stream: IO[bytes] = _Prefixed(magic, raw)
    if magic == b"BZh":
        stream = bz2.BZ2File(stream)
        closers.insert(0, stream)
    return stream, closers


class _Prefixed(io.RawIOBase):
    """A read-only stream that first returns ``prefix`` and then the rest of ``inner`` (lets us
    sniff a few bytes of a socket without needing it to be seekable)."""

    def __init__(self, prefix: bytes, inner: IO[bytes]):
        self.prefix, self.inner = prefix, inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.prefix:
            n = min(len(buffer), len(self.prefix))
            buffer[:n] = self.prefix[:n]
            self.prefix = self.prefix[n:]
            return n
        data = self.inner.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _local(tag: str) -> str:
    """Drop the export-schema namespace: '{http://www.mediawiki.org/xml/export-0.10/}page' -> 'page'."""
    return tag.rsplit("}", 1)[-1]


def iter_dump_pages(source, max_pages: int | None = None, max_bytes: int | None = None,
                    namespaces: tuple[int, ...] | None = (0,), skip_redirects: bool = True
                    ) -> Iterator[Page]:
    """Yield the pages of a MediaWiki XML dump one by one.

    ``source`` is a path, a URL or a binary file object, bz2-compressed or not. Elements are
    cleared as soon as a page is read, so memory stays flat however large the dump. Stop after
    ``max_pages`` yielded pages or once ``max_bytes`` of decompressed XML were read (the online
    path uses these to scope a 20 GB dump to a few minutes). ``namespaces=(0,)`` keeps articles
    only; pass ``None`` for all."""
    stream, closers = _open_stream(source)
    counted = _CountingReader(stream)
    yielded = 0
    try:
        context = ET.iterparse(counted, events=("start", "end"))
        root = None
        for event, elem in context:
            if root is None and event == "start":
                root = elem
            if event != "end" or _local(elem.tag) != "page":
                continue
            page = _page_from_element(elem)
            elem.clear()
            if root is not None:
                root.clear()  # drop references to finished pages kept by the root
            if page is not None and (namespaces is None or page.ns in namespaces) \
                    and not (skip_redirects and page.redirect):
                yield page
                yielded += 1
                if max_pages is not None and yielded >= max_pages:
                    return
            if max_bytes is not None and counted.count >= max_bytes:
                return
    finally:
        for thing in closers:
            try:
                thing.close()
            except Exception:
                pass


class _CountingReader(io.RawIOBase):
    """Counts the bytes ElementTree pulls, for ``max_bytes``."""

    def __init__(self, inner: IO[bytes]):
        self.inner, self.count = inner, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.count += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _page_from_element(elem) -> Page | None:
    title = text = None
    ns = 0
    redirect = None
    for child in elem.iter():
        name = _local(child.tag)
        if name == "title":
            title = child.text or ""
        elif name == "ns":
            ns = int(child.text or 0)
        elif name == "redirect":
            redirect = child.get("title", "")
        elif name == "text":
            text = child.text or ""
    if title is None:
        return None
    return Page(title=title, text=text or "", ns=ns, redirect=redirect)


# ------------------------------------------------------------------------------------------
# films


@dataclass
class Film:
    """One film page: its infobox fields, its outgoing links (including ``Category:`` links, which
    carry facts like '2015 films'), and rating strings found in the text."""

    title: str
    infobox: dict[str, str] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    rotten_tomatoes: str | None = None   # e.g. '93%'
    rating: str | None = None            # e.g. '8.1/10'

    def to_record(self) -> list:
        """The ndjson row layout of the book's wp_movies file: [title, infobox, links, rt, rating]."""
        return [self.title, self.infobox, self.links, self.rotten_tomatoes, self.rating]


_PERCENT = re.compile(r"\b\d{1,3}%")
_RATING = re.compile(r"\b\d\.\d/10\b")


def _is_film_infobox(template) -> bool:
    name = str(template.name).strip().lower().replace("_", " ")
    return name == "infobox film" or name.startswith("infobox film ")


def parse_film(page: Page | str, title: str | None = None) -> Film | None:
    """A :class:`Film` when the wikitext has an ``{{Infobox film}}`` template, else None.

    The Rotten Tomatoes score is read from the first paragraph that mentions Rotten Tomatoes and
    holds exactly one percentage (so '93% of 200 critics' works but a box-office share does not)."""
    import mwparserfromhell

    if isinstance(page, Page):
        wikitext, title = page.text, page.title
    else:
        wikitext = page
    if "nfobox film" not in wikitext and "nfobox_film" not in wikitext:
        return None  # cheap pre-check: parsing every page of a dump is the slow part
    code = mwparserfromhell.parse(wikitext)
    infobox = next((t for t in code.filter_templates() if _is_film_infobox(t)), None)
    if infobox is None:
        return None
    fields = {}
    for param in infobox.params:
        value = param.value.strip_code().strip()
        if value:
            fields[str(param.name).strip()] = value
    links = [str(link.title.strip_code()).strip() for link in code.filter_wikilinks()]
    links = [link for link in links if link]
    rotten = rating = None
    for paragraph in wikitext.split("\n\n"):
        if "rotten tomatoes" not in paragraph.lower():
            continue
        plain = mwparserfromhell.parse(paragraph).strip_code()
        percents = _PERCENT.findall(plain)
        if len(percents) == 1:
            rotten = percents[0]
            found = _RATING.findall(plain)
            rating = found[0] if found else None
            break
    return Film(title=title or "", infobox=fields, links=links, rotten_tomatoes=rotten,
                rating=rating)


def iter_films(source, max_pages: int | None = None, max_bytes: int | None = None
               ) -> Iterator[Film]:
    """All films in a dump (see :func:`iter_dump_pages` for ``source`` and the limits)."""
    for page in iter_dump_pages(source, max_pages=max_pages, max_bytes=max_bytes):
        film = parse_film(page)
        if film is not None:
            yield film


# ------------------------------------------------------------------------------------------
# the API, for single pages


def fetch_page_wikitext(title: str, api_url: str = API_URL, session=None) -> str:
    """The current wikitext of one page (redirects followed). Raises WikipediaError if missing."""
    params = {"action": "query", "prop": "revisions", "rvprop": "content", "rvslots": "main",
              "titles": title, "redirects": 1, "format": "json", "formatversion": 2}
    data = _get(api_url, session, params=params).json()
    pages = data.get("query", {}).get("pages", [])
    if not pages or pages[0].get("missing") or "revisions" not in pages[0]:
        raise WikipediaError(f"no Wikipedia page titled {title!r}")
    revision = pages[0]["revisions"][0]
    slot = revision.get("slots", {}).get("main", revision)
    return slot.get("content", slot.get("*", ""))


def fetch_page_links(title: str, api_url: str = API_URL, session=None, namespace: int = 0,
                     limit: int | None = None) -> list[str]:
    """Titles a page links to, following the API's ``continue`` pagination."""
    params = {"action": "query", "prop": "links", "titles": title, "plnamespace": namespace,
              "pllimit": "max", "redirects": 1, "format": "json", "formatversion": 2}
    http = _session(session)
    links: list[str] = []
    while True:
        data = _get(api_url, http, params=params).json()
        for page in data.get("query", {}).get("pages", []):
            if page.get("missing"):
                raise WikipediaError(f"no Wikipedia page titled {title!r}")
            links.extend(link["title"] for link in page.get("links", []))
        if limit is not None and len(links) >= limit:
            return links[:limit]
        if "continue" not in data:
            return links
        params = {**params, **data["continue"]}


_WIKILINK = re.compile(r"\[\[([^\]|#]+)")


def link_target(title: str) -> str:
    """'anarchism#History' -> 'Anarchism' (MediaWiki capitalizes the first letter)."""
    title = str(title).split("#")[0].strip().replace("_", " ")
    return title[:1].upper() + title[1:]


def article_links(wikitext: str) -> list[str]:
    """The distinct article titles a page's wikitext links to, in order (no ``Category:``,
    ``File:`` or other namespaced links). A regular expression, much faster than a full parse."""
    return list(dict.fromkeys(link_target(t) for t in _WIKILINK.findall(wikitext)
                              if ":" not in t and link_target(t)))
