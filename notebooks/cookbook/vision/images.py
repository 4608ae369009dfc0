"""Real photos and paintings that are available offline, with where each comes from.

The book collects its pictures from Flickr and Wikipedia. Offline we draw on the pictures that
ship inside packages we install anyway or fetch from a registry: scikit-image's and
scikit-learn's sample photos, matplotlib's portrait of Grace Hopper, the photos of Debian's
``darknet`` package, and the book repository's own photos and paintings (via the mirror).
:func:`photo_collection` returns them all as :class:`Photo` records; :func:`load_rgb` opens any
image file as RGB and refuses files that are not images with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# scikit-image's bundled pictures (no download needed)
SKIMAGE_PHOTOS = {
    "astronaut": "public domain (NASA)", "chelsea": "CC0", "coffee": "CC0",
    "rocket": "public domain (SpaceX)",
    **{name: "see its skimage.data docstring" for name in (
        "camera", "coins", "hubble_deep_field", "immunohistochemistry", "moon",
        "retina", "grass", "gravel", "brick", "page", "text", "horse", "clock")},
}


class ImageFileError(ValueError):
    """A file that should be an image could not be decoded."""


@dataclass(frozen=True)
class Photo:
    name: str
    image: np.ndarray  # H x W x 3 uint8 RGB
    source: str
    license: str


def load_rgb(path: str | Path) -> np.ndarray:
    """Any image file -> H x W x 3 uint8 RGB; :class:`ImageFileError` if it is not an image."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return np.asarray(img.convert("RGB"))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as err:
        raise ImageFileError(f"{Path(path).name} is not a readable image: {err}") from None


def as_rgb(image: np.ndarray) -> np.ndarray:
    """Grey or RGBA arrays -> RGB uint8 (floats in [0, 1] are scaled to 0..255)."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        image = np.clip(image * (255 if image.max() <= 1.0 else 1), 0, 255).astype(np.uint8)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    return image[..., :3]


def skimage_photos(names=None) -> list[Photo]:
    import skimage.data

    out = []
    for name in names or SKIMAGE_PHOTOS:
        out.append(Photo(name, as_rgb(getattr(skimage.data, name)()),
                         "scikit-image sample data", SKIMAGE_PHOTOS[name]))
    return out


def sklearn_photos() -> list[Photo]:
    from sklearn.datasets import load_sample_images

    bunch = load_sample_images()
    return [Photo(Path(f).stem, img, "scikit-learn sample images", "CC BY 2.0")
            for f, img in zip(bunch.filenames, bunch.images)]


def registry_photos(names) -> list[Photo]:
    """Registered image resources (``cookbook.acquire``) as photos."""
    from .. import acquire

    out = []
    for name in names:
        resource = acquire.get(name)
        out.append(Photo(Path(resource.filename).stem, load_rgb(acquire.fetch(name)),
                         resource.description, resource.license))
    return out


def photo_collection() -> list[Photo]:
    """Every offline photo and painting: scikit-image, scikit-learn, matplotlib (Grace Hopper),
    the darknet samples and the book repository's pictures."""
    from ..datasets import ch09, common

    book = ["cat.jpg", "cat_dog.jpg"] + [f"style-{n.rsplit('.', 1)[0]}"
                                         for n in common.STYLE_TRANSFER_FILES]
    return (skimage_photos() + sklearn_photos()
            + registry_photos(["grace-hopper-photo", *ch09.DARKNET_PHOTOS, *book]))
