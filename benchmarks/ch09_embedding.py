"""Chapter 9 benchmark: embedding images one `model.predict` call at a time (the book's pattern)
vs `cookbook.vision.embed.Embedder` (one traced `tf.function`, fixed-size batches).

Both run EfficientNet-Lite0 up to `avg_pool` on the same real Quick Draw drawings at 224 px and
must give the same vectors; we time each after a warm-up call and print images per second and
the ratio.

    DLCB_MIRROR=../shared/mirror .venv/bin/python benchmarks/ch09_embedding.py [--images 64]

Not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))

from cookbook import env  # noqa: E402
from cookbook.vision import backbone, embed, quickdraw  # noqa: E402


def per_image_predict(model, images):
    """The book's loop: preprocess one image, add a batch axis, `model.predict` it."""
    import numpy as np

    return np.concatenate([model.predict(backbone.preprocess(img[None]), verbose=0) for img in images])


def main(argv=None) -> dict:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    env.setup()

    drawings, _, _ = quickdraw.load_drawings(["cat", "dog"], per_category=(args.images + 1) // 2)
    images = quickdraw.to_rgb(drawings[:args.images])
    features = embed.feature_model(backbone.load_efficientnet_lite0(), "avg_pool")
    embedder = embed.Embedder(features, backbone.preprocess, batch_size=args.batch_size)

    per_image_predict(features, images[:2])  # warm-up: predict builds its function
    embedder(images[:args.batch_size])       # warm-up: trace the tf.function once
    started = time.perf_counter()
    slow = per_image_predict(features, images)
    slow_rate = len(images) / (time.perf_counter() - started)
    started = time.perf_counter()
    fast = embedder(images)
    fast_rate = len(images) / (time.perf_counter() - started)
    diff = float(np.abs(slow - fast).max())
    ratio = fast_rate / slow_rate
    print(f"{len(images)} images at 224 px, EfficientNet-Lite0 to avg_pool ({features.output.shape[-1]}-d)")
    print(f"per-image model.predict: {slow_rate:,.1f} images/s ({1000 / slow_rate:,.0f} ms each)")
    print(f"Embedder, batch {args.batch_size} tf.function: {fast_rate:,.1f} images/s "
          f"({1000 / fast_rate:,.0f} ms each); max |difference| {diff:.1e}")
    print(f"RATIO Embedder / per-image predict = {ratio:.2f}x on {os.cpu_count()} CPU cores")
    return {"per_image": slow_rate, "embedder": fast_rate, "ratio": ratio, "max_diff": diff}


if __name__ == "__main__":
    main()
