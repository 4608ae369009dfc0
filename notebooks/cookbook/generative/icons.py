"""Chapter 14's icon plumbing: list the SVGs, rasterise them to small grey bitmaps (cached),
and find each generated sample's nearest training icon (is it a copy?).

Bitmaps hold *ink*: 1.0 where the icon is drawn, 0.0 on the (white) background."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np

from .. import acquire, paths


def list_svgs(folder: str | Path) -> list[Path]:
    """The ``*.svg`` files of ``folder``, sorted by name; a clear error if there are none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"icon folder {paths.shown(folder)} does not exist")
    found = sorted(folder.glob("*.svg"))
    if not found:
        raise FileNotFoundError(f"no .svg files in {paths.shown(folder)}")
    return found


def rasterise_one(svg: bytes | str, size: int = 32) -> np.ndarray:
    """One SVG (its text) drawn by cairosvg at ``size``×``size``, on white, as ink in [0, 1]."""
    import cairosvg
    from PIL import Image

    data = svg.encode() if isinstance(svg, str) else svg
    try:
        png = cairosvg.svg2png(bytestring=data, output_width=size, output_height=size)
    except Exception as err:  # cairosvg raises XML and parser errors of several types
        raise ValueError(f"cannot rasterise this SVG: {err}") from err
    rgba = Image.open(io.BytesIO(png)).convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = np.asarray(Image.alpha_composite(white, rgba).convert("L"), dtype=np.float32)
    return 1.0 - grey / 255.0


def rasterise(files: list[Path], size: int = 32, cache: bool = True) -> np.ndarray:
    """``(n, size, size)`` ink bitmaps for ``files``, cached under the download cache keyed by
    the file names and size (the first run rasterises, later runs load)."""
    key = hashlib.sha256(("|".join(f.name for f in files) + f"@{size}").encode()).hexdigest()[:16]
    target = paths.cache_dir() / "generated" / "ch14" / f"icons_{len(files)}_{size}_{key}.npy"
    if cache and target.is_file():
        return np.load(target)
    out = np.stack([rasterise_one(f.read_bytes(), size)
                    for f in acquire.track(files, "rasterising", unit="icon")])
    if cache:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part.npy")
        np.save(tmp, out)
        tmp.replace(target)
    return out


def nearest(samples: np.ndarray, pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each sample, the index of the closest ``pool`` bitmap and the mean absolute pixel
    difference to it (0 = an exact copy)."""
    a = samples.reshape(len(samples), -1).astype(np.float32)
    b = pool.reshape(len(pool), -1).astype(np.float32)
    d2 = (a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None, :] - 2 * a @ b.T
    idx = d2.argmin(axis=1)
    mad = np.abs(a - b[idx]).mean(axis=1)
    return idx, mad


def grid(images: np.ndarray, cols: int = 10, pad: int = 1) -> np.ndarray:
    """Tile ``(n, h, w)`` bitmaps into one array for ``imshow`` (ink dark on white)."""
    n, h, w = images.shape[:3]
    rows = -(-n // cols)
    out = np.ones((rows * (h + pad) + pad, cols * (w + pad) + pad), dtype=np.float32)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        out[pad + r * (h + pad):pad + r * (h + pad) + h,
            pad + c * (w + pad):pad + c * (w + pad) + w] = 1.0 - np.clip(img.reshape(h, w), 0, 1)
    return out


def choose(files: list[Path], n: int, seed: int = 14) -> list[Path]:
    """``n`` of ``files`` picked at random (``seed`` fixes which), kept in name order: the same
    icons wherever a notebook or a script asks for them; all of them when ``n`` ≥ their count.
    Split in that order, the held-out icons are the last by name, so they tend to come from
    other icon families than the training icons (a harder test than a shuffled split)."""
    picked = np.random.default_rng(seed).choice(len(files), size=min(n, len(files)), replace=False)
    return [files[i] for i in sorted(picked)]


def split(x: np.ndarray, train_fraction: float = 0.85) -> tuple[np.ndarray, np.ndarray]:
    """The first ``train_fraction`` of ``x`` to train on, the rest held out."""
    cut = int(train_fraction * len(x))
    return x[:cut], x[cut:]
