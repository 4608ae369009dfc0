"""Execute a chapter notebook in smoke mode and hand its metrics to the tests.

Each ``test_chNN.py`` has a module-scoped fixture that calls :func:`run_chapter` once; pytest-xdist
with ``--dist loadfile`` keeps a file's tests on one worker, so every notebook executes once and
two notebooks run side by side on the two cores.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from cookbook import metrics, paths

NOTEBOOK_TIMEOUT_S = int(os.environ.get("DLCB_NOTEBOOK_TIMEOUT", "600"))


def notebook_for(chapter: int) -> Path:
    found = sorted(paths.NOTEBOOKS_DIR.glob(f"{int(chapter):02d}_*.ipynb"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one notebook notebooks/{int(chapter):02d}_*.ipynb, found {found}")
    return found[0]


def run_chapter(chapter: int, mode: str = "smoke") -> dict:
    """Execute the notebook with papermill (parameters MODE=smoke), record its wall time, and
    return the metrics it wrote. A failing cell raises papermill's PapermillExecutionError,
    which names the cell and the error."""
    import papermill

    source = notebook_for(chapter)
    out_dir = paths.generated_dir("executed")
    target = out_dir / source.name
    metrics_file = metrics.metrics_path(chapter)
    metrics_file.unlink(missing_ok=True)  # a stale file must not satisfy the checks
    env_before = os.environ.get("DLCB_MODE")
    os.environ["DLCB_MODE"] = mode
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(source), str(target), parameters={"MODE": mode}, cwd=str(paths.NOTEBOOKS_DIR),
            kernel_name="python3", progress_bar=False, log_output=False,
            execution_timeout=NOTEBOOK_TIMEOUT_S)
    finally:
        elapsed = time.perf_counter() - started
        if env_before is None:
            os.environ.pop("DLCB_MODE", None)
        else:
            os.environ["DLCB_MODE"] = env_before
        _record_time(source.stem, elapsed)
    result = metrics.load(chapter)
    result["_wall_seconds"] = elapsed
    return result


def _record_time(name: str, seconds: float) -> None:
    path = paths.generated_dir("timings") / f"{name}.json"
    path.write_text(json.dumps({"notebook": name, "seconds": round(seconds, 1)}))
