"""Where things live. Every location can be overridden by an environment variable so that
notebooks, tests and CI agree without hard-coded absolute paths."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
NOTEBOOKS_DIR = PACKAGE_DIR.parent
REPO_ROOT = NOTEBOOKS_DIR.parent

DATA_DIR = REPO_ROOT / "data"
ZOO_DIR = REPO_ROOT / "zoo"


def generated_dir(*parts: str) -> Path:
    """A folder under ``generated/`` (git-ignored), created on demand."""
    base = Path(os.environ.get("DLCB_GENERATED", REPO_ROOT / "generated"))
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """The download cache: ``$DLCB_CACHE`` or the user's cache folder (``~/.cache/dl-cookbook``)."""
    env = os.environ.get("DLCB_CACHE")
    if env:
        path = Path(env)
    else:
        import pooch

        path = Path(pooch.os_cache("dl-cookbook"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def mirror_dir() -> Path | None:
    """The offline mirror of the original repository's small files (``$DLCB_MIRROR``), if any."""
    env = os.environ.get("DLCB_MIRROR")
    if env and Path(env).is_dir():
        return Path(env)
    return None


def shown(path: str | os.PathLike) -> str:
    """A path as a reader should see it in printed output: relative to the repository when it
    lies inside it, under ``~`` when in the home folder, and as ``<cache>/…`` inside the data
    cache, never as this machine's absolute path."""
    path = Path(path)
    for base, label in ((REPO_ROOT, ""), (cache_dir(), "<cache>/"), (Path.home(), "~/")):
        try:
            rel = path.resolve().relative_to(base.resolve())
        except (ValueError, OSError):
            continue
        return f"{label}{rel.as_posix()}" if label else rel.as_posix()
    return path.name if path.is_absolute() else path.as_posix()
