"""Trained models in ``zoo/NN/`` with a JSON model card beside each one.

A card records what the model was trained on and how well it did, so that a reader who loads it
instead of training knows what they hold::

    {"chapter": 5, "recipe": "5.2", "model": "shakespeare_char_lstm", "mode": "full",
     "data": {"source": "...", "chars": 5400000},
     "trained": {"epochs": 10, "seconds": 1234.5, "hardware": "2 CPU cores", "date": "2026-11-29"},
     "metrics": {"val_accuracy": 0.61}, "baseline": {"val_accuracy": 0.17}}
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from pathlib import Path
from typing import Any, Mapping

from . import paths

CARD_KEYS = ("chapter", "recipe", "model", "mode", "data", "trained", "metrics", "baseline")


class ZooError(RuntimeError):
    """A zoo model is missing, or its card does not match what the notebook expects."""


def zoo_dir(chapter: int) -> Path:
    root = Path(os.environ.get("DLCB_ZOO", paths.ZOO_DIR))
    return root / f"{int(chapter):02d}"


def model_path(chapter: int, name: str, suffix: str = ".keras") -> Path:
    return zoo_dir(chapter) / f"{name}{suffix}"


def card_path(chapter: int, name: str) -> Path:
    return zoo_dir(chapter) / f"{name}.json"


def hardware() -> str:
    """A short description of where training ran (CPU count, GPU if TensorFlow sees one)."""
    desc = f"{os.cpu_count()} CPU cores ({platform.machine()})"
    try:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            desc += f" + {len(gpus)} GPU"
    except Exception:  # TensorFlow is optional for cards of non-Keras models
        pass
    return desc


def make_card(*, chapter: int, recipe: str, model: str, mode: str, data: Mapping[str, Any],
              epochs: int | None, seconds: float | None, metrics: Mapping[str, Any],
              baseline: Mapping[str, Any] | None = None, **extra: Any) -> dict:
    card = {
        "chapter": int(chapter), "recipe": str(recipe), "model": model, "mode": mode,
        "data": dict(data),
        "trained": {"epochs": epochs, "seconds": None if seconds is None else round(seconds, 1),
                    "hardware": hardware(), "date": _dt.date.today().isoformat()},
        "metrics": _plain(metrics), "baseline": _plain(baseline or {}),
    }
    card.update(_plain(extra))
    return card


def _plain(value: Any) -> Any:
    """numpy scalars and arrays -> JSON-friendly Python values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, float):
        return round(value, 6)
    return value


def write_card(chapter: int, name: str, card: Mapping[str, Any]) -> Path:
    missing = [k for k in CARD_KEYS if k not in card]
    if missing:
        raise ZooError(f"model card for {name} lacks {missing}")
    path = card_path(chapter, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, path)
    return path


def read_card(chapter: int, name: str) -> dict:
    path = card_path(chapter, name)
    if not path.exists():
        raise ZooError(f"no model card {path}; train the model (RETRAIN=1) to create it")
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise ZooError(f"model card {path} is not valid JSON: {err}") from None


def check_card(card: Mapping[str, Any], expect: Mapping[str, Any], where: str = "") -> None:
    """Raise ZooError when the card disagrees with what the loading notebook expects."""
    wrong = {k: (card.get(k), v) for k, v in expect.items() if card.get(k) != v}
    if wrong:
        detail = ", ".join(f"{k}: card has {got!r}, expected {want!r}" for k, (got, want) in wrong.items())
        raise ZooError(f"model card {where} does not match: {detail}")


def save_keras(model, chapter: int, name: str, card: Mapping[str, Any]) -> Path:
    """Save a Keras model as ``zoo/NN/name.keras`` plus its card (model first, card last, so a
    card never describes a model that failed to save).

    The file holds the architecture and weights only: no optimizer state (which would triple
    the size and which a reader loading the model has no use for) and no compile settings.
    Those go in the card (``compile``), and :func:`load_keras` compiles from them, so that
    loading never meets an optimizer whose saved variables do not match."""
    path = model_path(chapter, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".part.keras")
    compile_config = model.get_compile_config() if getattr(model, "compiled", False) else {}
    state = (getattr(model, "compiled", False), getattr(model, "optimizer", None))
    try:
        model.compiled, model.optimizer = False, None
        model.save(tmp)
    finally:
        model.compiled, model.optimizer = state
    os.replace(tmp, path)
    extra = {"compile": _plain(compile_config)} if compile_config else {}
    write_card(chapter, name, {**card, **extra, "file": path.name})
    return path


def load_keras(chapter: int, name: str, expect: Mapping[str, Any] | None = None,
               custom_objects: Mapping[str, Any] | None = None, compile: bool = True):
    """Load ``zoo/NN/name.keras`` after checking its card; returns ``(model, card)``. The model
    comes back compiled with the card's settings (a fresh optimizer) unless ``compile=False``."""
    import keras

    card = read_card(chapter, name)
    check_card(card, {"chapter": int(chapter), "model": name, **(expect or {})},
               where=str(card_path(chapter, name)))
    path = model_path(chapter, name)
    if not path.exists():
        raise ZooError(f"card found but model file {path} is missing")
    objects = dict(custom_objects or {})
    model = keras.models.load_model(path, custom_objects=objects, compile=False)
    if compile and card.get("compile"):
        with keras.saving.custom_object_scope(objects):
            model.compile_from_config(card["compile"])
    return model, card


def available(chapter: int, name: str) -> bool:
    return model_path(chapter, name).exists() and card_path(chapter, name).exists()
