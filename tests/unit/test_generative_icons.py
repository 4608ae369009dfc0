"""Chapter 14's helpers: rasterising, scanline tokens (round trip), nearest neighbours, the GAN
train step."""

import numpy as np
import pytest

from cookbook.generative import icons, scanlines

SQUARE = ('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">'
          '<rect x="4" y="4" width="16" height="16" fill="none" stroke="black" stroke-width="2"/>'
          '</svg>')


def test_rasterise_draws_ink_on_white():
    img = icons.rasterise_one(SQUARE, size=32)
    assert img.shape == (32, 32) and img.dtype == np.float32
    assert img[16, 16] < 0.05 and img[0, 0] < 0.05  # inside and outside the frame: blank
    assert img[16, 5] > 0.5                          # on the left edge: ink
    with pytest.raises(ValueError):
        icons.rasterise_one("<svg not really", size=32)


def test_list_svgs_errors_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="no .svg"):
        icons.list_svgs(tmp_path)


def test_scanline_round_trip():
    rng = np.random.default_rng(0)
    bitmap = (rng.random((32, 32)) > 0.7).astype(np.float32)
    tokens = scanlines.encode(bitmap)
    assert tokens[-1] == scanlines.end(32) and tokens.count(32) == 32
    assert len(tokens) == int(bitmap.sum()) + 33
    np.testing.assert_array_equal(scanlines.decode(tokens), bitmap)
    square = icons.rasterise_one(SQUARE) >= 0.5
    np.testing.assert_array_equal(scanlines.decode(scanlines.encode(square)), square)
    with pytest.raises(ValueError):
        scanlines.decode([40])
    with pytest.raises(ValueError):
        scanlines.encode(np.zeros((4, 5)))


def test_windows_and_bigram_baseline():
    stream = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], dtype=np.int32)
    x, y = scanlines.windows(stream, 3)
    assert x.shape == (7, 3) and list(y[:2]) == [0, 1]
    assert scanlines.bigram_accuracy(stream, stream, 3) == 1.0


def test_nearest_finds_copies():
    pool = np.random.default_rng(1).random((20, 8, 8)).astype(np.float32)
    idx, mad = icons.nearest(pool[[3, 7]], pool)
    assert list(idx) == [3, 7] and np.allclose(mad, 0, atol=1e-6)
    assert icons.grid(pool[:5], cols=3).shape == (2 * 9 + 1, 3 * 9 + 1)


def test_gan_train_step_runs():
    import keras
    from cookbook.generative import gan

    g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="sigmoid"),
                          keras.layers.Reshape((4, 4, 1))])
    d = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                          keras.layers.Dense(1, activation="sigmoid")])
    model = gan.GAN(g, d, latent_dim=4)
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    hist = model.fit(np.random.rand(32, 4, 4, 1).astype("float32"), epochs=1, batch_size=16,
                     verbose=0)
    assert set(hist.history) >= {"d_loss", "g_loss", "d_real", "d_fake"}


def test_choose_and_split_are_fixed_by_the_seed():
    from pathlib import Path

    files = [Path(f"{i:03d}.svg") for i in range(50)]
    a, b = icons.choose(files, 20, seed=14), icons.choose(files, 20, seed=14)
    assert a == b and len(set(a)) == 20 and a == sorted(a)
    assert icons.choose(files, 20, seed=15) != a
    assert sorted(icons.choose(files, 999)) == files
    x = np.arange(20)
    train, held = icons.split(x, 0.85)
    assert list(train) == list(range(17)) and list(held) == [17, 18, 19]
