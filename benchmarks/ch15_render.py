"""Chapter 15 benchmark: rendering MIDI with timidity one file per call vs a batch per call.

``cookbook.audio.render`` hands timidity a whole batch of MIDI files per call, because each call
pays a fixed start-up (loading the soundfont, about a second of wall time here) that dwarfs the
synthesis of a 30-second piano piece. This script renders the same ``n`` cached MIDI files both
ways into a temporary folder and prints seconds per piece and the ratio.

    nice -n 10 .venv/bin/python benchmarks/ch15_render.py [--n 12] [--seconds 30]

Not a test: timings depend on the machine and its load. Needs timidity and the render cache
(the script renders the pieces first if they are missing).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))

from cookbook import acquire  # noqa: E402
from cookbook.audio import render  # noqa: E402


def timed(calls: list[list[str]], cwd: Path) -> float:
    started = time.perf_counter()
    for args in calls:
        subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    per_class = max(1, -(-args.n // len(render.CLASSES)))
    rendered, _ = render.render_set(per_class, args.seconds, verbose=False)
    midis = [r.wav.with_suffix(".mid") for r in rendered][:args.n]
    base, soundfont = render.timidity_command("timidity.cfg"), acquire.fetch("ch15-timgm6mb-soundfont")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        (work / "timidity.cfg").write_text(f"soundfont {soundfont}\n")
        names = []
        for i, m in enumerate(midis):
            shutil.copy(m, work / f"p{i:03d}.mid")
            names.append(f"p{i:03d}.mid")
        one_by_one = timed([base + [n] for n in names], work)
        batched = timed([base + names], work)
    print(f"{len(names)} pieces of {args.seconds:g} s: one call per file {one_by_one / len(names):.2f} s/piece, "
          f"one call for all {batched / len(names):.2f} s/piece -> batching is "
          f"{one_by_one / batched:.1f}x faster")


if __name__ == "__main__":
    main()
