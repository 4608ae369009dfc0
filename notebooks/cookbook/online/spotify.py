"""Spotify Web API client for chapter 15: playlists by search word, and their tracks.

``connect`` builds a ``spotipy.Spotify`` session with the client-credentials flow (no browser
round-trip; enough for search and public playlists). The keys come from
``cookbook.credentials`` (``SPOTIFY_CLIENT_ID``, ``SPOTIFY_CLIENT_SECRET``); without them
``MissingCredentials`` says what to set. ``base_url`` points the same client at another server
(the API's address without ``/v1``); its token endpoint is then ``<base_url>/api/token``.

The crawler follows the book's recipe: snowball search words taken from the names of the playlists
found so far, page through each word's results (``next`` links), then page through every
playlist's tracks. It backs off on HTTP 429 for as long as the ``Retry-After`` header asks,
retries server errors a few times, treats 404 as "nothing here", and keeps its state on disk
(``playlists.ndjson``, ``crawl_state.json``, ``songs.db``, ``songs_ids.txt``), so a stopped crawl
continues where it ended.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

from .. import credentials

REAL_BASE_URL = "https://api.spotify.com"
REAL_TOKEN_URL = "https://accounts.spotify.com/api/token"
TRACK_FIELDS = "items(track(id,name,artists(name,id),duration_ms)),next"


class SpotifyError(RuntimeError):
    """A request failed for good (after back-off and retries); ``status`` is the HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(f"Spotify answered {status}: {message}")
        self.status = status


def _loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in {"127.0.0.1", "localhost", "::1"}


def connect(base_url: str = REAL_BASE_URL, keys: dict | None = None, timeout: float = 10.0):
    """A spotipy session (client-credentials flow) talking to ``base_url``.

    Keys come from ``cookbook.credentials``; a server on this machine (a local stand-in) needs
    none and gets placeholders. spotipy's own retries are off: :func:`call` handles 429 and 5xx."""
    import requests
    import spotipy
    from spotipy.cache_handler import MemoryCacheHandler

    base_url = base_url.rstrip("/")
    if keys is None:
        try:
            keys = credentials.get("spotify")
        except credentials.MissingCredentials:
            if not _loopback(base_url):
                raise
            keys = {"SPOTIFY_CLIENT_ID": "local", "SPOTIFY_CLIENT_SECRET": "local"}
    auth = spotipy.SpotifyClientCredentials(keys["SPOTIFY_CLIENT_ID"], keys["SPOTIFY_CLIENT_SECRET"],
                                            cache_handler=MemoryCacheHandler(),
                                            requests_timeout=timeout)
    if base_url != REAL_BASE_URL:
        auth.OAUTH_TOKEN_URL = f"{base_url}/api/token"
    session = spotipy.Spotify(auth_manager=auth, requests_session=requests.Session(),
                              requests_timeout=timeout)
    session.prefix = f"{base_url}/v1/"
    # spotipy logs every HTTP error before raising it; call() reports what matters
    logging.getLogger("spotipy.client").setLevel(logging.CRITICAL)
    return session


@dataclass
class Backoff:
    """How :func:`call` waits: ``Retry-After`` seconds on 429 (``default_wait`` when the header is
    missing), exponential waits from ``base_wait`` on 5xx and connection errors."""

    retries: int = 5
    base_wait: float = 0.2
    default_wait: float = 1.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    waited: float = 0.0
    rate_limited: int = 0


def call(fn: Callable, *args, backoff: Backoff | None = None, **kwargs):
    """``fn(*args, **kwargs)`` (a spotipy method) with rate-limit back-off and retries.
    Raises SpotifyError when the request fails for good; 4xx other than 429 fail at once."""
    import requests
    from spotipy.exceptions import SpotifyException

    backoff = backoff or Backoff()
    for attempt in range(backoff.retries + 1):
        try:
            return fn(*args, **kwargs)
        except SpotifyException as err:
            status, message = err.http_status, str(err.msg).split("\n")[-1].strip()
            if status == 429:
                headers = err.headers or {}
                wait = float(headers.get("Retry-After", backoff.default_wait))
                backoff.rate_limited += 1
            elif status >= 500:
                wait = backoff.base_wait * 2 ** attempt
            else:
                raise SpotifyError(status, message) from None
        except requests.exceptions.ConnectionError as err:
            status, message, wait = 0, f"connection failed: {err}", backoff.base_wait * 2 ** attempt
        if attempt == backoff.retries:
            break
        wait = min(wait, backoff.max_wait)
        backoff.waited += wait
        backoff.sleep(wait)
    raise SpotifyError(status, f"{message} (gave up after {backoff.retries} retries)")


def pages(session, first: dict, key: str | None = None, backoff: Backoff | None = None) -> Iterator[dict]:
    """Items of a paging object and of every page after it (``next`` links). ``key`` names the
    paging object inside the answer (search answers wrap it: ``{"playlists": {...}}``)."""
    page = first[key] if key else first
    while page:
        for item in page.get("items") or ():
            if item is not None:  # search answers may hold null entries
                yield item
        if not page.get("next"):
            return
        answer = call(session.next, page, backoff=backoff)
        page = (answer or {}).get(key) if key else answer


def find_playlists(session, word: str, max_count: int = 1000, backoff: Backoff | None = None
                   ) -> Iterator[dict]:
    """Playlists found by searching ``word`` (50 per page; Spotify stops paging at offset 1,000).
    A 404 ends the word quietly."""
    try:
        first = call(session.search, word, limit=50, type="playlist", backoff=backoff)
        for count, playlist in enumerate(pages(session, first, "playlists", backoff)):
            if count >= max_count:
                return
            yield playlist
    except SpotifyError as err:
        if err.status != 404:
            raise


def words_of(name: str) -> list[str]:
    from gensim.utils import tokenize

    return list(tokenize(name, lowercase=True))


def crawl_playlists(session, folder: str | Path, target: int, first_word: str = "a",
                    max_per_word: int = 1000, backoff: Backoff | None = None,
                    progress: Callable | None = None) -> int:
    """Collect ``target`` playlists into ``folder/playlists.ndjson`` by snowballing search words:
    search the most common word (in the names found so far) not searched yet. Resumable.
    Returns the number of playlists stored."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    store, state_path = folder / "playlists.ndjson", folder / "crawl_state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {"words_done": []}
    seen, counts = set(), Counter({first_word: 1})
    if store.exists():
        for line in store.read_text().splitlines():
            playlist = json.loads(line)
            seen.add(playlist["id"])
            counts.update(words_of(playlist["name"]))
    done = set(state["words_done"])
    with open(store, "a") as out:
        while len(seen) < target:
            word = next((w for w, _ in counts.most_common() if w not in done), None)
            if word is None:
                break  # no unsearched words left
            for playlist in find_playlists(session, word, max_per_word, backoff):
                owner = (playlist.get("owner") or {}).get("id")
                if not playlist.get("name") or not owner or playlist["id"] in seen:
                    continue
                out.write(json.dumps({"id": playlist["id"], "name": playlist["name"],
                                      "owner": owner}) + "\n")
                seen.add(playlist["id"])
                counts.update(words_of(playlist["name"]))
                if len(seen) >= target:
                    break
            out.flush()
            done.add(word)
            state["words_done"] = sorted(done)
            state_path.write_text(json.dumps(state))
            if progress:
                progress(word, len(seen))
    return len(seen)


def playlist_tracks(session, playlist_id: str, backoff: Backoff | None = None) -> Iterator[dict]:
    """The tracks of one playlist (id, name, artists, duration), page after page."""
    first = call(session.playlist_items, playlist_id, fields=TRACK_FIELDS,
                 additional_types=("track",), backoff=backoff)
    for item in pages(session, first, None, backoff):
        track = item.get("track")
        if track and track.get("id"):
            yield track


def crawl_tracks(session, folder: str | Path, backoff: Backoff | None = None, limit: int | None = None,
                 track=lambda it, **kw: it) -> dict:
    """For every stored playlist not done yet: its tracks into ``songs.db`` (id, name, first
    artist) and one line of space-separated track ids into ``songs_ids.txt``. Committed after
    each playlist, so the crawl can stop and continue. Returns counts."""
    folder = Path(folder)
    playlists = [json.loads(line) for line in (folder / "playlists.ndjson").read_text().splitlines()]
    db = sqlite3.connect(folder / "songs.db")
    db.execute("CREATE TABLE IF NOT EXISTS songs (id TEXT PRIMARY KEY, name TEXT, artist TEXT)")
    db.execute("CREATE INDEX IF NOT EXISTS name_idx ON songs(name)")
    db.execute("CREATE TABLE IF NOT EXISTS done (playlist TEXT PRIMARY KEY, tracks INTEGER)")
    finished = {row[0] for row in db.execute("SELECT playlist FROM done")}
    todo = [p for p in playlists if p["id"] not in finished][:limit]
    report = {"playlists": 0, "tracks": 0, "missing": 0}
    with open(folder / "songs_ids.txt", "a") as lines:
        for playlist in track(todo, desc="playlists", unit="playlist"):
            try:
                tracks = list(playlist_tracks(session, playlist["id"], backoff))
            except SpotifyError as err:
                if err.status not in (403, 404):
                    raise
                tracks = []
                report["missing"] += 1
            db.executemany("INSERT OR IGNORE INTO songs VALUES (?, ?, ?)",
                           [(t["id"], t["name"], (t.get("artists") or [{}])[0].get("name", ""))
                            for t in tracks])
            if tracks:
                lines.write(" ".join(t["id"] for t in tracks) + "\n")
                lines.flush()
            db.execute("INSERT INTO done VALUES (?, ?)", (playlist["id"], len(tracks)))
            db.commit()
            report["playlists"] += 1
            report["tracks"] += len(tracks)
    db.close()
    return report
