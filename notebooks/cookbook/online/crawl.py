"""A polite breadth-first web crawler with requests + BeautifulSoup.

Crawling means: fetch a page, collect its links, queue the ones not seen yet, repeat. Being
polite means: identify yourself (User-Agent), obey ``robots.txt``, wait between requests, stay on
one site and stop after a page budget. Real sites also fail in the middle of a crawl (404s,
timeouts); those pages are recorded as failures and the crawl goes on.

For anything bigger than a few thousand pages the book suggests Scrapy; this is the same idea in
forty lines. Offline, it crawls :mod:`cookbook.fixtures.crawl`, a small site built from real
Wikipedia pages.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

USER_AGENT = "dl-cookbook-crawler/0.1 (educational use)"


@dataclass
class CrawlResult:
    pages: dict = field(default_factory=dict)     # url -> {"title": str, "links": [url], "text": str}
    failed: dict = field(default_factory=dict)    # url -> reason
    skipped_by_robots: list = field(default_factory=list)

    def link_graph(self) -> dict:
        """url -> links that point at pages that were crawled."""
        return {u: [l for l in p["links"] if l in self.pages] for u, p in self.pages.items()}


def page_links(html: str, page_url: str) -> tuple[str, list[str], str]:
    """Title, absolute links (fragments dropped, http(s) only, in page order, no repeats) and
    visible text of one HTML page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else ""
    links: list[str] = []
    for anchor in soup.find_all("a", href=True):
        url = urldefrag(urljoin(page_url, anchor["href"]))[0]
        if urlsplit(url).scheme in ("http", "https") and url not in links:
            links.append(url)
    return title, links, soup.get_text(" ", strip=True)


def _robots(start_url: str, session, timeout: float) -> RobotFileParser:
    parser = RobotFileParser()
    root = "{0.scheme}://{0.netloc}".format(urlsplit(start_url))
    try:
        response = session.get(root + "/robots.txt", timeout=timeout,
                               headers={"User-Agent": USER_AGENT})
        lines = response.text.splitlines() if response.status_code == 200 else []
    except Exception:
        lines = []  # no robots.txt reachable: everything is allowed
    parser.parse(lines)
    return parser


def crawl(start_url: str, max_pages: int = 50, delay: float = 1.0, same_host: bool = True,
          obey_robots: bool = True, timeout: float = 15.0, session=None) -> CrawlResult:
    """Breadth-first crawl from ``start_url``; at most ``max_pages`` pages fetched, ``delay``
    seconds between requests (rate limiting)."""
    import requests

    http = session or requests.Session()
    host = urlsplit(start_url).netloc
    robots = _robots(start_url, http, timeout) if obey_robots else None
    result = CrawlResult()
    queue, seen = deque([start_url]), {start_url}
    fetched = 0
    while queue and fetched < max_pages:
        url = queue.popleft()
        if robots is not None and not robots.can_fetch(USER_AGENT, url):
            result.skipped_by_robots.append(url)
            continue
        if fetched and delay:
            time.sleep(delay)
        fetched += 1
        try:
            response = http.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT})
        except requests.RequestException as err:
            result.failed[url] = type(err).__name__
            continue
        if response.status_code != 200:
            result.failed[url] = f"HTTP {response.status_code}"
            continue
        if "html" not in response.headers.get("Content-Type", ""):
            result.failed[url] = f"not HTML ({response.headers.get('Content-Type')})"
            continue
        title, links, text = page_links(response.text, url)
        result.pages[url] = {"title": title, "links": links, "text": text}
        for link in links:
            if link not in seen and (not same_host or urlsplit(link).netloc == host):
                seen.add(link)
                queue.append(link)
    return result


# --------------------------------------------------------------------------------------------
# Wikipedia-style addresses


def wiki_path(title: str) -> str:
    from urllib.parse import quote

    return "/wiki/" + quote(title.replace(" ", "_"))
