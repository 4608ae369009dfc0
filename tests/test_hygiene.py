"""Repository rules: clean notebooks, a metrics test per notebook, no secrets, no huge files."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SECRET = re.compile(r"(AKIA[0-9A-Z]{16}|AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{20,}"
                    r"|(consumer|client|api)_?(secret|key)\s*=\s*['\"][A-Za-z0-9_\-]{12,}['\"]"
                    r"|BEGIN (RSA|OPENSSH) PRIVATE KEY)", re.IGNORECASE)


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [ROOT / p for p in out.stdout.decode().split("\0") if p]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no chapter notebooks found"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_clean(nb_path):
    nb = json.loads(nb_path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{nb_path.name} has outputs: run `make strip`"
            assert not cell.get("execution_count"), f"{nb_path.name} has execution counts"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_layout(nb_path):
    nb = json.loads(nb_path.read_text())
    chapter = int(nb_path.name[:2])
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, f"{nb_path.name}: needs exactly one cell tagged 'parameters'"
    assert "MODE" in "".join(params[0]["source"])
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    headings = re.findall(rf"^##+ {chapter}\.(\d+)", markdown, flags=re.MULTILINE)
    assert headings, f"{nb_path.name}: no recipe headings like '## {chapter}.1 ...'"
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert re.search(rf"metrics\.record\(\s*{chapter}\b", code), f"{nb_path.name} records no metrics"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_has_a_metrics_test(nb_path):
    chapter = int(nb_path.name[:2])
    test_file = ROOT / "tests" / "notebooks" / f"test_ch{chapter:02d}.py"
    assert test_file.exists(), f"{test_file.relative_to(ROOT)} is missing"
    text = test_file.read_text()
    assert re.search(rf"run_chapter\(\s*{chapter}\s*\)", text), "the test must execute the notebook"
    assert text.count("assert") >= 2, "the test must check the notebook's metrics"


def test_no_secret_looking_strings():
    hits = []
    for path in tracked_files():
        if path.suffix in {".keras", ".npy", ".png", ".jpg", ".gz", ".bz2", ".7z", ".h5", ".pbf"}:
            continue
        try:
            text = path.read_text(errors="ignore")
        except (IsADirectoryError, FileNotFoundError):
            continue
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
            if path.name in {"CONTRIBUTING.md", "test_hygiene.py"}:
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
