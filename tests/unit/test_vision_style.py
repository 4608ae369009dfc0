"""Chapter 12's image-optimisation plumbing (cookbook.vision.optimise): fast, no backbone."""

import numpy as np
import pytest

from cookbook.vision import optimise


def test_model_space_round_trip():
    img = np.random.default_rng(0).integers(0, 256, (10, 12, 3), dtype=np.uint8)
    x = optimise.to_model(img)
    assert x.shape == (1, 10, 12, 3) and x.dtype == np.float32
    assert optimise.LOW <= x.min() and x.max() <= optimise.HIGH
    assert np.array_equal(optimise.to_uint8(x), img)
    with pytest.raises(optimise.ImageSizeError):
        optimise.to_model(np.zeros((10, 12), np.uint8))


def test_crop_and_resize():
    img = np.zeros((100, 200, 3), np.uint8)
    assert optimise.crop_border(img, 0.05).shape == (90, 180, 3)
    assert optimise.resize_short_side(img, 50).shape == (50, 100, 3)
    with pytest.raises(ValueError):
        optimise.crop_border(img, 0.6)
    with pytest.raises(optimise.ImageSizeError):
        optimise.resize(img, 4, 4)


def test_octaves_and_pyramid():
    assert optimise.octave_shapes(140, 280, 3, 1.4) == [(71, 143), (100, 200), (140, 280)]
    assert optimise.pyramid_shapes(224) == [7, 14, 28, 56, 112, 224]
    levels = optimise.pyramid_init(28, seed=1)
    x = optimise.pyramid_image(levels, 28).numpy()
    assert x.shape == (1, 28, 28, 3) and np.abs(x).max() < 1
    # the colour matrix's columns have norm at most 1
    assert np.linalg.norm(optimise.COLOR_CORRELATION, axis=0).max() == pytest.approx(1.0)


def test_strip_and_gif(tmp_path):
    a, b = np.zeros((8, 10, 3), np.uint8), np.full((8, 6, 3), 200, np.uint8)
    s = optimise.strip([a, b], gap=2)
    assert s.shape == (8, 18, 3) and s[0, 10, 0] == 255
    with pytest.raises(optimise.ImageSizeError):
        optimise.strip([a, np.zeros((9, 4, 3), np.uint8)])
    c = np.full((8, 6, 3), 90, np.uint8)
    path = optimise.save_gif([a[:, :6], b, c], tmp_path / "x.gif")
    from PIL import Image
    with Image.open(path) as gif:
        assert gif.n_frames == 4  # there and back
    with pytest.raises(ValueError):
        optimise.save_gif([a], tmp_path / "y.gif")
