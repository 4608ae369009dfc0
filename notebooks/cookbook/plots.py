"""Figures: show inline in Jupyter and keep a PNG under ``generated/chNN/`` for the record."""

from __future__ import annotations

from pathlib import Path

from . import paths


def save(fig, chapter: int, name: str, dpi: int = 110) -> Path:
    """Save ``fig`` as ``generated/chNN/name.png`` and return the path (the notebook still
    displays the figure inline as usual)."""
    out = paths.generated_dir(f"ch{int(chapter):02d}") / (name if name.endswith(".png") else name + ".png")
    fig.savefig(out, dpi=dpi, bbox_inches="tight")
    return out
