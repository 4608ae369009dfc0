"""Plumbing for chapter 12, where the *input image* is what gets optimised.

The recipes' ideas (the losses, the gradient steps) live in the notebook; this module holds the
parts that every such recipe repeats: moving images between uint8 RGB and the network's input
scale, cutting a frame off a painting and matching sizes, a model that returns several layers'
activations at once, the octave sizes of deep dream, the Laplacian-pyramid and colour-decorrelated
image parameterisation used for class visualisation, and writing a strip or an animated GIF.

Images in "model space" are float32 arrays in ``(x - 127) / 128`` (EfficientNet-Lite0's scale),
so the valid range is ``[LOW, HIGH]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

LOW, HIGH = -127.0 / 128.0, 128.0 / 128.0

# Lucid's colour correlation matrix for ImageNet (square root of the RGB covariance), scaled so
# its largest column norm is 1: a "decorrelated" image parameter is multiplied by it.
_COLOR_CORRELATION = np.array([[0.26, 0.09, 0.02],
                               [0.27, 0.00, -0.05],
                               [0.27, -0.09, 0.03]], np.float32)
COLOR_CORRELATION = _COLOR_CORRELATION / np.max(np.linalg.norm(_COLOR_CORRELATION, axis=0))


class ImageSizeError(ValueError):
    """An image too small (or of the wrong shape) for the requested operation."""


def to_model(image: np.ndarray) -> np.ndarray:
    """uint8 RGB (h, w, 3) -> a batch of one (1, h, w, 3) in model space."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ImageSizeError(f"expected an RGB image (h, w, 3), got shape {image.shape}")
    return ((image.astype(np.float32) - 127.0) / 128.0)[None]


def to_uint8(x) -> np.ndarray:
    """Model space (1, h, w, 3) or (h, w, 3) -> uint8 RGB (h, w, 3), clipped."""
    x = np.asarray(x, np.float32)
    if x.ndim == 4:
        x = x[0]
    return np.clip(x * 128.0 + 127.0, 0, 255).round().astype(np.uint8)


def crop_border(image: np.ndarray, fraction: float = 0.03) -> np.ndarray:
    """Cut ``fraction`` of the height and width off every side (a painting's frame)."""
    if not 0 <= fraction < 0.5:
        raise ValueError(f"fraction must be in [0, 0.5), got {fraction}")
    h, w = image.shape[:2]
    dy, dx = int(round(h * fraction)), int(round(w * fraction))
    return image[dy:h - dy, dx:w - dx]


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """uint8 RGB -> (height, width, 3), bicubic."""
    from PIL import Image

    if width < 8 or height < 8:
        raise ImageSizeError(f"target size {width}x{height} is too small")
    return np.asarray(Image.fromarray(np.asarray(image)).resize((int(width), int(height)),
                                                                Image.Resampling.BICUBIC))


def resize_short_side(image: np.ndarray, short: int) -> np.ndarray:
    """Scale so that the shorter side is ``short`` pixels, keeping the aspect ratio."""
    h, w = image.shape[:2]
    scale = short / min(h, w)
    return resize(image, max(8, round(w * scale)), max(8, round(h * scale)))


def layer_model(model, layer_names: str | Sequence[str]):
    """A model from ``model``'s input to the outputs of ``layer_names`` (a list, in order), or
    to one layer's output when given a single name. It takes a plain tensor as input."""
    import keras

    if isinstance(layer_names, str):
        if layer_names not in {l.name for l in model.layers}:
            raise KeyError(f"{model.name} has no layer {layer_names!r}")
        return keras.Model(model.inputs[0], model.get_layer(layer_names).output,
                           name=f"{model.name}_{layer_names}")
    missing = [n for n in layer_names if n not in {l.name for l in model.layers}]
    if missing:
        raise KeyError(f"{model.name} has no layer(s) {missing}")
    return keras.Model(model.inputs[0], [model.get_layer(n).output for n in layer_names],
                       name=f"{model.name}_taps")


def octave_shapes(height: int, width: int, octaves: int, scale: float) -> list[tuple[int, int]]:
    """Deep dream's image sizes, smallest first, ending at (height, width)."""
    if octaves < 1 or scale <= 1:
        raise ValueError("need octaves >= 1 and scale > 1")
    shapes = [(max(16, round(height / scale ** i)), max(16, round(width / scale ** i)))
              for i in range(octaves)]
    return shapes[::-1]


def pyramid_shapes(size: int, smallest: int = 7) -> list[int]:
    """Side lengths of a Laplacian pyramid parameterisation: smallest, 2x, 4x, ... up to size."""
    sides, side = [], size
    while side >= smallest:
        sides.append(side)
        side //= 2
    return sides[::-1]


def pyramid_init(size: int, scale: float = 0.01, seed: int = 0, smallest: int = 7):
    """Trainable tensors, one per pyramid level (1, s, s, 3), small random values."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    return [tf.Variable(rng.normal(0, scale, (1, s, s, 3)).astype(np.float32))
            for s in pyramid_shapes(size, smallest)]


def pyramid_image(levels, size: int, decorrelate: bool = True):
    """Sum the upsampled pyramid levels, optionally mix colours with the ImageNet colour
    correlation, and squash into model space with ``tanh``: (1, size, size, 3)."""
    import tensorflow as tf

    x = tf.add_n([tf.image.resize(level, (size, size), method="bilinear") for level in levels])
    if decorrelate:
        x = tf.einsum("bhwc,dc->bhwd", x, tf.constant(COLOR_CORRELATION))
    return tf.tanh(x)


def strip(images: Sequence[np.ndarray], gap: int = 4) -> np.ndarray:
    """Same-height uint8 images side by side with a white gap."""
    if not images:
        raise ValueError("no images")
    h = images[0].shape[0]
    if any(im.shape[0] != h for im in images):
        raise ImageSizeError("all images in a strip need the same height")
    white = np.full((h, gap, 3), 255, np.uint8)
    parts = []
    for im in images:
        parts += [im, white]
    return np.concatenate(parts[:-1], axis=1)


def save_gif(frames: Sequence[np.ndarray], path: str | Path, ms_per_frame: int = 400) -> Path:
    """Write uint8 frames as a looping animated GIF (there and back)."""
    from PIL import Image

    if len(frames) < 2:
        raise ValueError("an animation needs at least two frames")
    frames = list(frames) + list(frames[-2:0:-1])
    pictures = [Image.fromarray(np.asarray(f)) for f in frames]
    path = Path(path)
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=ms_per_frame, loop=0)
    return path
