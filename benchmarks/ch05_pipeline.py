"""Chapter 5 benchmark: the tf.data window pipeline vs a book-style Python generator.

Both feed the same character LSTM (same layers and sizes) on the Shakespeare corpus; we time
``steps`` training steps after a warm-up and print samples (windows) per second and the ratio.
The generator does what the 2018 notebooks did: random offsets, a dict lookup per character in
Python loops, one-hot targets (so its copy of the model uses the categorical loss). We also time
the two pipelines alone, without a model, to show where the difference comes from.

    DLCB_MIRROR=../shared/mirror .venv/bin/python benchmarks/ch05_pipeline.py [--steps 30]

Not a test: timings depend on the machine and its load. The figure goes in the notebook's
closing note.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from cookbook import env  # noqa: E402
from cookbook.text import textgen as tg  # noqa: E402
from cookbook.datasets import ch05  # noqa: E402
from ch05_model import build_char_lstm  # noqa: E402  (the notebook's own model cell)


def time_pipeline(batches, count: int) -> float:
    """Batches per second of a pipeline alone (no model)."""
    iterator = iter(batches)
    next(iterator)  # start-up (thread pools, first shuffle buffer) is not throughput
    started = time.perf_counter()
    for _ in range(count):
        next(iterator)
    return count / (time.perf_counter() - started)


def time_training(model, data, steps: int, warmup: int = 3) -> float:
    """Training steps per second; ``warmup`` steps first absorb tracing and compilation."""
    model.fit(data, steps_per_epoch=warmup, epochs=1, verbose=0, shuffle=False)
    started = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return steps / (time.perf_counter() - started)


def main(argv=None) -> dict:
    import keras

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--seq-len", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--units", type=int, nargs="+", default=[128],
                        help="LSTM widths, e.g. 512 512 for the zoo model")
    parser.add_argument("--mixed", action="store_true",
                        help="train under mixed_bfloat16, as the zoo model was")
    args = parser.parse_args(argv)
    env.setup()

    text = ch05.load_shakespeare()
    vocab = tg.char_vocabulary(text)
    ids = vocab.encode(text)
    seq, batch = args.seq_len, args.batch_size

    def fresh_tf_data():
        return tg.window_dataset(ids, seq, batch).repeat()

    def fresh_generator():
        return tg.python_batch_generator(text, vocab, seq, batch)

    pipe_tf = time_pipeline(fresh_tf_data(), 200) * batch
    pipe_py = time_pipeline(fresh_generator(), 20) * batch
    print(f"pipelines alone: tf.data {pipe_tf:,.0f} samples/s, Python generator {pipe_py:,.0f} "
          f"samples/s (x{pipe_tf / pipe_py:.1f})")

    with tg.precision_policy("mixed_bfloat16" if args.mixed else "float32"):
        model_tf = build_char_lstm(vocab.size, args.units)
        model_py = build_char_lstm(vocab.size, args.units)
        model_py.set_weights(model_tf.get_weights())  # same model, same starting point
        # the generator yields one-hot targets, as in 2018: the categorical form of the loss
        model_py.compile(optimizer=keras.optimizers.Adam(2e-3, clipnorm=1.0),
                         loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                         metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
        train_tf = time_training(model_tf, fresh_tf_data(), args.steps) * batch
        train_py = time_training(model_py, fresh_generator(), args.steps) * batch
    ratio = train_tf / train_py
    shape = "x".join(str(u) for u in args.units)
    print(f"training {shape} LSTM ({'mixed bfloat16' if args.mixed else 'float32'}), seq {seq}, "
          f"batch {batch}, {args.steps} steps: tf.data {train_tf:,.1f} samples/s, "
          f"Python generator {train_py:,.1f} samples/s")
    print(f"RATIO tf.data / generator = {ratio:.2f}x on {os.cpu_count()} CPU cores")
    # Why: a step costs (model) with tf.data, (model + batch building) with the generator,
    # because tf.data builds the next batch on another thread while the model trains.
    step_ms, batch_ms = 1000 * batch / train_tf, 1000 * batch / pipe_py
    print(f"one training step {step_ms:,.0f} ms; the generator builds a batch in {batch_ms:,.0f} ms; "
          f"it halves throughput only when a step takes under {batch_ms:,.0f} ms (a GPU)")
    return {"pipeline_tf": pipe_tf, "pipeline_py": pipe_py, "train_tf": train_tf,
            "train_py": train_py, "ratio": ratio, "step_ms": step_ms, "batch_ms": batch_ms}


if __name__ == "__main__":
    main()
