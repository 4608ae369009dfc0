"""The one training loop the notebooks share: ``model.fit`` with a wall-clock budget, optional
early stopping, per-epoch timing, and the history returned as plain floats.

The recipe's model (its layers, ``compile``) stays in the notebook; this module only carries the
plumbing around ``fit`` that several chapters need::

    run = training.fit(model, (x_train, y_train), validation=(x_val, y_val), epochs=20,
                       budget_s=cfg.budget_s, patience=3)
    plots.history(run.history, "loss")
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

import keras
import numpy as np


@dataclass
class Run:
    """What one training run produced: the per-epoch history, the wall time of the whole fit
    and of each epoch, and whether the time budget cut it short."""

    history: dict[str, list[float]]
    seconds: float
    epochs_run: int
    epoch_seconds: list[float] = field(default_factory=list)
    epoch_cpu_seconds: list[float] = field(default_factory=list)
    budget_expired: bool = False
    best_epoch: int | None = None  # 0-based epoch whose weights were kept (early stopping)

    def last(self, key: str) -> float:
        return float(self.history[key][-1])

    def best(self, key: str, mode: str = "min") -> float:
        values = self.history[key]
        return float(min(values) if mode == "min" else max(values))

    @property
    def seconds_per_epoch(self) -> float:
        """Median epoch time, leaving out the first epoch (which also pays for tracing the
        graph), so that settings compare on their steady-state cost."""
        return _steady(self.epoch_seconds, self.seconds / max(self.epochs_run, 1))

    @property
    def cpu_seconds_per_epoch(self) -> float:
        """Like :attr:`seconds_per_epoch` but in CPU time of this process (all its threads),
        which other programs competing for the cores inflate far less than wall time."""
        return _steady(self.epoch_cpu_seconds, math.nan)


def _steady(values: list[float], fallback: float) -> float:
    steady = values[1:] or values
    return float(np.median(steady)) if steady else fallback


class EpochTimer(keras.callbacks.Callback):
    """Wall and CPU seconds of every epoch."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = (time.perf_counter(), time.process_time())

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start[0])
        self.cpu_seconds.append(time.process_time() - self._start[1])


class TimeBudget(keras.callbacks.Callback):
    """Stop training once ``budget_s`` wall-clock seconds are spent (checked at every batch, so a
    long epoch is cut mid-way). With ``base_lr`` the learning rate follows a cosine from
    ``base_lr`` to ``min_lr`` over the *time* budget rather than over a guessed number of steps,
    which on a shared machine is unknowable. ``expired`` tells a caller that loops over
    ``fit`` calls to stop; the clock starts at the first batch and runs across those calls."""

    def __init__(self, budget_s: float, base_lr: float | None = None, min_lr: float | None = None):
        super().__init__()
        self.budget_s = float(budget_s)
        self.base_lr = base_lr
        self.min_lr = base_lr * 0.05 if (base_lr is not None and min_lr is None) else min_lr
        self.started: float | None = None
        self.expired = False

    @property
    def elapsed(self) -> float:
        return 0.0 if self.started is None else time.perf_counter() - self.started

    def on_train_batch_begin(self, batch, logs=None):
        if self.started is None:
            self.started = time.perf_counter()
        frac = min(1.0, self.elapsed / self.budget_s) if self.budget_s > 0 else 1.0
        if frac >= 1.0:
            self.expired = True
            self.model.stop_training = True
        if self.base_lr is not None:
            lr = self.min_lr + (self.base_lr - self.min_lr) * 0.5 * (1 + math.cos(math.pi * frac))
            self.model.optimizer.learning_rate.assign(lr)


def fit(model, data, *, validation=None, epochs: int, batch_size: int | None = None,
        budget_s: float | None = None, base_lr: float | None = None, min_lr: float | None = None,
        patience: int | None = None, monitor: str = "val_loss", restore_best: bool = True,
        callbacks: Iterable[Any] = (), steps_per_epoch: int | None = None, verbose: int = 0,
        initial_epoch: int = 0) -> Run:
    """Fit a compiled ``model`` and return a :class:`Run`.

    ``data`` and ``validation`` are ``(x, y)`` tuples or ``tf.data`` datasets. ``budget_s`` caps
    the wall time (see :class:`TimeBudget`; ``base_lr`` adds its cosine schedule); ``patience``
    adds early stopping on ``monitor``, keeping the best epoch's weights."""
    timer = EpochTimer()
    extra: list[Any] = [timer]
    budget = None
    if budget_s is not None:
        budget = TimeBudget(budget_s, base_lr, min_lr)
        extra.append(budget)
    stopper = None
    if patience is not None:
        stopper = keras.callbacks.EarlyStopping(monitor=monitor, patience=patience,
                                                restore_best_weights=restore_best)
        extra.append(stopper)
    x, y = (data if isinstance(data, tuple) else (data, None))
    started = time.perf_counter()
    # Arrays are shuffled every epoch; a dataset or generator brings its own order (and Keras
    # warns that it ignores shuffle=True for those).
    fitted = model.fit(x, y, validation_data=validation, epochs=epochs, batch_size=batch_size,
                       shuffle=y is not None,
                       steps_per_epoch=steps_per_epoch, callbacks=[*extra, *callbacks],
                       verbose=verbose, initial_epoch=initial_epoch)
    seconds = time.perf_counter() - started
    history = {k: [float(v) for v in vals] for k, vals in fitted.history.items()}
    # EarlyStopping counts epochs from 0, not from initial_epoch; Run.best_epoch indexes history
    best = (int(stopper.best_epoch) - initial_epoch
            if stopper is not None and history.get(monitor) else None)
    return Run(history, seconds, len(history.get("loss", [])), timer.seconds, timer.cpu_seconds,
               budget_expired=bool(budget and budget.expired), best_epoch=best)


def predict(model, x, batch_size: int = 512) -> np.ndarray:
    """A model's outputs for ``x`` (an array, or a list of arrays for a model with several
    inputs), as NumPy. The model is called directly on batches rather than through
    ``model.predict``, which sets up and traces a new graph function for every model it meets;
    scoring many small models that way costs time and triggers TensorFlow's retracing warnings."""
    parts = list(x) if isinstance(x, (list, tuple)) else [x]
    out = []
    for start in range(0, len(parts[0]), batch_size):
        batch = [np.asarray(p[start:start + batch_size]) for p in parts]
        out.append(np.asarray(model(batch if len(batch) > 1 else batch[0], training=False)))
    return np.concatenate(out) if out else np.zeros((0, model.output_shape[-1]), dtype="float32")


def merge_histories(runs: Iterable[Run]) -> dict[str, list[float]]:
    """Concatenate the histories of consecutive ``fit`` calls (e.g. one call per epoch)."""
    merged: dict[str, list[float]] = {}
    for run in runs:
        for key, values in run.history.items():
            merged.setdefault(key, []).extend(values)
    return merged
