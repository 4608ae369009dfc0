"""Repository rules: notebooks carry a clean reference run, follow the layout and have a metrics
test; no secrets, no huge files."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from cookbook import paths, runner

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = runner.chapter_notebooks()
SECRET = re.compile(r"(AKIA[0-9A-Z]{16}|AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{20,}"
                    r"|(consumer|client|api)_?(secret|key)\s*=\s*['\"][A-Za-z0-9_\-]{12,}['\"]"
                    r"|BEGIN (RSA|OPENSSH) PRIVATE KEY)", re.IGNORECASE)


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [ROOT / p for p in out.stdout.decode().split("\0") if p]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no chapter notebooks found"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_carries_its_reference_run(nb_path):
    """Committed with the outputs of one complete reference run (`make outputs`): every code
    cell executed once and in order, no errors, full mode, <= 3 MB, no machine paths, no stderr
    noise."""
    problems = runner.output_problems(nb_path)
    key = nb_path.name.split("_")[0]
    assert not problems, f"{nb_path.name}: run `make outputs NB={key}`:\n" + "\n".join(problems)


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_stay_short(nb_path):
    nb = json.loads(nb_path.read_text())
    long_cells = [i for i, c in enumerate(nb["cells"])
                  if c["cell_type"] == "code" and len("".join(c["source"]).splitlines()) > 30]
    assert not long_cells, f"{nb_path.name}: code cells {long_cells} are over 30 lines"


def test_output_contract_catches_what_it_promises(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["dlcb"] = {"reference_run": {"mode": "full", "retrain": False}}
    ok = nbformat.v4.new_code_cell("print(1)", execution_count=1)
    ok.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n"),
                  nbformat.v4.new_output("stream", name="stderr", text="loading: 100%|####| 3/3\r")]
    nb.cells = [ok]
    path = tmp_path / "ok.ipynb"
    nbformat.write(nb, path)
    assert runner.output_problems(path) == []
    bad = nbformat.v4.new_code_cell("x", execution_count=3)
    bad.outputs = [nbformat.v4.new_output("stream", name="stderr", text="W0000 00:00 cuda init\n"),
                   nbformat.v4.new_output("stream", name="stdout", text="saved to /root/.cache/x\n"),
                   nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[])]
    nb.cells.append(bad)
    nb.metadata = {}
    nbformat.write(nb, path)
    found = " | ".join(runner.output_problems(path))
    for expected in ("reference run", "execution counts", "stderr", "machine path", "error output"):
        assert expected in found, (expected, found)


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_layout(nb_path):
    nb = json.loads(nb_path.read_text())
    key = nb_path.name.split("_")[0]
    chapter = paths.chapter_number(key)
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, f"{nb_path.name}: needs exactly one cell tagged 'parameters'"
    assert "MODE" in "".join(params[0]["source"])
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    headings = re.findall(rf"^##+ {chapter}\.(\d+)", markdown, flags=re.MULTILINE)
    assert headings, f"{nb_path.name}: no recipe headings like '## {chapter}.1 ...'"
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    recorded_as = rf"{chapter}\b" if key.isdigit() else rf"[\"']{key}[\"']"
    assert re.search(rf"metrics\.record\(\s*{recorded_as}", code), f"{nb_path.name} records no metrics"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_a_metrics_test(nb_path):
    key = nb_path.name.split("_")[0]
    test_file = ROOT / "tests" / "notebooks" / f"test_ch{key}.py"
    assert test_file.exists(), f"{test_file.relative_to(ROOT)} is missing"
    text = test_file.read_text()
    called_as = rf"{int(key)}" if key.isdigit() else rf"[\"']{key}[\"']"
    assert re.search(rf"run_chapter\(\s*{called_as}\s*\)", text), "the test must execute the notebook"
    assert text.count("assert") >= 2, "the test must check the notebook's metrics"


def notebook_text(raw: str) -> str:
    """A notebook's sources and the text it printed, without embedded images."""
    nb = json.loads(raw)
    parts = []
    for cell in nb["cells"]:
        parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            for kind, value in out.get("data", {}).items():
                if kind.startswith("text/"):
                    parts.append("".join(value) if isinstance(value, list) else str(value))
    return "\n".join(parts)


def test_no_secret_looking_strings():
    hits = []
    for path in tracked_files():
        if path.suffix in {".keras", ".npy", ".png", ".jpg", ".gz", ".bz2", ".7z", ".h5", ".pbf"}:
            continue
        try:
            text = path.read_text(errors="ignore")
        except (IsADirectoryError, FileNotFoundError):
            continue
        if path.suffix == ".ipynb":
            text = notebook_text(text)  # the code and printed text, not base64 figures
        for match in SECRET.finditer(text):
            hits.append(f"{path.relative_to(ROOT)}: {match.group(0)[:30]}")
    assert not hits, hits


def test_no_large_files_tracked():
    big = [f"{p.relative_to(ROOT)} ({p.stat().st_size / 1e6:.1f} MB)"
           for p in tracked_files() if p.exists() and p.stat().st_size > 20 * 1024 * 1024]
    assert not big, big


def test_no_absolute_machine_paths_in_code_and_notebooks():
    pattern = re.compile(r"(/work/|/root/|/home/[a-z]|/Users/[A-Za-z])")
    hits = []
    for path in tracked_files():
        if path.suffix in {".py", ".ipynb", ".json", ".md", ".in", ".txt"} and "zoo" not in path.parts:
            if path.name in {"CONTRIBUTING.md", "test_hygiene.py", "runner.py"}:  # they define the pattern
                continue
            for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1):
                if pattern.search(line):
                    hits.append(f"{path.relative_to(ROOT)}:{number}")
    assert not hits, hits


def test_zoo_models_have_cards():
    for model in (ROOT / "zoo").rglob("*.keras"):
        card = model.with_suffix(".json")
        assert card.exists(), f"{model.relative_to(ROOT)} has no model card"
        data = json.loads(card.read_text())
        for key in ("chapter", "recipe", "model", "mode", "data", "trained", "metrics", "baseline"):
            assert key in data, f"{card.name} lacks {key}"
        assert data["chapter"] == int(model.parent.name)
