"""A small client for the X (formerly Twitter) API v2 recent-search endpoint.

The book listened to Twitter's free v1.1 *sample stream* (about 1% of all public tweets). That
stream no longer exists: v1.1 was retired in 2023 and every X API tier that can read tweets is now
paid. The nearest current equivalent is ``GET /2/tweets/search/recent`` with a bearer token,
which is what this module calls. Tweets come back as dicts with at least ``'id'`` and ``'text'``.

Offline, :func:`archive_to_v2` turns the real tweets of the book's ``condensed_2017.json`` (Trump
Twitter Archive format) into the same dicts, and :func:`loopback_search_route` serves them in the
API's real response shape (``data`` + ``meta.next_token`` pages), so the client's HTTP, paging
and error handling run for real against :mod:`cookbook.loopback`.
"""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from typing import Iterable, Sequence

from .. import credentials
from . import USER_AGENT


API_BASE = "https://api.x.com/2"
SEARCH_PATH = "/tweets/search/recent"
PAGE_MIN, PAGE_MAX = 10, 100  # the API rejects max_results outside 10..100 per page


class XApiError(RuntimeError):
    """The X API answered with an error; ``status`` is the HTTP status (None for bad JSON)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def bearer_token_from_credentials() -> str:
    """The bearer token from ``cookbook.credentials`` (raises MissingCredentials without one)."""
    return credentials.get("x")["X_BEARER_TOKEN"]


def search_recent(query: str, max_results: int = 10, bearer_token: str | None = None,
                  base_url: str = API_BASE, tweet_fields: Sequence[str] = ("created_at", "lang"),
                  timeout: float = 30.0, session=None) -> list[dict]:
    """Return up to ``max_results`` tweets of the last 7 days matching ``query``.

    Pages through ``meta.next_token`` until enough tweets arrived or the results run out.
    Raises MissingCredentials when no token is given or configured, XApiError on HTTP errors
    (with the API's own explanation and, for 429, when the rate limit resets).
    """
    if max_results < 1:
        raise ValueError("max_results must be at least 1")
    token = bearer_token or bearer_token_from_credentials()
    import requests

    http = session or requests.Session()
    url = base_url.rstrip("/") + SEARCH_PATH
    headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
    tweets: list[dict] = []
    next_token = None
    while len(tweets) < max_results:
        # ask for at least 10 (the API's minimum) and at most 100 per page
        page_size = min(PAGE_MAX, max(PAGE_MIN, max_results - len(tweets)))
        params = {"query": query, "max_results": page_size}
        if tweet_fields:
            params["tweet.fields"] = ",".join(tweet_fields)
        if next_token:
            params["next_token"] = next_token
        try:
            response = http.get(url, params=params, headers=headers, timeout=timeout)
        except requests.RequestException as err:
            raise XApiError(f"could not reach {url}: {type(err).__name__}: {err}") from err
        body = _check(response)
        tweets.extend(body.get("data", []))
        next_token = body.get("meta", {}).get("next_token")
        if not next_token:
            break
    return tweets[:max_results]


def _check(response) -> dict:
    """Return the decoded JSON body, or raise XApiError explaining what went wrong."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200:
        detail = ""
        if isinstance(body, dict):
            detail = body.get("detail") or body.get("title") or ""
        hint = {401: "the bearer token is missing, wrong or revoked",
                403: "this token's access level does not include this endpoint (X API is paid)",
                429: "rate limit reached"}.get(response.status_code, "")
        if response.status_code == 429 and response.headers.get("x-rate-limit-reset"):
            hint += f"; it resets at epoch second {response.headers['x-rate-limit-reset']}"
        raise XApiError(f"X API answered HTTP {response.status_code}"
                        + (f": {detail}" if detail else "") + (f" ({hint})" if hint else ""),
                        status=response.status_code)
    if not isinstance(body, dict):
        raise XApiError("X API answered 200 but the body is not a JSON object", status=200)
    if "errors" in body and "data" not in body:  # v2 reports query problems inside a 200
        first = body["errors"][0]
        raise XApiError(f"X API error: {first.get('detail') or first.get('title') or first}",
                        status=200)
    return body


# --------------------------------------------------------------------------------------------
# offline: the book repository's real tweets, in the v2 shape


def archive_to_v2(records: Iterable[dict]) -> list[dict]:
    """Convert Trump Twitter Archive records (``id_str``, ``text``, ``created_at`` in Twitter's
    old ``Sun Jun 18 11:02:04 +0000 2017`` format) into v2 tweet dicts."""
    tweets = []
    for rec in records:
        tweet = {"id": str(rec["id_str"]), "text": rec["text"],
                 "edit_history_tweet_ids": [str(rec["id_str"])]}
        if rec.get("created_at"):
            when = parsedate_to_datetime(rec["created_at"])
            tweet["created_at"] = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        tweets.append(tweet)
    return tweets


def load_archive(path) -> list[dict]:
    """Read a Trump-Twitter-Archive JSON file (e.g. ``acquire.fetch('condensed_2017.json')``)
    and return its tweets as v2 dicts."""
    with open(path, encoding="utf-8") as handle:
        return archive_to_v2(json.load(handle))


def search_page(tweets: Sequence[dict], page_size: int, token: str | None) -> dict:
    """One page of a v2 search answer over ``tweets``: ``data`` plus ``meta`` (with
    ``next_token`` when more remain). The token is simply the start offset, as a string."""
    start = int(token) if token else 0
    chunk = list(tweets[start:start + page_size])
    meta = {"result_count": len(chunk)}
    if chunk:
        meta["newest_id"], meta["oldest_id"] = chunk[0]["id"], chunk[-1]["id"]
    if start + page_size < len(tweets):
        meta["next_token"] = str(start + page_size)
    return ({"data": chunk, "meta": meta} if chunk else {"meta": meta})


def loopback_search_route(tweets: Sequence[dict]):
    """A :class:`cookbook.loopback.Route` answering ``/tweets/search/recent`` in the real API's
    shape: pages of ``max_results`` with ``meta.next_token``, and the API's 400 answer for a
    page size outside 10..100. (The loopback handler sees only path and query, so it cannot
    check the bearer token; a 401 is produced in the tests with a plain status Route.)
    Matching is a case-insensitive all-words substring test, simpler than X's query language."""
    from ..fixtures.loopback import Route

    def handle(path: str, query: dict) -> Route:
        words = query.get("query", [""])[0].lower().split()
        size = int(query.get("max_results", ["10"])[0])
        if not PAGE_MIN <= size <= PAGE_MAX:
            body = {"errors": [{"parameters": {"max_results": [str(size)]},
                                "message": "The `max_results` query parameter value is not "
                                           "between 10 and 100"}],
                    "title": "Invalid Request", "detail": "One or more parameters to your "
                    "request was invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"}
            return Route(json.dumps(body).encode(), status=400, content_type="application/json")
        hits = [t for t in tweets if all(w in t["text"].lower() for w in words)]
        page = search_page(hits, size, query.get("next_token", [None])[0])
        return Route(json.dumps(page).encode(), content_type="application/json")

    return Route(handler=handle)
