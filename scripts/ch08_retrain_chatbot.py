"""Retrain only the chapter 8 chatbot (recipe 8.4) through the notebook's own code path.

``python -m cookbook.runner --mode full --retrain 8`` retrains both chapter 8 models (the plural
model alone takes about 15 minutes on two CPU cores). This script runs the same notebook in full
mode with ``RETRAIN=True, RETRAIN_ONLY="8.4"``: the plural model is loaded from the zoo, the
chatbot and its SentencePiece tokenizer are trained with the notebook's ``build_seq2seq`` and
saved to ``zoo/08/`` with a fresh card. The executed copy goes to ``generated/executed/``.

    DLCB_MIRROR=<offline mirror> .venv/bin/python scripts/ch08_retrain_chatbot.py [8.1|8.4]
"""

from __future__ import annotations

import json
import os
import sys
import time

from cookbook import paths, runner, zoo


def main(argv: list[str]) -> int:
    only = argv[0] if argv else "8.4"
    if only not in ("8.1", "8.4"):
        raise SystemExit("usage: ch08_retrain_chatbot.py [8.1|8.4]")
    import papermill

    source = runner.notebook_for(8)
    target = paths.generated_dir("executed") / f"{source.stem}.retrain-{only}.ipynb"
    os.environ["DLCB_MODE"] = "full"
    started = time.perf_counter()
    papermill.execute_notebook(
        str(source), str(target), parameters={"MODE": "full", "RETRAIN": True, "RETRAIN_ONLY": only},
        cwd=str(paths.NOTEBOOKS_DIR), kernel_name="python3", progress_bar=False, log_output=False,
        execution_timeout=3600)
    name = "chatbot_seq2seq" if only == "8.4" else "plural_seq2seq"
    card = zoo.read_card(8, name)
    print(f"notebook ran in {time.perf_counter() - started:.0f} s -> generated/executed/{target.name}")
    print(json.dumps({k: card[k] for k in ("data", "trained", "metrics", "baseline")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
