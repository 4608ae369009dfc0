"""A small client for the X (formerly Twitter) API v2 recent-search endpoint.

The book listened to Twitter's free v1.1 *sample stream* (about 1% of all public tweets). That
stream no longer exists: v1.1 was retired in 2023 and every X API tier that can read tweets is now
paid. The nearest current equivalent is ``GET /2/tweets/search/recent`` with a bearer token,
which is what this module calls. Tweets come back as dicts with at least ``'id'`` and ``'text'``.

Offline, :mod:`cookbook.fixtures.twitter` serves the real tweets of the book repository's
``condensed_2017.json`` in the API's response shape (``data`` + ``meta.next_token`` pages), so
the client's HTTP, paging and error handling run unchanged.
"""

from __future__ import annotations

from typing import Sequence

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
