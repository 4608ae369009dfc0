"""The chapter 1 online clients against cookbook.loopback: success, paging and failure modes."""

from __future__ import annotations

import json

import pytest

from cookbook import credentials
from cookbook.loopback import Route, serve
from cookbook.online import twitter

TWEETS = twitter.archive_to_v2([
    {"id_str": str(1000 + i), "text": f"tweet number {i} about {'taxes' if i % 2 else 'jobs'}",
     "created_at": "Sun Jun 18 11:02:04 +0000 2017"} for i in range(250)])


# ----------------------------------------------------------------------------------- X / Twitter

def test_archive_to_v2_converts_the_old_date_format():
    tweet = TWEETS[0]
    assert tweet["id"] == "1000" and tweet["text"].startswith("tweet number 0")
    assert tweet["created_at"] == "2017-06-18T11:02:04.000Z"


def test_search_recent_follows_next_token_across_pages():
    with serve({"/2/tweets/search/recent": twitter.loopback_search_route(TWEETS)}) as server:
        got = twitter.search_recent("jobs", max_results=110, bearer_token="t",
                                    base_url=server.url("/2"))
        assert len(got) == 110
        assert all("jobs" in t["text"] for t in got)
        assert len({t["id"] for t in got}) == 110  # pages do not repeat tweets
        assert len(server.requests) == 2 and "next_token=100" in server.requests[1]


def test_search_recent_stops_when_results_run_out():
    with serve({"/2/tweets/search/recent": twitter.loopback_search_route(TWEETS[:30])}) as server:
        got = twitter.search_recent("taxes", max_results=50, bearer_token="t",
                                    base_url=server.url("/2"))
        assert len(got) == 15 and len(server.requests) == 1


def test_search_recent_without_token_raises_missing_credentials(monkeypatch, tmp_path):
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    monkeypatch.setenv("DLCB_CREDENTIALS", str(tmp_path / "none.env"))
    with pytest.raises(credentials.MissingCredentials, match="X_BEARER_TOKEN"):
        twitter.search_recent("cats", base_url="http://127.0.0.1:9")


def test_search_recent_explains_http_errors():
    unauthorized = json.dumps({"title": "Unauthorized", "type": "about:blank", "status": 401,
                               "detail": "Unauthorized"}).encode()
    routes = {"/bad/tweets/search/recent": Route(unauthorized, status=401,
                                                 content_type="application/json"),
              "/slow/tweets/search/recent": Route(b"{}", status=429,
                                                  headers={"x-rate-limit-reset": "1700000000"})}
    with serve(routes) as server:
        with pytest.raises(twitter.XApiError, match="401.*revoked") as err:
            twitter.search_recent("x", bearer_token="t", base_url=server.url("/bad"))
        assert err.value.status == 401
        with pytest.raises(twitter.XApiError, match="429.*1700000000"):
            twitter.search_recent("x", bearer_token="t", base_url=server.url("/slow"))


def test_search_recent_reports_an_unreachable_server():
    with pytest.raises(twitter.XApiError, match="could not reach"):
        twitter.search_recent("x", bearer_token="t", base_url="http://127.0.0.1:9/2", timeout=2)
