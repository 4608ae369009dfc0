"""Flickr's REST API: search photos (``flickr.photos.search``) and download them.

Every call needs an API key (``cookbook.credentials.get('flickr')``). Flickr answers HTTP 200 even
for errors and signals them inside the JSON (``"stat": "fail"``), so :func:`search_photos`
checks ``stat``. Photos are then fetched from the static server in a chosen size: start with
small ones (``'q'`` = 150x150 square, ``'n'`` = 320 px) while experimenting.

Offline, :mod:`cookbook.fixtures.flickr` answers in this real format and
:mod:`cookbook.fixtures.flickr_static` serves the book repository's real cat photos as the images.
"""

from __future__ import annotations

from typing import Mapping

from .. import credentials
from . import USER_AGENT

REST_URL = "https://api.flickr.com/services/rest/"
STATIC_URL = "https://live.staticflickr.com"
# Creative Commons licence ids in the Flickr API: 4 = CC BY 2.0, 5 = BY-SA, 9 = CC0, 10 = PDM
REUSABLE_LICENSES = "4,5,9,10"


class FlickrError(RuntimeError):
    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


def api_key_from_credentials() -> str:
    return credentials.get("flickr")["FLICKR_API_KEY"]


def search_photos(text: str, per_page: int = 20, page: int = 1, api_key: str | None = None,
                  license: str = REUSABLE_LICENSES, base_url: str = REST_URL,
                  timeout: float = 30.0, session=None) -> list[dict]:
    """Photos matching ``text`` (only re-usable licences by default), as Flickr's photo dicts
    (``id``, ``secret``, ``server``, ``title``, ...)."""
    import requests

    key = api_key or api_key_from_credentials()
    http = session or requests.Session()
    params = {"method": "flickr.photos.search", "api_key": key, "text": text,
              "per_page": per_page, "page": page, "license": license, "content_type": 1,
              "sort": "relevance", "format": "json", "nojsoncallback": 1}
    try:
        response = http.get(base_url, params=params, timeout=timeout,
                            headers={"User-Agent": USER_AGENT})
    except requests.RequestException as err:
        raise FlickrError(f"could not reach {base_url}: {type(err).__name__}: {err}") from err
    if response.status_code != 200:
        raise FlickrError(f"Flickr answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise FlickrError("Flickr answered with something that is not JSON "
                          "(did the request lose nojsoncallback=1?)") from None
    if body.get("stat") != "ok":
        raise FlickrError(f"Flickr error {body.get('code')}: {body.get('message')}",
                          code=body.get("code"))
    return body["photos"]["photo"]


def photo_url(photo: Mapping, size: str = "q", static_url: str = STATIC_URL) -> str:
    """The documented URL scheme: {server}/{id}_{secret}_{size}.jpg."""
    return f"{static_url.rstrip('/')}/{photo['server']}/{photo['id']}_{photo['secret']}_{size}.jpg"


def download_photo(photo: Mapping, size: str = "q", static_url: str = STATIC_URL,
                   timeout: float = 30.0, session=None) -> bytes:
    """The JPEG bytes of one photo; checks that a complete JPEG arrived."""
    import requests

    http = session or requests.Session()
    url = photo_url(photo, size, static_url)
    try:
        response = http.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT})
    except requests.RequestException as err:
        raise FlickrError(f"could not download {url}: {type(err).__name__}") from err
    if response.status_code != 200:
        raise FlickrError(f"photo {photo['id']}: HTTP {response.status_code} for {url}")
    data = response.content
    if not (data.startswith(b"\xff\xd8") and data.rstrip(b"\0").endswith(b"\xff\xd9")):
        raise FlickrError(f"photo {photo['id']}: not a complete JPEG ({len(data)} bytes)")
    return data
