"""Train the chapter 5 Shakespeare zoo model from scratch with the notebook's own functions,
under a wall-clock budget, and replace the zoo model only if the new one scores higher on the
held-out text. Mixed bfloat16 precision is used when the CPU has bfloat16 units.

    DLCB_MIRROR=../shared/mirror .venv/bin/python scripts/ch05_train_shakespeare.py \\
        --budget 6000 --units 512 512 --batch-size 256 --dropout 0.1

``--dry-run`` trains and reports without touching the zoo (with ``--chars`` for a quick check).
"""
import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from cookbook import env, zoo  # noqa: E402
from cookbook.text import textgen as tg  # noqa: E402
from cookbook.datasets import ch05  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ch05_model import build_char_lstm  # noqa: E402  (the notebook's own model cell)

NAME = "shakespeare_char_lstm"

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--budget", type=float, required=True, help="training seconds")
parser.add_argument("--units", type=int, nargs="+", default=[512, 512])
parser.add_argument("--batch-size", type=int, default=256)
parser.add_argument("--seq-len", type=int, default=100)
parser.add_argument("--learning-rate", type=float, default=3e-3)
parser.add_argument("--dropout", type=float, default=0.1)
parser.add_argument("--steps-per-epoch", type=int, default=100)
parser.add_argument("--chars", type=int, default=None)
parser.add_argument("--dry-run", action="store_true")
args = parser.parse_args()
env.setup()

text = ch05.load_shakespeare(args.chars)
mixed = tg.bfloat16_is_fast()
print(f"{len(text):,} chars; mixed bfloat16: {mixed}", flush=True)
run = tg.train_and_evaluate(
    text, build_char_lstm, name=NAME, units=args.units, seq_len=args.seq_len, batch_size=args.batch_size,
    epochs=10_000, steps_per_epoch=args.steps_per_epoch, learning_rate=args.learning_rate,
    time_budget_s=args.budget, dropout=args.dropout, mixed_precision=mixed, verbose=2)
print("held-out", run.held_out, "baseline", run.baseline, f"{run.seconds:.0f} s", flush=True)
card = tg.zoo_card(run, recipe="5.2", model_name=NAME, mode="full", source=ch05.SHAKESPEARE_SOURCE,
                   book=ch05.SHAKESPEARE_BOOK_RESULT)
card["trained"]["lr"] = (f"Adam, cosine {args.learning_rate:g} -> {args.learning_rate * 0.05:g} "
                         f"over a {args.budget:.0f} s budget")
print(json.dumps(card["metrics"]), flush=True)
if args.dry_run:
    raise SystemExit(0)
current = zoo.read_card(5, NAME)["metrics"]["held_out_accuracy"]
if run.held_out["accuracy"] > current:
    print("saved", zoo.save_keras(run.model, 5, NAME, card))
else:
    print(f"kept the zoo model: {current} >= {run.held_out['accuracy']:.4f}")
