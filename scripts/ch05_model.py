"""The chapter 5 model as the notebook defines it: ``build_char_lstm`` is read from the code cell
of ``notebooks/05_text_generation.ipynb`` that defines it and executed on its own, so the scripts
and the benchmark train exactly the layers a reader sees (and edits) in the notebook.

    from ch05_model import build_char_lstm
"""
from __future__ import annotations

import ast
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_text_generation.ipynb"


def notebook_function(name: str, notebook: Path = NOTEBOOK):
    """Compile the ``def name(...)`` block found in the notebook's code cells (with the module
    imports it needs) and return the function."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or f"def {name}(" not in cell.source:
            continue
        tree = ast.parse(cell.source)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                namespace: dict = {}
                exec("import keras\nimport numpy as np\n", namespace)
                exec(compile(ast.Module([node], []), str(notebook.name), "exec"), namespace)
                return namespace[name]
    raise LookupError(f"no 'def {name}(' in a code cell of {notebook.name}")


build_char_lstm = notebook_function("build_char_lstm")
