"""Execute a chapter notebook in smoke mode and hand its metrics to the tests.

Each ``test_chNN.py`` has a module-scoped fixture that calls :func:`run_chapter` once; pytest-xdist
with ``--dist loadfile`` keeps a file's tests on one worker, so every notebook executes once and
two notebooks run side by side on the two cores.
"""

from __future__ import annotations

from cookbook import metrics, runner


def run_chapter(chapter: int | str, mode: str = "smoke") -> dict:
    """Execute notebook NN (or a part such as "16b") and return the metrics it wrote (plus its wall time)."""
    metrics.metrics_path(chapter).unlink(missing_ok=True)  # a stale file must not pass the checks
    seconds = runner.execute(runner.notebook_for(chapter), mode)
    result = metrics.load(chapter)
    result["_wall_seconds"] = seconds
    return result


def wall_budget_s() -> float:
    """The smoke-mode budget is 3 minutes per notebook on two free cores. Under pytest-xdist two
    notebooks share those two cores, so each gets about one: allow proportionally more there."""
    import os

    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return 180.0 * (1.0 if workers <= 1 else 1.75)


def check_closing_table(metrics: dict, recipes: set[str],
                        sources: tuple[str, ...] = ("book", "the book", "companion notebook")) -> list:
    """The closing table compares at least ``recipes`` (first word of the recipe column), each
    row names the source of the book's figure and fills in this run's figure and the reason.
    Returns the rows, for checks that this run's numbers (not typed-in copies) appear in them."""
    table = metrics["closing_table"]
    assert all(len(row) == 4 for row in table)
    assert set(recipes) <= {row[0].split()[0] for row in table}
    for recipe, book, ours, why in table:
        assert book.startswith(sources), recipe
        assert ours.strip() and why.strip(), recipe
    return table
