"""Notebook setup: version checks (the environment the notebooks were tested with), seeds, and
quiet logging. Call :func:`setup` in each notebook's first code cell."""

from __future__ import annotations

import os
import sys

# Versions the notebooks were written and tested against (requirements.txt pins the exact ones).
MIN_VERSIONS = {"tensorflow": (2, 21), "keras": (3, 12), "numpy": (2, 0), "gensim": (4, 3),
                "sklearn": (1, 5), "pandas": (2, 2)}


def _version_tuple(text: str) -> tuple[int, ...]:
    out = []
    for part in text.split(".")[:2]:
        digits = "".join(ch for ch in part if ch.isdigit())
        out.append(int(digits or 0))
    return tuple(out)


def check_versions(packages=("tensorflow", "keras", "numpy")) -> dict[str, str]:
    """Fail early, with a clear message, on an environment older than the tested one."""
    import importlib

    if sys.version_info[:2] < (3, 11):
        raise RuntimeError(f"Python 3.11 is required, this is {sys.version.split()[0]}")
    found = {"python": sys.version.split()[0]}
    for name in packages:
        module = importlib.import_module(name)
        found[name] = module.__version__
        if name in MIN_VERSIONS and _version_tuple(module.__version__) < MIN_VERSIONS[name]:
            want = ".".join(map(str, MIN_VERSIONS[name]))
            raise RuntimeError(f"{name} {module.__version__} is older than {want}: "
                               "run `make venv` (or pip install -r requirements.txt)")
    return found


def setup(seed: int = 42, packages=("tensorflow", "keras", "numpy")) -> dict[str, str]:
    """Quiet TensorFlow's C++ logging, check versions, seed Python/NumPy/TF; return versions."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    versions = check_versions(packages)
    if "keras" in packages:
        import keras

        keras.utils.set_random_seed(seed)
    else:
        import random

        import numpy as np

        random.seed(seed)
        np.random.seed(seed)
    try:
        import tensorflow as tf

        versions["gpu"] = str(len(tf.config.list_physical_devices("GPU")))
    except ImportError:
        pass
    return versions
