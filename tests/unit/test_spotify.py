"""Chapter 15's Spotify client (cookbook.online.spotify) against the Web API stand-in
(cookbook.fixtures.spotify): credentials, paging, rate-limit back-off, errors, resumable crawls."""

from __future__ import annotations

import json
import sqlite3

import pytest

from cookbook import credentials, fixtures
from cookbook.fixtures import spotify as standin
from cookbook.fixtures.loopback import Route, serve
from cookbook.online import spotify


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.delenv("DLCB_ONLINE", raising=False)
    monkeypatch.delenv("SPOTIFY_CLIENT_ID", raising=False)
    monkeypatch.delenv("SPOTIFY_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("DLCB_CREDENTIALS", str(tmp_path / "none.env"))


def _server(**kw):
    return serve(standin.routes(**kw)).__enter__()


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def test_real_service_without_keys_says_what_to_set():
    with pytest.raises(credentials.MissingCredentials, match="SPOTIFY_CLIENT_ID.*SPOTIFY_CLIENT_SECRET"):
        spotify.connect(spotify.REAL_BASE_URL)


def test_online_switch_returns_the_real_address(monkeypatch):
    monkeypatch.setenv("DLCB_ONLINE", "1")
    assert fixtures.standin("spotify") == spotify.REAL_BASE_URL


def test_keys_from_the_environment_are_sent_for_the_token(monkeypatch):
    monkeypatch.setenv("SPOTIFY_CLIENT_ID", "abc")
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "xyz")
    server = _server()
    session = spotify.connect(server.base_url)
    assert session.auth_manager.client_id == "abc"
    assert session.search("a", limit=1, type="playlist")["playlists"]["total"] > 0
    assert "/api/token" in server.requests[0]
    server.__exit__()


def test_search_pages_through_every_result():
    server = _server(playlists=standin.sample_playlists(600))
    session = spotify.connect(server.base_url)
    first = session.search("a", limit=50, type="playlist")["playlists"]
    found = list(spotify.find_playlists(session, "a"))
    assert first["total"] > 50  # more than one page
    assert len(found) == first["total"] == len({p["id"] for p in found})
    assert sum("/v1/search" in r for r in server.requests) == 1 + -(-first["total"] // 50)
    assert len(list(spotify.find_playlists(session, "a", max_count=7))) == 7
    server.__exit__()


def test_playlist_items_page_and_unknown_playlist_is_404():
    lists = standin.sample_playlists(40)
    long_one = next(p for p in lists if len(p["tracks"]) > 100)
    server = _server(playlists=lists)
    session = spotify.connect(server.base_url)
    tracks = list(spotify.playlist_tracks(session, long_one["id"]))
    assert len(tracks) == len(long_one["tracks"])
    assert {"id", "name", "artists"} <= set(tracks[0])
    with pytest.raises(spotify.SpotifyError, match="404") as err:
        list(spotify.playlist_tracks(session, "0000000000000000000000"))
    assert err.value.status == 404
    server.__exit__()


def test_rate_limit_waits_for_retry_after_and_completes():
    lists = standin.sample_playlists(600)
    server = _server(playlists=lists, rate_limit_every=2, retry_after=7)
    session = spotify.connect(server.base_url)
    sleeps = Sleeps()
    backoff = spotify.Backoff(sleep=sleeps)
    found = list(spotify.find_playlists(session, "a", backoff=backoff))
    plain = list(spotify.find_playlists(spotify.connect(_server(playlists=lists).base_url), "a"))
    assert len(plain) > 100
    assert [p["id"] for p in found] == [p["id"] for p in plain]
    assert backoff.rate_limited >= 1 and sleeps and set(sleeps) == {7.0}
    server.__exit__()


def test_persistent_rate_limit_gives_up_with_a_clear_error():
    server = _server(rate_limit_every=1)
    session = spotify.connect(server.base_url)
    sleeps = Sleeps()
    with pytest.raises(spotify.SpotifyError, match="429.*gave up after 2 retries"):
        spotify.call(session.search, "a", type="playlist", backoff=spotify.Backoff(retries=2, sleep=sleeps))
    assert len(sleeps) == 2
    server.__exit__()


def test_bad_request_fails_at_once_without_retries():
    server = _server()
    session = spotify.connect(server.base_url)
    sleeps = Sleeps()
    with pytest.raises(spotify.SpotifyError, match="400: No search query"):
        spotify.call(session.search, "", type="playlist", backoff=spotify.Backoff(sleep=sleeps))
    assert sleeps == []
    server.__exit__()


def test_server_errors_are_retried_with_growing_waits():
    answers = iter([Route(b'{"error": {"status": 502, "message": "Bad gateway"}}', status=502,
                          content_type="application/json")] * 2)
    ok = standin.routes()["/v1/search"]

    def flaky(path, query):
        return next(answers, None) or ok.handler(path, query)

    routes = {**standin.routes(), "/v1/search": Route(handler=flaky)}
    with serve(routes) as server:
        sleeps = Sleeps()
        session = spotify.connect(server.base_url)
        got = spotify.call(session.search, "a", type="playlist", backoff=spotify.Backoff(sleep=sleeps))
    assert got["playlists"]["total"] > 0
    assert sleeps == [0.2, 0.4]


def test_crawl_is_resumable_and_keeps_repeated_tracks(tmp_path):
    server = _server(playlists=standin.sample_playlists(120))
    session = spotify.connect(server.base_url)
    assert spotify.crawl_playlists(session, tmp_path, target=20) == 20
    assert spotify.crawl_playlists(session, tmp_path, target=45) == 45
    stored = [json.loads(l) for l in (tmp_path / "playlists.ndjson").read_text().splitlines()]
    assert len(stored) == len({p["id"] for p in stored}) == 45
    words = json.loads((tmp_path / "crawl_state.json").read_text())["words_done"]
    assert words[0] == "a" or "a" in words
    first = spotify.crawl_tracks(session, tmp_path, limit=10)
    rest = spotify.crawl_tracks(session, tmp_path)
    assert first["playlists"] == 10 and rest["playlists"] == 35
    assert spotify.crawl_tracks(session, tmp_path)["playlists"] == 0
    lines = (tmp_path / "songs_ids.txt").read_text().splitlines()
    assert len(lines) == 45
    by_id = {p["id"]: p for p in standin.sample_playlists(120)}
    assert sum(len(l.split()) for l in lines) == sum(len(by_id[p["id"]]["tracks"]) for p in stored)
    with sqlite3.connect(tmp_path / "songs.db") as db:
        songs = db.execute("SELECT COUNT(*) FROM songs").fetchone()[0]
    assert songs == len({t for l in lines for t in l.split()})
    server.__exit__()
