"""Figures: shown inline in the notebook (and so kept in its committed outputs), with a PNG copy
under ``generated/chNN/`` for anyone who wants the file. One history plot for every chapter."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from . import paths


def save(fig, chapter: int, name: str, dpi: int = 110) -> Path:
    """Save ``fig`` as ``generated/chNN/name.png`` and return the path (the notebook still
    displays the figure inline as usual)."""
    out = paths.generated_dir(f"ch{int(chapter):02d}") / (name if name.endswith(".png") else name + ".png")
    fig.savefig(out, dpi=dpi, bbox_inches="tight")
    return out


def history(history: Mapping[str, Sequence[float]], metrics: Sequence[str] = ("loss",), *,
            title: str = "", baselines: Mapping[str, float] | None = None,
            labels: tuple[str, str] = ("train", "validation"), chapter: int | None = None,
            name: str | None = None):
    """Training curves: one panel per metric, the training curve and, when the history has it,
    the ``val_`` curve; ``baselines`` draws a grey line per metric (e.g. a unigram model's loss).
    With ``chapter`` and ``name`` the figure is also saved (:func:`save`). Returns the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.2), squeeze=False)
    for ax, key in zip(axes[0], metrics):
        train = list(history[key])
        epochs = range(1, len(train) + 1)
        ax.plot(epochs, train, "o-", ms=3, label=labels[0])
        if f"val_{key}" in history:
            ax.plot(range(1, len(history[f"val_{key}"]) + 1), history[f"val_{key}"], "s--", ms=3,
                    label=labels[1])
        if baselines and key in baselines:
            ax.axhline(baselines[key], color="grey", lw=1, label="baseline")
        ax.set(xlabel="epoch", ylabel=key, title=f"{title}: {key}" if title else key)
        ax.legend()
    fig.tight_layout()
    if chapter is not None and name:
        save(fig, chapter, name)
    return fig
