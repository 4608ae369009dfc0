import importlib
import pkgutil


def load_chapter_modules() -> None:
    """Import every ``chNN`` module in this package (each registers its own resources)."""
    for info in pkgutil.iter_modules(__path__ if False else __import__(__package__, fromlist=["x"]).__path__):
        if info.name.startswith("ch"):
            importlib.import_module(f"{__package__}.{info.name}")
