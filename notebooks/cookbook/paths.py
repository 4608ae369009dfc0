"""Where things live. Every location can be overridden by an environment variable so that
notebooks, tests and CI agree without hard-coded absolute paths."""

from __future__ import annotations

import os
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
NOTEBOOKS_DIR = PACKAGE_DIR.parent
REPO_ROOT = NOTEBOOKS_DIR.parent

DATA_DIR = REPO_ROOT / "data"
ZOO_DIR = REPO_ROOT / "zoo"

# A chapter notebook is NN_title.ipynb; a chapter told in two notebooks adds a letter to the
# second one's key (16_… and 16b_…), which names its metrics file and its test (test_ch16b.py).
NOTEBOOK_KEY = r"\d\d[a-z]?"
NOTEBOOK_NAME = re.compile(rf"^({NOTEBOOK_KEY})_\w+\.ipynb$")


def notebook_key(chapter: int | str) -> str:
    """``5`` -> ``"05"``; ``"16b"`` stays ``"16b"``."""
    text = str(chapter)
    key = f"{int(text):02d}" if text.isdigit() else text
    if not re.fullmatch(NOTEBOOK_KEY, key):
        raise ValueError(f"not a chapter number or part key like '16b': {chapter!r}")
    return key


def chapter_number(chapter: int | str) -> int:
    """The book's chapter number of a notebook key: ``"16b"`` -> 16."""
    return int(notebook_key(chapter)[:2])


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
