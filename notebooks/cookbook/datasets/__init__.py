"""The registry of named datasets and pretrained models.

Each chapter keeps its entries in its own module (``chNN.py``); importing this package registers
them all. ``python -m cookbook.datasets`` prints the table.
"""

from . import common  # noqa: F401
from ._chapters import load_chapter_modules

load_chapter_modules()
