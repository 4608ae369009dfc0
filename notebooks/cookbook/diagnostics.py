"""Tools for chapter 2 (Getting Unstuck): small real data sets, a configurable MLP for the sweeps,
a compile-and-fit wrapper around the shared :func:`cookbook.training.fit`, error capture for
shape mistakes, class-balance helpers, a per-epoch probe callback and a sweep runner.

Everything runs on data that ships inside scikit-learn (the UCI handwritten digits and the
Efron et al. diabetes table), so the chapter needs no download at all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np

if TYPE_CHECKING:
    from .training import Run

# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """A train/validation split of features ``x`` and targets ``y``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])


def _split(x: np.ndarray, y: np.ndarray, val_fraction: float, seed: int,
           stratify: bool) -> Split:
    from sklearn.model_selection import train_test_split

    x_tr, x_va, y_tr, y_va = train_test_split(
        x, y, test_size=val_fraction, random_state=seed, stratify=y if stratify else None)
    return Split(x_tr, y_tr, x_va, y_va)


def digits_split(train_rows: int | None = None, val_fraction: float = 0.25, seed: int = 0) -> Split:
    """The 1,797 real 8x8 handwritten digits of scikit-learn, pixels scaled to [0, 1].

    ``train_rows`` keeps only the first rows of the (stratified) training part: a small training
    set is the quickest way to make a network overfit on purpose."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")  # pixel intensities are 0..16
    split = _split(x, digits.target.astype("int64"), val_fraction, seed, stratify=True)
    if train_rows is not None:
        split = Split(split.x_train[:train_rows], split.y_train[:train_rows], split.x_val, split.y_val)
    return split


def diabetes_split(val_fraction: float = 0.25, seed: int = 0, raw_features: bool = False) -> Split:
    """The diabetes progression table: 442 patients, 10 features, and a disease-progression
    score of about 25..346 as the target (left in its raw units).

    scikit-learn ships the features already scaled; ``raw_features=True`` asks for the original
    units instead (age in years, blood pressure in mmHg, serum values up to ~300), which is what
    a table straight from a clinic looks like."""
    from sklearn.datasets import load_diabetes

    data = load_diabetes(scaled=not raw_features)
    x = data.data.astype("float32")
    y = data.target.astype("float32")
    return _split(x, y, val_fraction, seed, stratify=False)


def standardize(split: Split, target: bool = True) -> tuple[Split, tuple[float, float]]:
    """Rescale features (and the target, if asked) to mean 0 and standard deviation 1 using the
    *training* statistics only (:func:`cookbook.preprocessing.standardize`); return the new
    split and the target's (mean, std) so that predictions can be turned back into the
    original units."""
    from .preprocessing import standardize as scale

    x_train, mean, std = scale(split.x_train)
    x_val = scale(split.x_val, mean, std)[0]
    if not target:
        return Split(x_train, split.y_train, x_val, split.y_val), (0.0, 1.0)
    y_train, y_mean, y_std = scale(split.y_train[:, None])
    y_val = scale(split.y_val[:, None], y_mean, y_std)[0]
    return (Split(x_train, y_train[:, 0], x_val, y_val[:, 0]),
            (float(y_mean[0]), float(y_std[0])))


# Digits whose handwritten shape has a closed loop (0, 6, 8, 9; 4 is drawn open in this set).
LOOPED_DIGITS = (0, 6, 8, 9)
DIGIT_ATTRIBUTES = ("even", "five_or_more", "closed_loop")


def digit_attributes(labels: np.ndarray) -> np.ndarray:
    """Three yes/no attributes per digit, so that one image can carry several labels at once
    (7 is odd and >= 5; 8 is even, >= 5 and looped): a real multi-label target."""
    labels = np.asarray(labels)
    return np.stack([labels % 2 == 0, labels >= 5, np.isin(labels, LOOPED_DIGITS)],
                    axis=1).astype("float32")


def two_class_subset(split: Split, majority: int, minority: int) -> Split:
    """Keep two digit classes and relabel them 0 (majority) and 1 (minority)."""
    def pick(x, y):
        keep = np.isin(y, (majority, minority))
        return x[keep], (y[keep] == minority).astype("int64")

    return Split(*pick(split.x_train, split.y_train), *pick(split.x_val, split.y_val))


def with_minority_fraction(x: np.ndarray, y: np.ndarray, fraction: float, seed: int = 0,
                           oversample: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return a copy of a binary data set (labels 0/1) in which label 1 makes up ``fraction``.

    ``oversample=False`` drops minority rows (to *create* an imbalance from balanced data);
    ``oversample=True`` repeats minority rows (to *soften* an imbalance without losing majority
    examples). The rows are shuffled."""
    rng = np.random.default_rng(seed)
    major = np.flatnonzero(y == 0)
    minor = np.flatnonzero(y == 1)
    wanted = int(round(fraction * len(major) / (1.0 - fraction)))  # minority rows for `fraction`
    if oversample:
        extra = rng.choice(minor, size=max(wanted - len(minor), 0), replace=True)
        minor = np.concatenate([minor, extra])
    else:
        minor = rng.choice(minor, size=min(wanted, len(minor)), replace=False)
    order = rng.permutation(np.concatenate([major, minor]))
    return x[order], y[order]


# ----------------------------------------------------------------------------------------------
# Models and training
# ----------------------------------------------------------------------------------------------


def mlp(n_inputs: int, n_outputs: int, hidden: Iterable[int] = (64,), *,
        final_activation: str | None = "softmax", l2: float | None = None,
        dropout: float | None = None, name: str = "mlp"):
    """A plain fully connected network; ``l2`` puts an L2 penalty on every kernel and
    ``dropout`` adds a Dropout layer after every hidden layer."""
    import keras

    regularizer = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input(shape=(n_inputs,), name="pixels")
    x = inputs
    for i, units in enumerate(hidden):
        x = keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer,
                               name=f"hidden_{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout_{i}")(x)
    outputs = keras.layers.Dense(n_outputs, activation=final_activation,
                                 kernel_regularizer=regularizer, name="output")(x)
    return keras.Model(inputs, outputs, name=name)


def train(model, split: Split, *, epochs: int, batch_size: int = 32, learning_rate: float = 1e-3,
          loss: Any = "sparse_categorical_crossentropy", metrics: Iterable[Any] = ("accuracy",),
          optimizer: str = "adam", clipnorm: float | None = None, callbacks=(),
          validation: bool = True) -> "Run":
    """Compile ``model`` with the named optimizer and fit it quietly with the shared
    :func:`cookbook.training.fit`; return its :class:`~cookbook.training.Run`."""
    import keras

    from . import training

    kinds = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}
    model.compile(optimizer=kinds[optimizer](learning_rate=learning_rate, clipnorm=clipnorm),
                  loss=loss, metrics=list(metrics))
    return training.fit(model, (split.x_train, split.y_train),
                        validation=(split.x_val, split.y_val) if validation else None,
                        epochs=epochs, batch_size=batch_size, callbacks=callbacks)


def predict(model, x: np.ndarray) -> np.ndarray:
    """The model's outputs for an array, as NumPy (see :func:`cookbook.training.predict`)."""
    from .training import predict as batched_predict

    return batched_predict(model, x)


def accuracy_gap(run: Run, metric: str = "accuracy") -> float:
    """Train minus validation ``metric`` at the last epoch: how much the model memorized."""
    return run.last(metric) - run.last("val_" + metric)


def loss_ratio(run: Run, key: str = "loss") -> float:
    """Last over first epoch loss: about 1.0 means the network learns nothing; NaN stays NaN."""
    values = run.history[key]
    return float(values[-1] / values[0]) if values[0] else math.nan


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination (1 = perfect, 0 = predicting the mean, < 0 = worse)."""
    y_true = np.asarray(y_true, dtype="float64").ravel()
    y_pred = np.asarray(y_pred, dtype="float64").ravel()
    residual = np.sum((y_true - y_pred) ** 2)
    total = np.sum((y_true - y_true.mean()) ** 2)
    return float(1.0 - residual / total)


def exact_match(y_true: np.ndarray, scores: np.ndarray, threshold: float = 0.5) -> float:
    """Multi-label accuracy: the share of rows whose every label is predicted right."""
    return float(np.mean(np.all((np.asarray(scores) >= threshold) == (np.asarray(y_true) > 0.5),
                                axis=1)))


def class_counts(predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """How often each class was predicted (a histogram of the network's answers)."""
    return np.bincount(np.asarray(predicted, dtype="int64"), minlength=n_classes)


def recall(y_true: np.ndarray, predicted: np.ndarray, label: int) -> float:
    """Share of the rows labelled ``label`` that were predicted as ``label``."""
    mask = np.asarray(y_true) == label
    return float(np.mean(np.asarray(predicted)[mask] == label)) if mask.any() else math.nan


# ----------------------------------------------------------------------------------------------
# Runtime errors (recipe 2.2)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaughtError:
    """An exception turned into data, so a notebook can show it and a test can check it."""

    kind: str
    message: str

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        return shapes_in(self.message)

    def headline(self) -> str:
        """The lines of the message that name shapes or nodes, without the long traceback."""
        keep = [line.strip() for line in self.message.splitlines()
                if not line.strip().startswith("File ")          # traceback frames
                and any(word in line.lower() for word in ("shape", "node ", "{{node", "expected"))]
        text = "\n".join(keep) if keep else self.message.strip().splitlines()[0]
        # TensorFlow numbers its traced functions per process (__inference_..._12345): drop the
        # counter, which says nothing and changes from run to run
        return re.sub(r"(__inference_\w+?)_\d+\b", r"\1", text)


def catch_error(action: Callable[[], Any]) -> CaughtError | None:
    """Run ``action``; return the exception it raised as a :class:`CaughtError`, or None."""
    try:
        action()
    except Exception as error:  # the point is to look at any error, whatever its type
        return CaughtError(type(error).__name__, str(error))
    return None


_SHAPE = re.compile(r"\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")


def shapes_in(message: str) -> list[tuple[int, ...]]:
    """Every bracketed integer shape, such as ``[29,64]``, in an error message, in order."""
    return [tuple(int(n) for n in match.split(",")) for match in _SHAPE.findall(message)]


def make_batch_offset_layer():
    """A *buggy* layer on purpose: it learns one offset per position in the batch, so its weight
    has the batch size baked in. It works until a batch of a different size arrives (the last,
    incomplete batch of an epoch), then TensorFlow reports "Incompatible shapes"."""
    import keras

    class BatchOffset(keras.layers.Layer):
        def build(self, input_shape):
            # The bug: input_shape includes the batch dimension, which must not be learned.
            self.offset = self.add_weight(shape=tuple(input_shape), initializer="zeros",
                                          name="offset")

        def call(self, x):
            return x + self.offset

    return BatchOffset


def fixed_batch_model(n_inputs: int, n_classes: int, batch_size: int, hidden: int = 32):
    """A small classifier whose first layer is the buggy :func:`make_batch_offset_layer` one."""
    import keras

    inputs = keras.Input(shape=(n_inputs,), batch_size=batch_size, name="pixels")
    x = make_batch_offset_layer()(name="batch_offset")(inputs)
    x = keras.layers.Dense(hidden, activation="relu", name="hidden")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="fixed_batch")


# ----------------------------------------------------------------------------------------------
# Looking inside while training (recipe 2.3)
# ----------------------------------------------------------------------------------------------


def make_probe_callback(x_probe: np.ndarray, n_classes: int):
    """A Keras callback that, after each epoch, predicts on ``x_probe`` and keeps the histogram
    of predicted classes, the largest absolute weight and whether any weight became NaN."""
    import keras

    class EpochProbe(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.records: list[dict] = []

        def on_epoch_end(self, epoch, logs=None):
            scores = predict(self.model, x_probe)
            if scores.shape[-1] == 1:
                predicted = (scores[:, 0] >= 0.5).astype("int64")
            else:
                predicted = np.nan_to_num(scores).argmax(axis=1)
            weights = [np.asarray(w) for w in self.model.get_weights()]
            self.records.append({
                "epoch": epoch + 1,
                "loss": float((logs or {}).get("loss", math.nan)),
                "distinct_predictions": int(len(np.unique(predicted))),
                "counts": class_counts(predicted, n_classes).tolist(),
                "max_abs_weight": float(max(np.nanmax(np.abs(w)) if w.size else 0.0
                                            for w in weights)),
                "weights_nan": bool(any(np.isnan(w).any() for w in weights)),
            })

    return EpochProbe()


# ----------------------------------------------------------------------------------------------
# Dropout arithmetic (recipe 2.5)
# ----------------------------------------------------------------------------------------------


def dropout_behaviour(rate: float, n: int = 100_000, seed: int = 0) -> dict[str, float]:
    """Push a vector of ones through ``Dropout(rate)`` in training and in inference mode.

    Keras uses *inverted* dropout: during training it zeroes a share ``rate`` of the values and
    scales the survivors by 1/(1-rate), so the mean stays 1 and inference needs no rescaling."""
    import keras

    layer = keras.layers.Dropout(rate, seed=seed)
    ones = np.ones((1, n), dtype="float32")
    trained = np.asarray(layer(ones, training=True))
    inferred = np.asarray(layer(ones, training=False))
    kept = trained[trained > 0]
    return {"zeroed_fraction": float(np.mean(trained == 0)),
            "kept_value": float(kept.mean()) if kept.size else math.nan,
            "train_mean": float(trained.mean()),
            "inference_mean": float(inferred.mean()),
            "inference_is_identity": bool(np.array_equal(inferred, ones))}


# ----------------------------------------------------------------------------------------------
# Sweeps (recipe 2.6)
# ----------------------------------------------------------------------------------------------


def sweep(settings: Iterable[Mapping[str, Any]], run_one: Callable[..., Mapping[str, Any]]):
    """Call ``run_one(**setting)`` for each setting; return a DataFrame, one row per setting,
    with the setting's values followed by what ``run_one`` returned."""
    import pandas as pd

    rows = []
    for setting in settings:
        rows.append({**setting, **dict(run_one(**setting))})
    return pd.DataFrame(rows)


def grid(**axes: Iterable[Any]) -> list[dict[str, Any]]:
    """All combinations of the given axes, e.g. ``grid(batch_size=[16, 32], lr=[1e-3])``."""
    import itertools

    names = list(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*(list(v) for v in axes.values()))]
