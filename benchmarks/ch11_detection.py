"""Chapter 11 benchmark: sliding-window classification by crops (one batched predict over every
224-px window) vs one forward pass with the windows pooled on the feature map, at several
strides on cat_dog.jpg; plus the offline CenterNet detector's seconds per photo.

    DLCB_MIRROR=../shared/mirror .venv/bin/python benchmarks/ch11_detection.py [--repeats 2]

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

from cookbook import acquire, env  # noqa: E402
from cookbook.vision import backbone, detect, images  # noqa: E402


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None) -> dict:
    import keras
    import numpy as np
    from PIL import Image

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    env.setup()
    import cookbook.datasets  # noqa: F401  (registers the resources)

    classifier = backbone.load_efficientnet_lite0()
    conv = backbone.load_efficientnet_lite0(input_shape=(None, None, 3))
    features = keras.Model(conv.input, conv.get_layer("head_bn_relu6").output)
    dense = classifier.get_layer("predictions")
    photo = images.load_rgb(acquire.fetch("cat_dog.jpg"))
    scene = np.asarray(Image.fromarray(photo).resize((672, 512), Image.Resampling.BILINEAR))
    x = backbone.preprocess(scene)
    results = {}
    for stride in (128, 96, 64, 32):
        wins = detect.window_grid(672, 512, 224, stride)
        crops = lambda: classifier.predict(np.stack([x[y1:y2, x1:x2] for x1, y1, x2, y2 in wins]),  # noqa: E731
                                           batch_size=32, verbose=0)

        def one_pass():
            f = features.predict(x[None], verbose=0)[0]
            return keras.ops.convert_to_numpy(dense(np.stack(
                [f[y1 // 32:y2 // 32, x1 // 32:x2 // 32].mean((0, 1)) for x1, y1, x2, y2 in wins])))
        crops(), one_pass()  # warm up
        t_crop, p_crop = best_of(crops, args.repeats)
        t_map, p_map = best_of(one_pass, args.repeats)
        agree = float((p_crop.argmax(1) == p_map.argmax(1)).mean())
        results[stride] = (len(wins), t_crop, t_map)
        print(f"stride {stride:3d}: {len(wins):3d} windows  crops {t_crop:6.2f} s  "
              f"feature map {t_map:5.2f} s  ({t_crop / t_map:4.1f}x)  top-1 agree {agree:.0%}")
    det = detect.CocoDetector()
    det.detect(scene)
    t_det, found = best_of(lambda: det.detect(photo), args.repeats)
    print(f"CenterNet: {t_det:.2f} s per photo, {len(found)} objects on cat_dog.jpg")
    results["detector_seconds"] = t_det
    return results


if __name__ == "__main__":
    main()
