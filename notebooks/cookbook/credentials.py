"""Optional API credentials (Flickr, X/Twitter, Spotify, ...).

Keys come from environment variables or from a git-ignored ``credentials.env`` file at the
repository root (``NAME=value`` lines). Nothing is ever hard-coded. A notebook asks with
:func:`get` and falls back to its offline path on :class:`MissingCredentials`.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import paths

# service -> environment variables it needs
SERVICES = {
    "flickr": ("FLICKR_API_KEY", "FLICKR_API_SECRET"),
    "x": ("X_BEARER_TOKEN",),
    "spotify": ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"),
}


class MissingCredentials(RuntimeError):
    """The service's keys are not configured; the message says how to set them."""


def credentials_file() -> Path:
    return Path(os.environ.get("DLCB_CREDENTIALS", paths.REPO_ROOT / "credentials.env"))


def _from_file() -> dict[str, str]:
    path = credentials_file()
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ValueError(f"{path}:{number}: expected NAME=value, got {line[:40]!r}")
        name, value = line.split("=", 1)
        values[name.strip()] = value.strip().strip("'\"")
    return values


def get(service: str) -> dict[str, str]:
    """Return the service's keys, or raise MissingCredentials naming the variables to set."""
    if service not in SERVICES:
        raise KeyError(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
    names = SERVICES[service]
    stored = _from_file()
    found = {n: os.environ.get(n) or stored.get(n) for n in names}
    missing = [n for n, v in found.items() if not v]
    if missing:
        raise MissingCredentials(
            f"No {service} credentials: set {', '.join(missing)} in the environment or in "
            f"{credentials_file().name} (git-ignored). The notebook continues on its offline data.")
    return {n: v for n, v in found.items() if v}


def have(service: str) -> bool:
    try:
        get(service)
        return True
    except MissingCredentials:
        return False
