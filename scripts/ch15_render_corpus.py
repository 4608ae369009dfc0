"""Render chapter 15's offline music set once (full mode: 100 pieces per class, first 30 s).

    nice -n 10 .venv/bin/python scripts/ch15_render_corpus.py [--per-class 100] [--seconds 30]

Resumable: every piece's MIDI, WAV and metadata are cached under <cache>/ch15-renders/, and a
rerun renders only what is missing (stop it at any time). Needs timidity (apt-get install timidity).
"""

from __future__ import annotations

import argparse

from cookbook.audio import render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    for size in sorted({min(8, args.per_class), args.per_class}):  # small batches first: cached early
        _, report = render.render_set(size, args.seconds)
    print(report)


if __name__ == "__main__":
    main()
