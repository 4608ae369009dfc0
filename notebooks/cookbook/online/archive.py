"""The Internet Archive (archive.org): find items, list their files, download one.

Three public endpoints, no key needed for reading:

* ``/advancedsearch.php?q=...&fl[]=identifier&output=json``: search items (Solr-style answer);
* ``/metadata/<identifier>``: an item's metadata and its file list (name, size, md5, format);
* ``/download/<identifier>/<file>``: the file itself.

The book points at the Archive for Reddit comments and the Stack Exchange dumps (item
``stackexchange``, used in chapter 6). :func:`download_file` checks size and MD5 against the
metadata so that a cut-off transfer is never mistaken for the file. The ``internetarchive``
package wraps the same endpoints; this module uses ``requests`` directly so it can take a
``base_url`` (a local stand-in: :mod:`cookbook.fixtures.archive`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from . import USER_AGENT

BASE_URL = "https://archive.org"


class ArchiveError(RuntimeError):
    pass


def _get(url: str, session=None, timeout: float = 60.0, **kwargs):
    import requests

    http = session or requests.Session()
    try:
        response = http.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT}, **kwargs)
    except requests.RequestException as err:
        raise ArchiveError(f"could not reach {url}: {type(err).__name__}: {err}") from err
    if response.status_code != 200:
        raise ArchiveError(f"archive.org answered HTTP {response.status_code} for {url}")
    return response


def search(query: str, fields=("identifier", "title"), rows: int = 50, page: int = 1,
           base_url: str = BASE_URL, session=None) -> list[dict]:
    """Items matching a search (e.g. ``'collection:stackexchange'``)."""
    params = {"q": query, "fl[]": list(fields), "rows": rows, "page": page, "output": "json"}
    body = _get(base_url.rstrip("/") + "/advancedsearch.php", session, params=params).json()
    return body["response"]["docs"]


def item_files(identifier: str, base_url: str = BASE_URL, session=None) -> list[dict]:
    """The files of an item, from its metadata (name, size in bytes as a string, md5, format)."""
    body = _get(f"{base_url.rstrip('/')}/metadata/{identifier}", session).json()
    if not body:  # the API answers {} for an identifier that does not exist
        raise ArchiveError(f"no archive.org item {identifier!r}")
    return body.get("files", [])


def download_file(identifier: str, name: str, dest_dir, base_url: str = BASE_URL,
                  session=None, files: list[dict] | None = None) -> Path:
    """Download one file of an item into ``dest_dir``, verified against the item's listed size
    and MD5, written to a temporary name and renamed only when complete."""
    listing = {f["name"]: f for f in (files if files is not None
                                      else item_files(identifier, base_url, session))}
    if name not in listing:
        raise ArchiveError(f"item {identifier!r} has no file {name!r}; it has: "
                           + ", ".join(sorted(listing)[:10]))
    meta = listing[name]
    url = f"{base_url.rstrip('/')}/download/{identifier}/{name}"
    response = _get(url, session, stream=True)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.md5(), 0
    fd, tmp = tempfile.mkstemp(prefix=name + ".", suffix=".part", dir=dest_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                for chunk in response.iter_content(1 << 16):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            except Exception as err:  # requests raises ChunkedEncodingError/ProtocolError
                raise ArchiveError(f"transfer of {name} broke off after {size} bytes: "
                                   f"{type(err).__name__}") from err
        if "size" in meta and size != int(meta["size"]):
            raise ArchiveError(f"{name}: got {size} bytes, the item lists {meta['size']}")
        if "md5" in meta and digest.hexdigest() != meta["md5"]:
            raise ArchiveError(f"{name}: MD5 {digest.hexdigest()} differs from the listed {meta['md5']}")
        final = dest_dir / name
        os.replace(tmp, final)
        return final
    finally:
        Path(tmp).unlink(missing_ok=True)
