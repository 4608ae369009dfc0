"""Execute chapter notebooks headless (papermill) into ``generated/executed/``.

``python -m cookbook.runner`` runs them all (``make run``); the notebook tests call
:func:`execute` for one chapter. Wall times go to ``generated/timings/NAME.json`` so that CI can
print the slowest notebooks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from . import paths

DEFAULT_TIMEOUT_S = int(os.environ.get("DLCB_NOTEBOOK_TIMEOUT", "900"))


def chapter_notebooks() -> list[Path]:
    return sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def notebook_for(chapter: int) -> Path:
    found = sorted(paths.NOTEBOOKS_DIR.glob(f"{int(chapter):02d}_*.ipynb"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one notebook notebooks/{int(chapter):02d}_*.ipynb, found {found}")
    return found[0]


def execute(source: Path, mode: str = "smoke", retrain: bool | None = None,
            timeout_s: int = DEFAULT_TIMEOUT_S) -> float:
    """Run one notebook top to bottom with papermill; return its wall time in seconds.
    A failing cell raises papermill's PapermillExecutionError naming the cell and the error."""
    import papermill

    target = paths.generated_dir("executed") / source.name
    parameters = {"MODE": mode}
    if retrain is not None:
        parameters["RETRAIN"] = retrain
    saved = os.environ.get("DLCB_MODE")
    os.environ["DLCB_MODE"] = mode  # helper code that reads the env agrees with the parameter
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source), str(target), parameters=parameters, cwd=str(paths.NOTEBOOKS_DIR),
            kernel_name="python3", progress_bar=False, log_output=False,
            execution_timeout=timeout_s)
    finally:
        elapsed = time.perf_counter() - started
        if saved is None:
            os.environ.pop("DLCB_MODE", None)
        else:
            os.environ["DLCB_MODE"] = saved
        timing = paths.generated_dir("timings") / f"{source.stem}.json"
        timing.write_text(json.dumps({"notebook": source.stem, "mode": mode,
                                      "seconds": round(elapsed, 1)}))
    return elapsed


def slowest(limit: int = 10) -> list[tuple[str, float]]:
    rows = []
    for path in paths.generated_dir("timings").glob("*.json"):
        data = json.loads(path.read_text())
        rows.append((data["notebook"], float(data["seconds"])))
    return sorted(rows, key=lambda r: -r[1])[:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default=os.environ.get("DLCB_MODE", "smoke"), choices=("smoke", "full"))
    parser.add_argument("--retrain", action="store_true", help="full mode: retrain instead of loading zoo models")
    parser.add_argument("--timings", action="store_true", help="only print the recorded wall times")
    parser.add_argument("chapters", nargs="*", type=int, help="chapter numbers (default: all)")
    args = parser.parse_args(argv)
    if args.timings:
        for name, seconds in slowest():
            print(f"{seconds:8.1f} s  {name}")
        return 0
    books = [notebook_for(c) for c in args.chapters] if args.chapters else chapter_notebooks()
    failed = []
    for nb in books:
        print(f"running {nb.name} ({args.mode}) ...", flush=True)
        try:
            seconds = execute(nb, args.mode, retrain=args.retrain or None)
            print(f"  done in {seconds:.0f} s -> generated/executed/{nb.name}")
        except Exception as err:  # keep going: report every failing notebook at the end
            print(f"  FAILED: {str(err).strip().splitlines()[-1][:300]}")
            failed.append(nb.name)
    if failed:
        print("failed notebooks: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
