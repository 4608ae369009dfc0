"""Chapter 12 benchmark: the cost of one style transfer at the book's size (Okerk2, 736x464).

* ours: EfficientNet-Lite0 block outputs, Adam steps in one tf.function (the notebook runs 250).
* the book's: VGG16 conv layers, scipy's L-BFGS-B with loss and gradient in float64, 100
  iterations x maxfun 20 = up to 2,000 loss+gradient evaluations.

Both are timed here, in the same process, for a few steps each and extrapolated to a whole run.
VGG16 is built with random weights because its ImageNet weights need a download: the TIMING of
a forward+backward pass does not depend on the weight values, the picture it makes does.

    DLCB_MIRROR=../shared/mirror .venv/bin/python benchmarks/ch12_style_transfer.py [--steps 5]

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

import numpy as np  # noqa: E402
import scipy.optimize  # noqa: E402

from cookbook import acquire, env  # noqa: E402
from cookbook.vision import backbone, images, optimise  # noqa: E402

OUR_STEPS_PER_RUN = 250
BOOK_EVALS_PER_RUN = 100 * 20
LITE0_LAYERS = ["block0_project_bn", "block2_add", "block4_add", "block7_add", "block10_add"]
VGG_LAYERS = [f"block{i}_conv1" for i in range(1, 6)] + ["block5_conv2"]


def gram(tf, a):
    f = tf.reshape(a[0], (-1, tf.shape(a)[-1]))
    return tf.matmul(f, f, transpose_a=True) / tf.cast(tf.shape(f)[0], tf.float32)


def loss_fn(tf, taps, style_targets, content_target, content_index):
    def loss(x):
        acts = taps(x)
        style = tf.add_n([tf.reduce_mean(tf.square(gram(tf, a) - g)) for a, g in zip(acts, style_targets)])
        content = tf.reduce_mean(tf.square(acts[content_index] - content_target))
        tv = tf.reduce_mean(tf.abs(x[:, 1:] - x[:, :-1])) + tf.reduce_mean(tf.abs(x[:, :, 1:] - x[:, :, :-1]))
        return style + 0.05 * content + 0.1 * tv
    return loss


def time_ours(tf, keras, content, style, steps):
    model = backbone.load_efficientnet_lite0(input_shape=(None, None, 3))
    taps = optimise.layer_model(model, LITE0_LAYERS)
    targets = [gram(tf, a) for a in taps(optimise.to_model(style))]
    content_target = taps(optimise.to_model(content))[3]
    loss = loss_fn(tf, taps, targets, content_target, 3)
    x = tf.Variable(optimise.to_model(content))
    opt = keras.optimizers.Adam(0.05)
    opt.build([x])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            value = loss(x)
        opt.apply_gradients([(tape.gradient(value, x), x)])
        return value

    step()  # trace
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def time_book(tf, keras, content, style, evals):
    vgg = keras.applications.VGG16(weights=None, include_top=False)
    taps = keras.Model(vgg.inputs[0], [vgg.get_layer(n).output for n in VGG_LAYERS])
    caffe = lambda img: keras.applications.vgg16.preprocess_input(img[None].astype("float32"))
    targets = [gram(tf, a) for a in taps(caffe(style))[:5]]
    content_target = taps(caffe(content))[-1]
    loss = loss_fn(tf, taps, targets, content_target, 5)
    shape = (1, *content.shape)

    @tf.function
    def value_and_grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = loss(x)
        return value, tape.gradient(value, x)

    def evaluate(flat):
        v, g = value_and_grad(tf.constant(flat.reshape(shape), tf.float32))
        return float(v), g.numpy().astype("float64").ravel()

    x0 = caffe(content).astype("float64").ravel()
    evaluate(x0)  # trace
    t0 = time.perf_counter()
    result = scipy.optimize.fmin_l_bfgs_b(evaluate, x0, maxfun=evals, maxiter=evals)
    n = result[2]["funcalls"]
    return (time.perf_counter() - t0) / n, n


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="Adam steps and L-BFGS evaluations timed")
    args = parser.parse_args(argv)
    env.setup()
    import keras
    import tensorflow as tf

    okerk = images.load_rgb(acquire.fetch("style-Okerk2"))
    content = optimise.resize(okerk, 736, round(736 * okerk.shape[0] / okerk.shape[1]))
    starry = optimise.crop_border(images.load_rgb(acquire.fetch("style-VanGogh-starry_night_ballance1")))
    style = optimise.resize_short_side(starry, content.shape[0])
    ours = time_ours(tf, keras, content, style, args.steps)
    book, evals = time_book(tf, keras, content, style, args.steps)
    ours_run, book_run = ours * OUR_STEPS_PER_RUN, book * BOOK_EVALS_PER_RUN
    print(f"image {content.shape[1]}x{content.shape[0]}, {os.cpu_count()} CPU cores")
    print(f"ours  Lite0 + Adam      {ours:6.2f} s/step  x {OUR_STEPS_PER_RUN:5d} steps = {ours_run / 60:6.1f} min")
    print(f"book  VGG16 + L-BFGS-B  {book:6.2f} s/eval  x {BOOK_EVALS_PER_RUN:5d} evals = {book_run / 3600:6.2f} h"
          f"  (timed over {evals} evaluations)")
    print(f"ratio (book's run / ours): {book_run / ours_run:.0f}x")


if __name__ == "__main__":
    main()
