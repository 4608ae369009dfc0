"""Offline image data for chapters 9-12: the photo collection, Quick Draw, batched embedding."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from cookbook.vision import embed, images, quickdraw

pytestmark = pytest.mark.registry


def test_photo_collection_holds_real_rgb_pictures_with_sources():
    photos = images.photo_collection()
    assert len(photos) >= 35
    assert len({p.name for p in photos}) == len(photos)
    for p in photos:
        assert p.image.dtype == np.uint8 and p.image.ndim == 3 and p.image.shape[2] == 3, p.name
        assert min(p.image.shape[:2]) >= 100 and p.image.std() > 5, p.name  # a picture, not a blank
        assert p.source and p.license, p.name
    assert {"chelsea", "grace_hopper", "dog", "scream", "cat", "florence"} <= {p.name for p in photos}


def test_load_rgb_refuses_a_file_that_is_not_an_image(tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"<html>404 not found</html>")
    with pytest.raises(images.ImageFileError, match="broken.jpg"):
        images.load_rgb(bad)


def test_quickdraw_has_345_categories_of_100_drawings():
    names = quickdraw.categories()
    assert len(names) == 345 and {"cat", "dog", "The Mona Lisa"} <= set(names)
    drawings, labels, cats = quickdraw.load_drawings(["cat", "dog"], per_category=30)
    assert drawings.shape == (60, 28, 28) and drawings.dtype == np.uint8
    assert list(np.bincount(labels)) == [30, 30] and cats == ["cat", "dog"]
    ink = (drawings > 128).mean()
    assert 0.05 < ink < 0.4  # strokes on an empty page


def test_quickdraw_rejects_a_malformed_file(tmp_path):
    with gzip.open(tmp_path / "bad.ndjson.gz", "wt") as handle:
        handle.write("[0.0, 1.0]\n")
    with pytest.raises(quickdraw.DrawingFileError, match="784"):
        quickdraw.read_category("bad", tmp_path)
    with pytest.raises(quickdraw.DrawingFileError, match="no Quick Draw category"):
        quickdraw.read_category("unicorn-cat", tmp_path)


def test_to_rgb_makes_black_ink_on_white_paper():
    drawing = np.zeros((1, 28, 28), np.uint8)
    drawing[0, 10:18, 14] = 255
    rgb = quickdraw.to_rgb(drawing, size=56)
    assert rgb.shape == (1, 56, 56, 3)
    assert rgb[0, 0, 0, 0] == 255 and rgb[0, 28, 26:32].min() < 150


def test_embedder_batches_match_single_calls():
    import keras

    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(inputs)))
    x = np.random.default_rng(1).integers(0, 255, (5, 8, 8, 3)).astype(np.uint8)
    batched = embed.Embedder(model, lambda b: b.astype(np.float32) / 255, batch_size=2)(x)
    single = np.concatenate([np.asarray(model(x[i:i + 1].astype(np.float32) / 255)) for i in range(5)])
    assert batched.shape == (5, 4) and np.allclose(batched, single, atol=1e-5)
    assert embed.Embedder(model, lambda b: b)(np.zeros((0, 8, 8, 3))).shape == (0, 4)
    unit = embed.l2_normalise(batched)
    assert np.allclose(np.linalg.norm(unit, axis=1), 1)
