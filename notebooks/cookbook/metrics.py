"""Per-notebook results: ``generated/metrics/NN.json``. Notebooks call :func:`record`; the notebook
tests read the file back and check it against honest thresholds."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import paths
from .zoo import _plain


def metrics_path(chapter: int | str) -> Path:
    """``NN.json`` for chapter NN; a chapter in two notebooks keys its second part ``"16b"``."""
    return paths.generated_dir("metrics") / f"{paths.notebook_key(chapter)}.json"


def reset(chapter: int | str, mode: str) -> Path:
    """Start a fresh metrics file at the top of a notebook, so stale numbers never pass a test."""
    path = metrics_path(chapter)
    _write(path, {"chapter": paths.chapter_number(chapter), "mode": mode})
    return path


def record(chapter: int | str, **values: Any) -> dict:
    """Merge ``values`` into the chapter's metrics file and return the whole record."""
    path = metrics_path(chapter)
    data = load(chapter) if path.exists() else {"chapter": paths.chapter_number(chapter)}
    data.update(_plain(values))
    _write(path, data)
    return data


def load(chapter: int | str) -> dict:
    path = metrics_path(chapter)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run notebook {paths.notebook_key(chapter)} first")
    return json.loads(path.read_text())


def _write(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


CLOSING_COLUMNS = ("recipe", "the book's figure", "this notebook (offline data)", "why they differ")


def closing_table(rows, chapter: int | None = None):
    """The table every notebook ends with: one row per compared result, as
    ``(recipe, book's figure with its source, this run's figure, why they differ)``. Pass this
    run's numbers (not typed-in copies) as the third column. With ``chapter`` the rows are also
    recorded (``closing_table``) so the tests can check the table is complete. Returns a
    left-aligned pandas Styler that renders as a table in Jupyter and on GitHub."""
    import pandas as pd

    rows = [tuple(str(cell) for cell in row) for row in rows]
    bad = [row for row in rows if len(row) != len(CLOSING_COLUMNS)]
    if bad:
        raise ValueError(f"each row needs {len(CLOSING_COLUMNS)} cells {CLOSING_COLUMNS}: {bad[0]}")
    frame = pd.DataFrame(rows, columns=list(CLOSING_COLUMNS))
    if chapter is not None:
        record(chapter, closing_table=[list(row) for row in rows])
    return ClosingTable(frame)


class ClosingTable:
    """A table that shows as left-aligned HTML in Jupyter and as plain text in a log, with
    nothing in either that changes from run to run (no object addresses, fixed style ids)."""

    def __init__(self, frame):
        self.frame = frame

    def _repr_html_(self) -> str:
        styler = (self.frame.style.hide(axis="index")
                  .set_uuid("closing")
                  .set_properties(**{"text-align": "left", "vertical-align": "top"})
                  .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}]))
        return styler.to_html()

    def __repr__(self) -> str:
        return self.frame.to_string(index=False, max_colwidth=60)
