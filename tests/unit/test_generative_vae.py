"""The VAE and conditional VAE: losses have the right form, training lowers them, save/load works."""

import numpy as np
import keras
import pytest

from cookbook.generative.vae import VAE, ConditionalVAE, Sampling, kl_loss, reconstruction_loss


def _halves(latent=2, cond=0):
    x = keras.Input((8, 8, 1))
    inputs = [x]
    h = keras.layers.Flatten()(x)
    if cond:
        y = keras.Input((cond,))
        inputs.append(y)
        h = keras.layers.Concatenate()([h, y])
    h = keras.layers.Dense(16, activation="relu")(h)
    enc = keras.Model(inputs if cond else x, [keras.layers.Dense(latent)(h), keras.layers.Dense(latent)(h)])
    z = keras.Input((latent,))
    dins = [z]
    g = z
    if cond:
        yy = keras.Input((cond,))
        dins.append(yy)
        g = keras.layers.Concatenate()([z, yy])
    g = keras.layers.Dense(64, activation="sigmoid")(keras.layers.Dense(16, activation="relu")(g))
    dec = keras.Model(dins if cond else z, keras.layers.Reshape((8, 8, 1))(g))
    return enc, dec


def _data(n=256):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    x = np.zeros((n, 8, 8, 1), "float32")
    x[y == 0, :, :4] = 1.0
    x[y == 1, :, 4:] = 1.0
    return x, keras.utils.to_categorical(y, 2).astype("float32")


def test_loss_terms_match_numpy():
    x = np.array([[1.0, 0.0, 1.0, 0.0]], "float32")
    p = np.array([[0.9, 0.2, 0.6, 0.5]], "float32")
    want = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p))
    assert float(reconstruction_loss(x, p)) == pytest.approx(want, rel=1e-5)
    assert float(kl_loss(np.zeros((3, 2), "float32"), np.zeros((3, 2), "float32"))) == pytest.approx(0.0)
    assert float(kl_loss(np.ones((1, 2), "float32"), np.zeros((1, 2), "float32"))) == pytest.approx(1.0)


def test_sampling_uses_the_variance():
    z = keras.ops.convert_to_numpy(Sampling()([np.zeros((4000, 1), "float32"),
                                               np.full((4000, 1), np.log(4.0), "float32")]))
    assert 1.8 < z.std() < 2.2


def test_vae_trains_and_round_trips(tmp_path):
    x, _ = _data()
    vae = VAE(*_halves(), beta=1.0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-2))
    hist = vae.fit(x, epochs=15, batch_size=32, verbose=0).history
    assert set(hist) >= {"loss", "reconstruction_loss", "kl_loss"}
    assert hist["loss"][-1] < hist["loss"][0] * 0.7
    path = tmp_path / "vae.keras"
    vae.save(path)
    again = keras.saving.load_model(path, compile=False)
    assert isinstance(again, VAE) and again.beta == 1.0
    np.testing.assert_allclose(again.decoder.predict(np.zeros((2, 2)), verbose=0),
                               vae.decoder.predict(np.zeros((2, 2)), verbose=0), atol=1e-6)


def test_conditional_vae_generates_the_requested_class():
    keras.utils.set_random_seed(3)  # a 20-epoch toy fit: fix its start so the check is repeatable
    x, y = _data()
    cvae = ConditionalVAE(*_halves(cond=2))
    cvae.compile(optimizer=keras.optimizers.Adam(1e-2))
    hist = cvae.fit(x, y, epochs=20, batch_size=32, verbose=0).history
    assert hist["loss"][-1] < hist["loss"][0]
    out = cvae.generate(np.eye(2, dtype="float32")[[0, 0, 1, 1]])
    left, right = out[..., :4, 0].mean(axis=(1, 2)), out[..., 4:, 0].mean(axis=(1, 2))
    assert (left[:2] > right[:2]).all() and (right[2:] > left[2:]).all()


def test_digit_helpers(tmp_path):
    import json

    from cookbook.generative import digits

    for d in range(10):
        (tmp_path / f"{d}.json").write_text(json.dumps({"data": [d / 10] * (784 * 2)}))
    x, y = digits.load_digits(tmp_path)
    assert x.shape == (20, 28, 28) and sorted(set(y)) == list(range(10))
    (tmp_path / "3.json").write_text(json.dumps({"data": [0.0] * 100}))
    with pytest.raises(digits.DigitFileError):
        digits.load_digits(tmp_path)
    assert digits.pad(np.ones((1, 28, 28))).sum() == 784
    assert digits.entropy_floor(np.array([0.0, 1.0])) < 1e-5
    assert digits.entropy_floor(np.array([0.5])) == pytest.approx(np.log(2))
    d = digits.nearest_distances(np.zeros((1, 2, 2)), np.stack([np.ones((2, 2)), np.full((2, 2), 0.5)]))
    assert d[0] == pytest.approx(1.0)
    assert digits.grid(np.zeros((6, 3, 3)), 2, 3).shape == (6, 9)



LOADER = r"""
import sys
from cookbook import zoo
for name in sys.argv[1:]:
    model, card = zoo.load_keras(1, name)
    print(name, type(model).__name__, len(model.inputs), card["beta"], card["history"]["loss"][0] > 0)
"""


def test_zoo_bundle_loads_without_this_module_and_rebuilds_the_vae(tmp_path, monkeypatch):
    """The zoo copy is a plain functional model: a fresh process loads it without importing
    cookbook.generative; ``load_from_zoo`` turns it back into the same (conditional) VAE."""
    import os
    import subprocess
    import sys

    from cookbook.generative import vae as vaes

    monkeypatch.setenv("DLCB_ZOO", str(tmp_path))
    x, y = _data()
    keras.utils.set_random_seed(0)
    models = {}
    for cond in (0, 2):
        model = (ConditionalVAE if cond else VAE)(*_halves(cond=cond), beta=0.5)
        model.compile(optimizer=keras.optimizers.Adam(1e-2))
        hist = model.fit(*((x, y) if cond else (x,)), epochs=2, batch_size=64, verbose=0).history
        models[f"toy_vae_{cond}"] = model
        vaes.save_to_zoo(model, 1, f"toy_vae_{cond}", recipe="13.4", data={"toy": True}, epochs=2,
                         seconds=1.0, history=hist, metrics={}, baseline={})
    out = subprocess.run([sys.executable, "-c", LOADER, *models], capture_output=True, text=True,
                         env={**os.environ, "DLCB_ZOO": str(tmp_path)}, timeout=180)
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.split() == ["toy_vae_0", "Functional", "1", "0.5", "True",
                                  "toy_vae_2", "Functional", "2", "0.5", "True"]
    for name, model in models.items():
        cond = name.endswith("2")
        again, card = vaes.load_from_zoo(1, name)
        assert type(again) is type(model) and again.beta == 0.5 and card["model"] == name
        z = np.zeros((3, 2), "float32")
        dec_in = [z, y[:3]] if cond else z
        np.testing.assert_allclose(again.decoder(dec_in), model.decoder(dec_in), atol=1e-6)
        scores = again.evaluate(*((x, y) if cond else (x,)), batch_size=64, return_dict=True, verbose=0)
        assert scores["loss"] == pytest.approx(scores["reconstruction_loss"] + 0.5 * scores["kl_loss"],
                                               rel=1e-3)
