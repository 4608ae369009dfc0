import json

import numpy as np
import pytest

from cookbook import metrics, zoo


@pytest.fixture(autouse=True)
def temp_zoo(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCB_ZOO", str(tmp_path / "zoo"))
    monkeypatch.setenv("DLCB_GENERATED", str(tmp_path / "generated"))


def tiny_model():
    import keras

    inputs = keras.Input(shape=(4,))
    outputs = keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(8, activation="relu")(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def card(**overrides):
    base = dict(chapter=1, recipe="1.1", model="tiny", mode="smoke",
                data={"source": "unit test", "rows": 10}, epochs=1, seconds=0.5,
                metrics={"accuracy": np.float32(0.5)}, baseline={"accuracy": 0.33})
    base.update(overrides)
    return zoo.make_card(**base)


def test_round_trip_keeps_weights_and_card():
    model = tiny_model()
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    path = zoo.save_keras(model, 1, "tiny", card())
    assert path.name == "tiny.keras" and path.exists()
    loaded, saved_card = zoo.load_keras(1, "tiny", expect={"mode": "smoke"})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5)
    assert saved_card["metrics"]["accuracy"] == pytest.approx(0.5)
    assert saved_card["trained"]["hardware"] and saved_card["trained"]["date"]
    assert set(zoo.CARD_KEYS) <= set(saved_card)
    json.dumps(saved_card)  # numpy values were converted


def test_card_mismatch_is_refused():
    zoo.save_keras(tiny_model(), 1, "tiny", card())
    with pytest.raises(zoo.ZooError, match="mode"):
        zoo.load_keras(1, "tiny", expect={"mode": "full"})


def test_missing_model_and_broken_card_are_clear_errors():
    with pytest.raises(zoo.ZooError, match="RETRAIN"):
        zoo.load_keras(1, "absent")
    zoo.write_card(1, "broken", card(model="broken"))
    with pytest.raises(zoo.ZooError, match="missing"):
        zoo.load_keras(1, "broken")
    zoo.card_path(1, "garbled").write_text("{not json")
    with pytest.raises(zoo.ZooError, match="not valid JSON"):
        zoo.read_card(1, "garbled")


def test_incomplete_card_is_rejected():
    with pytest.raises(zoo.ZooError, match="lacks"):
        zoo.write_card(1, "x", {"chapter": 1})


def test_metrics_reset_and_record():
    metrics.reset(7, "smoke")
    metrics.record(7, accuracy=np.float64(0.25), table=[{"model": "nb", "acc": np.float32(0.5)}])
    data = metrics.load(7)
    assert data["mode"] == "smoke" and data["accuracy"] == 0.25
    assert data["table"][0]["acc"] == pytest.approx(0.5)
    metrics.reset(7, "full")
    assert "accuracy" not in metrics.load(7)
