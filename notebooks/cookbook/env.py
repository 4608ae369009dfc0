"""Notebook setup: version checks (the environment the notebooks were tested with), seeds, and
quiet logging. Call :func:`setup` in each notebook's first code cell."""

from __future__ import annotations

import contextlib
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


def quiet_tensorflow() -> None:
    """Import TensorFlow without its start-up chatter.

    TensorFlow's C++ core writes a dozen lines straight to file descriptor 2 when it loads and
    when it first looks for a GPU (oneDNN notice, CPU features, "could not find cuda drivers",
    cuInit). ``TF_CPP_MIN_LOG_LEVEL`` silences the later ones but not those written before its
    logging is initialised, and a Jupyter kernel copies that descriptor into the notebook. So
    the first import runs with descriptor 2 pointed at /dev/null; Python errors still raise."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return
    with fd2_silenced():
        try:
            import tensorflow as tf

            tf.config.list_physical_devices("GPU")  # the CUDA probe logs once, here
        except ImportError:
            pass


@contextlib.contextmanager
def fd2_silenced():
    """File descriptor 2 pointed at /dev/null for the block: C/C++ libraries (TensorFlow, its
    converters, LiteRT) write there directly, past ``sys.stderr``."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def setup(seed: int = 42, packages=("tensorflow", "keras", "numpy")) -> dict[str, str]:
    """Quiet TensorFlow's start-up logging, check versions, seed Python/NumPy/TF, set a modest
    figure resolution for inline plots; return the versions."""
    if "tensorflow" in packages or "keras" in packages:
        quiet_tensorflow()
    from .acquire import quiet_pooch

    quiet_pooch()
    try:
        import matplotlib

        matplotlib.rcParams["figure.dpi"] = 80  # inline PNGs stay small in the saved notebook
        matplotlib.rcParams["savefig.dpi"] = 110
    except ImportError:
        pass
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
