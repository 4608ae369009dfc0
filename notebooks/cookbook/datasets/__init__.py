"""The registry of named datasets and pretrained models.

Shared entries live in ``common.py``; each chapter keeps its own in ``chNN.py``. Importing this
package registers them all. ``python -m cookbook.datasets`` prints the table (``--fetch`` fetches).
"""

import importlib
import pkgutil

from . import common  # noqa: F401  (registers the shared entries)

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("ch"):
        importlib.import_module(f"{__name__}.{_module.name}")
