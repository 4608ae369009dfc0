"""Execute chapter notebooks headless (papermill).

* ``python -m cookbook.runner`` runs copies into ``generated/executed/`` (``make run``); the
  notebook tests call :func:`execute` for one chapter in smoke mode.
* ``python -m cookbook.runner --reference`` is the **reference run** (``make outputs``): full mode,
  zoo models loaded, no retraining, offline; each notebook that runs without error is written
  back into ``notebooks/`` with its outputs, metadata normalised (:func:`normalise`) so that a
  re-run without changes gives a small diff.

Wall times go to ``generated/timings/NAME.json`` so that CI can print the slowest notebooks; the
reference run also records its time in the notebook's metadata (``dlcb``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from . import paths

DEFAULT_TIMEOUT_S = int(os.environ.get("DLCB_NOTEBOOK_TIMEOUT", "900"))


def chapter_notebooks() -> list[Path]:
    return sorted(p for p in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]*_*.ipynb")
                  if paths.NOTEBOOK_NAME.match(p.name))


def notebook_for(chapter: int | str) -> Path:
    """The notebook of chapter 5 (``05_*.ipynb``) or of a part key such as ``"16b"``."""
    key = paths.notebook_key(chapter)
    found = sorted(paths.NOTEBOOKS_DIR.glob(f"{key}_*.ipynb"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one notebook notebooks/{key}_*.ipynb, found {found}")
    return found[0]


@contextmanager
def environment(values: dict[str, str]):
    """Set environment variables for the kernel papermill starts, restoring them afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def execute(source: Path, mode: str = "smoke", retrain: bool | None = None,
            timeout_s: int = DEFAULT_TIMEOUT_S) -> float:
    """Run one notebook top to bottom with papermill; return its wall time in seconds.
    A failing cell raises papermill's PapermillExecutionError naming the cell and the error."""
    import papermill

    target = paths.generated_dir("executed") / source.name
    parameters = {"MODE": mode}
    if retrain is not None:
        parameters["RETRAIN"] = retrain
    started = time.perf_counter()
    try:
        # helper code that reads the environment agrees with the parameter
        with environment({"DLCB_MODE": mode}):
            papermill.execute_notebook(
                str(source), str(target), parameters=parameters, cwd=str(paths.NOTEBOOKS_DIR),
                kernel_name="python3", progress_bar=False, log_output=False,
                execution_timeout=timeout_s)
    finally:
        elapsed = time.perf_counter() - started
        timing = paths.generated_dir("timings") / f"{source.stem}.json"
        timing.write_text(json.dumps({"notebook": source.stem, "mode": mode,
                                      "seconds": round(elapsed, 1)}))
    return elapsed


REFERENCE_ENV = {"DLCB_MODE": "full", "DLCB_RETRAIN": "0", "DLCB_OFFLINE": "1",
                 # a saved progress widget shows its first state ("0%") to a later reader
                 "DLCB_PROGRESS": "0", "TF_CPP_MIN_LOG_LEVEL": "3"}
# Kept in a saved notebook's top-level metadata; the rest (papermill's bookkeeping, widget
# state, timestamps) changes on every run and is dropped.
KEPT_METADATA = ("kernelspec", "language_info", "jupytext", "dlcb")


def normalise(nb, seconds: float | None = None) -> None:
    """Strip what changes from run to run without telling the reader anything: papermill's
    per-cell timings and status, execution timestamps, the Python patch version."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEPT_METADATA}
    info = nb.metadata.get("language_info")
    if info:
        nb.metadata["language_info"] = {"name": info.get("name", "python"),
                                        "version": ".".join(str(info.get("version", "3.11")).split(".")[:2])}
    if seconds is not None:
        nb.metadata["dlcb"] = {"reference_run": {"mode": "full", "retrain": False, "offline": True,
                                                 "seconds": round(seconds)}}
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.source.strip()]  # never executed
    for cell in nb.cells:
        for key in ("papermill", "execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)


def reference(source: Path, timeout_s: int = 3600) -> float:
    """Run ``source`` as the reference run and, if every cell succeeds, write it back in place
    with its outputs. A failing notebook is left untouched and the error raised."""
    import nbformat
    import papermill

    target = paths.generated_dir("executed") / f"{source.stem}.reference.ipynb"
    started = time.perf_counter()
    # No parameters: the parameters cell keeps its defaults and the mode comes from the
    # environment, so the saved notebook shows exactly the code a reader runs.
    with environment(REFERENCE_ENV):
        papermill.execute_notebook(str(source), str(target), cwd=str(paths.NOTEBOOKS_DIR),
                                   kernel_name="python3", progress_bar=False, log_output=False,
                                   execution_timeout=timeout_s)
    elapsed = time.perf_counter() - started
    nb = nbformat.read(target, as_version=4)
    normalise(nb, elapsed)
    nbformat.write(nb, source)
    (paths.generated_dir("timings") / f"{source.stem}.reference.json").write_text(
        json.dumps({"notebook": source.stem, "mode": "full", "seconds": round(elapsed, 1)}))
    return elapsed


MAX_NOTEBOOK_BYTES = 3 * 1024 * 1024
# Absolute paths of some machine: home and temp folders, virtual environments, site-packages.
MACHINE_PATH = re.compile(r"(?<![\w.~<>])(/root/|/home/[\w.-]+/|/tmp/|/var/folders/|/private/var/|"
                          r"/work/|/opt/|/usr/(local/)?lib/python|[A-Za-z]:\\Users\\)|site-packages|\.venv/")
PROGRESS_LINE = re.compile(r"^\s*([^|]*\|)?.*\d+%\|.*$|^\s*$")


def output_problems(path: Path) -> list[str]:
    """What keeps a saved notebook from being a clean reference run; empty when it is one:
    every code cell executed once, in order; no error output; made by the reference run; at
    most 3 MB; no absolute machine paths; nothing on stderr but progress bars."""
    import nbformat

    problems = []
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        problems.append(f"{size / 1e6:.1f} MB, over the 3 MB limit")
    nb = nbformat.read(path, as_version=4)
    ref = nb.metadata.get("dlcb", {}).get("reference_run", {})
    if ref.get("mode") != "full" or ref.get("retrain") is not False:
        problems.append("not saved by the reference run (`make outputs`): metadata dlcb.reference_run missing")
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for _, c in code]
    if counts != list(range(1, len(code) + 1)):
        problems.append(f"code cells not all executed once in order: execution counts {counts}")
    for i, cell in code:
        for out in cell.get("outputs", []):
            where = f"cell {i}"
            if out.output_type == "error":
                problems.append(f"{where}: error output {out.get('ename')}: {out.get('evalue', '')[:120]}")
            texts = [out.get("text", "")] + [str(v) for k, v in out.get("data", {}).items()
                                              if k.startswith("text/")]
            for text in texts:
                hit = MACHINE_PATH.search(text)
                if hit:
                    start = max(0, hit.start() - 60)
                    problems.append(f"{where}: machine path in output: ...{text[start:hit.end() + 40]!r}")
            if out.output_type == "stream" and out.name == "stderr":
                noisy = [line for line in out.text.replace("\r", "\n").splitlines()
                         if not PROGRESS_LINE.match(line)]
                if noisy:
                    problems.append(f"{where}: stderr output: {noisy[0][:160]!r}")
    return problems


def slowest(limit: int = 10) -> list[tuple[str, float]]:
    rows = []
    for path in paths.generated_dir("timings").glob("*.json"):
        data = json.loads(path.read_text())
        if not path.name.endswith(".reference.json"):  # only the smoke runs the tests made
            rows.append((data["notebook"], float(data["seconds"])))
    return sorted(rows, key=lambda r: -r[1])[:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default=os.environ.get("DLCB_MODE", "smoke"), choices=("smoke", "full"))
    parser.add_argument("--retrain", action="store_true", help="full mode: retrain instead of loading zoo models")
    parser.add_argument("--timings", action="store_true", help="only print the recorded wall times")
    parser.add_argument("--reference", action="store_true",
                        help="the reference run: full mode, zoo models, offline; outputs written back into notebooks/")
    parser.add_argument("chapters", nargs="*", help="chapter numbers or part keys such as 16b (default: all)")
    args = parser.parse_args(argv)
    if args.timings:
        for name, seconds in slowest():
            print(f"{seconds:8.1f} s  {name}")
        return 0
    books = [notebook_for(c) for c in args.chapters] if args.chapters else chapter_notebooks()
    failed = []
    for nb in books:
        print(f"running {nb.name} ({'reference run' if args.reference else args.mode}) ...", flush=True)
        try:
            if args.reference:
                seconds = reference(nb)
                print(f"  done in {seconds:.0f} s -> notebooks/{nb.name} (with outputs)")
                for problem in output_problems(nb):
                    print(f"  problem: {problem}")
                continue
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
