"""Every committed zoo model loads in a fresh process without a warning from Keras' loader
(no stale optimizer state, no missing custom objects) and comes back compiled from its card."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CARDS = sorted((ROOT / "zoo").glob("[0-9][0-9]/*.json"))
# Models with custom layers name the function that supplies them.
CUSTOM_OBJECTS = {"qa_matcher": "cookbook.text.qa_matching:custom_objects"}

LOADER = r"""
import importlib, json, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
from cookbook import zoo
chapter, name, custom = int(sys.argv[1]), sys.argv[2], sys.argv[3]
objects = {}
if custom:
    module, func = custom.split(":")
    objects = getattr(importlib.import_module(module), func)()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model, card = zoo.load_keras(chapter, name, custom_objects=objects)
keras_warnings = [str(w.message) for w in caught if "keras" in (w.filename or "")]
print(json.dumps({"warnings": keras_warnings, "compiled": bool(model.compiled),
                  "has_compile": bool(card.get("compile")), "params": int(model.count_params())}))
"""


@pytest.mark.parametrize("card_path", CARDS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_zoo_model_loads_silently_in_a_fresh_process(card_path):
    card = json.loads(card_path.read_text())
    if not card.get("file", "").endswith(".keras"):
        pytest.skip("not a Keras model")
    out = subprocess.run([sys.executable, "-c", LOADER, str(card["chapter"]), card["model"],
                          CUSTOM_OBJECTS.get(card["model"], "")],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["warnings"] == [], result["warnings"]
    assert "Skipping variable loading" not in out.stderr
    assert result["compiled"] == result["has_compile"]
    assert result["params"] > 0
