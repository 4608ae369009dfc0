"""Character-level text generation (chapter 5): vocabulary, tf.data windows, LSTM model, sampling
with temperature, and per-cell activations.

The model reads a sequence of character ids and predicts, at every position, the next character
(``return_sequences=True``), so each window of ``seq_len`` characters gives ``seq_len`` training
targets. Generation runs a second, step-wise copy of the network that carries the LSTM states from
one character to the next, so producing ``n`` characters costs ``n`` small steps instead of ``n``
passes over a growing context.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

UNKNOWN = "\x00"  # id 0: characters outside the vocabulary (rare symbols in a code corpus)


# --------------------------------------------------------------------------------------------
# vocabulary


@dataclass(frozen=True)
class CharVocab:
    """Characters <-> ids. Id 0 is reserved for characters the vocabulary does not know."""

    chars: str  # chars[0] == UNKNOWN

    @classmethod
    def from_text(cls, text: str, max_size: int | None = None, min_count: int = 1) -> "CharVocab":
        """Most frequent characters first (ties by code point), so that a capped vocabulary keeps
        the characters that matter and the order does not depend on dict iteration."""
        counts = Counter(text)
        counts.pop(UNKNOWN, None)
        ranked = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
        if max_size is not None:
            ranked = ranked[: max_size - 1]
        return cls(UNKNOWN + "".join(sorted(ranked)))

    @property
    def size(self) -> int:
        return len(self.chars)

    def _table(self) -> np.ndarray:
        # A lookup table over code points makes encoding a vectorised numpy gather.
        table = np.zeros(max(ord(c) for c in self.chars) + 1, dtype=np.int32)
        for index, char in enumerate(self.chars):
            table[ord(char)] = index
        return table

    def encode(self, text: str) -> np.ndarray:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        table = self._table()
        inside = codes < len(table)
        ids = np.zeros(len(codes), dtype=np.int32)
        ids[inside] = table[codes[inside]]
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def to_json(self) -> str:
        return json.dumps(self.chars)

    @classmethod
    def from_json(cls, text: str) -> "CharVocab":
        return cls(json.loads(text))


def split_ids(ids: np.ndarray, held_out: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Train / held-out split as one contiguous tail, so that no held-out window overlaps a
    training window (random windows would leak neighbouring text into the validation score)."""
    cut = int(len(ids) * (1 - held_out))
    return ids[:cut], ids[cut:]


# --------------------------------------------------------------------------------------------
# input pipelines


def window_dataset(ids: np.ndarray, seq_len: int, batch_size: int, *, shuffle: bool = True,
                   seed: int = 0, offset: int = 0):
    """A tf.data pipeline of ``(inputs, targets)`` batches: non-overlapping windows of
    ``seq_len + 1`` ids cut from ``ids[offset:]``, targets shifted by one character.

    Everything runs inside TensorFlow's C++ runtime (slicing, shuffling, batching, prefetching
    on a background thread), which is why it outpaces a Python generator.
    """
    import tensorflow as tf

    span = seq_len + 1
    usable = (len(ids) - offset) // span * span
    if usable == 0:
        raise ValueError(f"{len(ids)} ids are too few for windows of {span}")
    windows = np.asarray(ids[offset: offset + usable], dtype=np.int32).reshape(-1, span)
    ds = tf.data.Dataset.from_tensor_slices(windows)
    if shuffle:
        ds = ds.shuffle(len(windows), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=True)
    ds = ds.map(lambda w: (w[:, :-1], w[:, 1:]), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def python_batch_generator(text: str, vocab: CharVocab, seq_len: int, batch_size: int,
                           seed: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The 2018 way, for the benchmark: pick random offsets, look every character up in a dict
    in Python loops and one-hot encode the targets. Same samples, much more Python work."""
    rng = np.random.default_rng(seed)
    char_to_id = {c: i for i, c in enumerate(vocab.chars)}
    while True:
        x = np.zeros((batch_size, seq_len), dtype=np.int32)
        y = np.zeros((batch_size, seq_len, vocab.size), dtype=np.float32)
        for row in range(batch_size):
            start = int(rng.integers(0, len(text) - seq_len - 1))
            for col, char in enumerate(text[start: start + seq_len + 1]):
                index = char_to_id.get(char, 0)
                if col < seq_len:
                    x[row, col] = index
                if col > 0:
                    y[row, col - 1, index] = 1.0
        yield x, y


# --------------------------------------------------------------------------------------------
# model


def build_char_lstm(vocab_size: int, units: Sequence[int] = (256, 256), embed_dim: int = 48,
                    dropout: float = 0.0, learning_rate: float = 2e-3, name: str = "char_lstm",
                    one_hot_targets: bool = False):
    """Embedding -> stacked LSTMs (every position) -> Dense logits over the vocabulary.

    Logits rather than softmax outputs: the loss is computed stably from logits and sampling
    divides them by the temperature directly. ``one_hot_targets`` compiles a categorical loss for
    the book-style generator that yields one-hot targets.
    """
    import keras

    inputs = keras.Input(shape=(None,), dtype="int32", name="char_ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(inputs)
    for i, width in enumerate(units):
        x = keras.layers.LSTM(width, return_sequences=True, dropout=dropout, name=f"lstm_{i + 1}")(x)
    # float32 logits even under a mixed-precision policy: the softmax and loss need the range.
    logits = keras.layers.Dense(vocab_size, name="logits", dtype="float32")(x)
    model = keras.Model(inputs, logits, name=name)
    if one_hot_targets:
        loss = keras.losses.CategoricalCrossentropy(from_logits=True)
        metric = keras.metrics.CategoricalAccuracy(name="accuracy")
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        metric = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss=loss,
                  metrics=[metric])
    return model


@contextmanager
def precision_policy(name: str):
    """Build (and train) models under a Keras dtype policy, e.g. ``"mixed_bfloat16"``: the
    weights stay float32, the LSTM matrix products run in bfloat16. On CPUs with bfloat16
    units (AMX / AVX-512 BF16) that doubles to triples training speed."""
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def float32_copy(model):
    """The same network built under the float32 policy with the trained weights (which mixed
    precision keeps in float32 anyway): what we evaluate and save, so that loading the model
    never depends on bfloat16 support."""
    embed = model.get_layer("embedding")
    lstms = lstm_layers(model)
    with precision_policy("float32"):
        copy = build_char_lstm(embed.input_dim, [layer.units for layer in lstms], embed.output_dim,
                               dropout=lstms[0].dropout, name=model.name)
    copy.set_weights(model.get_weights())
    return copy


def bfloat16_is_fast() -> bool:
    """True when the CPU has bfloat16 matrix units (Linux /proc/cpuinfo flags amx_bf16 or
    avx512_bf16); elsewhere bfloat16 would be emulated and slower than float32."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def lstm_layers(model) -> list:
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]


def time_budget_callback(budget_s: float, base_lr: float, min_lr: float):
    """A Keras callback that spends a fixed wall-clock budget well: the learning rate follows a
    cosine from ``base_lr`` down to ``min_lr`` over the *time* budget (not over a guessed number
    of steps, which on a shared machine is unknowable), and training stops when time is up.
    Its ``expired`` attribute tells the caller to stop looping over epochs."""
    import keras

    class TimeBudget(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.started = None
            self.expired = False

        def on_train_batch_begin(self, batch, logs=None):
            if self.started is None:
                self.started = time.perf_counter()
            frac = min(1.0, (time.perf_counter() - self.started) / budget_s)
            if frac >= 1.0:
                self.expired = True
                self.model.stop_training = True
            lr = min_lr + (base_lr - min_lr) * 0.5 * (1 + np.cos(np.pi * frac))
            self.model.optimizer.learning_rate.assign(lr)

    return TimeBudget()


def train_char_model(model, train_ids: np.ndarray, val_ids: np.ndarray, *, seq_len: int,
                     batch_size: int, epochs: int, steps_per_epoch: int | None = None,
                     time_budget_s: float | None = None, seed: int = 0, verbose: int = 2,
                     base_lr: float | None = None, min_lr_fraction: float = 0.05):
    """Fit on tf.data windows; each epoch cuts the windows at a new offset so that, over epochs,
    the model sees every character boundary. With ``time_budget_s`` the learning rate decays over
    that budget and training stops when it is spent (mid-epoch if need be); ``epochs`` is then an
    upper bound. Returns ``(history dict, seconds)``."""
    val = window_dataset(val_ids, seq_len, batch_size, shuffle=False)
    callbacks = []
    budget = None
    if time_budget_s is not None:
        lr = base_lr if base_lr is not None else float(np.asarray(model.optimizer.learning_rate))
        budget = time_budget_callback(time_budget_s, lr, lr * min_lr_fraction)
        callbacks.append(budget)
    history: dict[str, list[float]] = {}
    started = time.perf_counter()
    for epoch in range(epochs):
        offset = (epoch * 37) % seq_len  # a different cut of the text each epoch
        train = window_dataset(train_ids, seq_len, batch_size, seed=seed + epoch, offset=offset)
        if steps_per_epoch:
            train = train.take(steps_per_epoch)
        result = model.fit(train, validation_data=val, epochs=epoch + 1, initial_epoch=epoch,
                           verbose=verbose, callbacks=callbacks)
        for key, values in result.history.items():
            history.setdefault(key, []).extend(float(v) for v in values)
        if budget is not None and budget.expired:
            break
    return history, time.perf_counter() - started


def evaluate_ids(model, ids: np.ndarray, seq_len: int, batch_size: int) -> dict[str, float]:
    """Held-out loss and next-character accuracy over non-overlapping windows."""
    result = model.evaluate(window_dataset(ids, seq_len, batch_size, shuffle=False), verbose=0,
                            return_dict=True)
    return {"loss": float(result["loss"]), "accuracy": float(result["accuracy"])}


def accuracy_by_position(model, ids: np.ndarray, seq_len: int, batch_size: int = 64) -> np.ndarray:
    """Next-character accuracy at each position of the non-overlapping windows that
    :func:`evaluate_ids` scores: entry ``i`` is the accuracy when the model has read ``i + 1``
    characters of the window (every window starts from empty LSTM states)."""
    hits = np.zeros(seq_len)
    count = 0
    for inputs, targets in window_dataset(ids, seq_len, batch_size, shuffle=False):
        guesses = np.argmax(np.asarray(model(inputs, training=False)), axis=-1)
        hits += (guesses == np.asarray(targets)).sum(axis=0)
        count += len(guesses)
    return hits / count


def unigram_baseline(train_ids: np.ndarray, val_ids: np.ndarray, vocab_size: int) -> dict[str, float]:
    """What a model that ignores context scores: always guess the most frequent character; loss
    is the cross-entropy of the training-set character frequencies on the held-out text."""
    counts = np.bincount(train_ids, minlength=vocab_size).astype(np.float64) + 1.0
    probs = counts / counts.sum()
    return {"loss": float(-np.log(probs[val_ids]).mean()),
            "accuracy": float(np.mean(val_ids == int(np.argmax(counts))))}


# --------------------------------------------------------------------------------------------
# sampling


def build_step_model(model):
    """A copy of ``model`` that takes one character id plus the LSTM states and returns the
    logits and the new states; it shares the trained weights (copied layer by layer)."""
    import keras

    embed = model.get_layer("embedding")
    token = keras.Input(shape=(1,), dtype="int32", name="char_id")
    x = keras.layers.Embedding(embed.input_dim, embed.output_dim, name="embedding")(token)
    state_inputs, state_outputs = [], []
    for layer in lstm_layers(model):
        h = keras.Input(shape=(layer.units,), name=f"{layer.name}_h")
        c = keras.Input(shape=(layer.units,), name=f"{layer.name}_c")
        x, h_out, c_out = keras.layers.LSTM(layer.units, return_sequences=True, return_state=True,
                                            name=layer.name)(x, initial_state=[h, c])
        state_inputs += [h, c]
        state_outputs += [h_out, c_out]
    logits = keras.layers.Dense(model.get_layer("logits").units, name="logits")(x)
    step = keras.Model([token, *state_inputs], [logits, *state_outputs], name=model.name + "_step")
    for layer in step.layers:
        if layer.weights:
            layer.set_weights(model.get_layer(layer.name).get_weights())
    return step


def sample_from_logits(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """Draw one id. Temperature divides the logits: < 1 sharpens the distribution towards the
    likeliest characters, > 1 flattens it; 0 means always take the most likely one."""
    logits = np.asarray(logits, dtype=np.float64)
    if temperature <= 0:
        return int(np.argmax(logits))
    scaled = logits / temperature
    scaled -= scaled.max()
    probs = np.exp(scaled)
    probs /= probs.sum()
    return int(rng.choice(len(probs), p=probs))


def generate(model, vocab: CharVocab, seed_text: str, length: int,
             temperatures: Sequence[float] = (1.0,), seed: int = 0, step_model=None) -> list[str]:
    """Continue ``seed_text`` by ``length`` characters once per temperature. All temperatures
    run side by side as one batch, so they share the cost of every step."""
    import tensorflow as tf

    step = step_model or build_step_model(model)
    rng = np.random.default_rng(seed)
    batch = len(temperatures)
    states = [np.zeros((batch, layer.units), np.float32)
              for layer in lstm_layers(model) for _ in (0, 1)]
    run = tf.function(lambda token, *s: step([token, *s], training=False), reduce_retracing=True)
    prime = vocab.encode(seed_text) if seed_text else np.zeros(1, np.int32)
    logits = None
    for char_id in prime:  # read the seed: only the states and the last logits matter
        token = np.full((batch, 1), char_id, np.int32)
        logits, *states = run(token, *states)
    out = [[] for _ in range(batch)]
    for _ in range(length):
        last = np.asarray(logits)[:, -1, :]
        chosen = [sample_from_logits(last[b], temperatures[b], rng) for b in range(batch)]
        for b, char_id in enumerate(chosen):
            out[b].append(char_id)
        logits, *states = run(np.asarray(chosen, np.int32)[:, None], *states)
    return [vocab.decode(ids) for ids in out]


# --------------------------------------------------------------------------------------------
# looking inside


def cell_activations(model, vocab: CharVocab, text: str, layer_name: str) -> np.ndarray:
    """Hidden-state output of every cell of ``layer_name`` at every character of ``text``:
    an array of shape ``(len(text), units)``."""
    import keras

    probe = keras.Model(model.inputs, model.get_layer(layer_name).output)
    return np.asarray(probe(vocab.encode(text)[None, :], training=False))[0]


def string_literal_mask(code: str) -> np.ndarray:
    """1.0 for characters inside a string literal of Python code (quotes included; triple-quoted
    strings may span lines), else 0.0. Comments are skipped so that "don't" in a comment does not
    open a string. A small scanner, good enough to find the cells that track strings."""
    mask = np.zeros(len(code), np.float32)
    n, i = len(code), 0
    while i < n:
        if code.startswith(('"""', "'''"), i):
            close = code.find(code[i:i + 3], i + 3)
            end = n if close < 0 else close + 3
        elif code[i] in "'\"":
            j = i + 1
            while j < n and code[j] not in (code[i], "\n"):
                j += 2 if code[j] == "\\" else 1
            end = min(n, j + 1)
        elif code[i] == "#":
            newline = code.find("\n", i)
            i = n if newline < 0 else newline
            continue
        else:
            i += 1
            continue
        mask[i:end] = 1.0
        i = end
    return mask


def bracket_depth(code: str) -> np.ndarray:
    """Nesting depth of (), [] and {} at each character (never below 0)."""
    depth = np.zeros(len(code), np.float32)
    level = 0
    for i, ch in enumerate(code):
        if ch in "([{":
            level += 1
        depth[i] = level
        if ch in ")]}":
            level = max(0, level - 1)
    return depth


def cells_tracking(activations: np.ndarray, feature: np.ndarray, top: int = 1) -> list[tuple[int, float]]:
    """The cells whose activation correlates best (in absolute value) with ``feature``:
    ``[(cell index, correlation), ...]``."""
    a = activations - activations.mean(axis=0)
    f = feature - feature.mean()
    denom = np.sqrt((a ** 2).sum(axis=0) * (f ** 2).sum()) + 1e-9
    corr = (a * f[:, None]).sum(axis=0) / denom
    order = np.argsort(-np.abs(corr))[:top]
    return [(int(i), float(corr[i])) for i in order]


def activation_html(text: str, values: np.ndarray) -> str:
    """The text as HTML with each character's background coloured by ``values`` in [-1, 1]
    (blue negative, red positive), for display in the notebook."""
    import html

    spans = []
    for ch, v in zip(text, np.clip(values, -1, 1)):
        colour = f"rgba(220,40,40,{v:.2f})" if v >= 0 else f"rgba(40,90,220,{-v:.2f})"
        shown = "<br>" if ch == "\n" else html.escape(ch).replace(" ", "&nbsp;")
        spans.append(f'<span style="background:{colour}">{shown}</span>')
    return '<div style="font-family:monospace;line-height:1.3">' + "".join(spans) + "</div>"


# --------------------------------------------------------------------------------------------
# one recipe end to end (the notebook and the zoo training both call this)


@dataclass
class TrainedCharModel:
    model: object
    vocab: CharVocab
    history: dict
    seconds: float
    held_out: dict
    baseline: dict
    data: dict


def train_and_evaluate(text: str, *, name: str, units: Sequence[int], seq_len: int,
                       batch_size: int, epochs: int, steps_per_epoch: int | None = None,
                       learning_rate: float = 3e-3, embed_dim: int = 48, held_out: float = 0.1,
                       max_vocab: int | None = None, val_chars: int | None = 50_000,
                       time_budget_s: float | None = None, seed: int = 0, dropout: float = 0.0,
                       mixed_precision: bool = False, verbose: int = 2) -> TrainedCharModel:
    """Vocabulary -> contiguous train/held-out split -> LSTM trained on tf.data windows with a
    cosine-decaying learning rate -> held-out loss/accuracy next to the unigram baseline.

    The per-epoch validation uses the first ``val_chars`` held-out characters (cheap progress
    signal); the final ``held_out`` numbers use all of it. ``mixed_precision`` trains under the
    ``mixed_bfloat16`` policy and returns (and scores) a float32 copy of the trained network.
    """
    import keras

    vocab = CharVocab.from_text(text, max_size=max_vocab)
    train_ids, val_ids = split_ids(vocab.encode(text), held_out)
    per_epoch = steps_per_epoch or len(train_ids) // ((seq_len + 1) * batch_size)
    # Under a time budget the TimeBudget callback sets the rate; otherwise decay over the steps.
    schedule = learning_rate if time_budget_s else keras.optimizers.schedules.CosineDecay(
        learning_rate, max(1, epochs * per_epoch), alpha=0.05)
    with precision_policy("mixed_bfloat16" if mixed_precision else "float32"):
        model = build_char_lstm(vocab.size, units, embed_dim, dropout=dropout,
                                learning_rate=schedule, name=name)
        monitor = val_ids[:val_chars] if val_chars else val_ids
        history, seconds = train_char_model(model, train_ids, monitor, seq_len=seq_len,
                                            batch_size=batch_size, epochs=epochs,
                                            steps_per_epoch=steps_per_epoch,
                                            time_budget_s=time_budget_s, seed=seed,
                                            verbose=verbose, base_lr=learning_rate)
    steps = int(model.optimizer.iterations.numpy())
    if mixed_precision:
        model = float32_copy(model)
    return TrainedCharModel(
        model=model, vocab=vocab, history=history, seconds=seconds,
        held_out=evaluate_ids(model, val_ids, seq_len, batch_size),
        baseline=unigram_baseline(train_ids, val_ids, vocab.size),
        data={"chars": len(text), "train_chars": len(train_ids), "held_out_chars": len(val_ids),
              "vocab_size": vocab.size, "seq_len": seq_len, "batch_size": batch_size,
              "units": list(units), "dropout": dropout, "epochs_run": len(history.get("loss", [])),
              "steps": steps, "chars_seen": steps * batch_size * seq_len,
              "precision": "mixed_bfloat16" if mixed_precision else "float32"})


def card_metrics(run: TrainedCharModel) -> dict:
    return {"held_out_accuracy": round(run.held_out["accuracy"], 4),
            "held_out_loss": round(run.held_out["loss"], 4),
            "final_train_loss": round(run.history["loss"][-1], 4),
            "final_train_accuracy": round(run.history["accuracy"][-1], 4)}


def zoo_card(run: TrainedCharModel, *, recipe: str, model_name: str, mode: str, source: str,
             book: str) -> dict:
    """The model card: data and sizes, held-out metrics next to the unigram baseline, the book's
    figure for comparison, and the vocabulary (needed to encode text for the saved model)."""
    from .. import zoo

    return zoo.make_card(
        chapter=5, recipe=recipe, model=model_name, mode=mode, data={"source": source, **run.data},
        epochs=run.data["epochs_run"], seconds=run.seconds, metrics=card_metrics(run),
        baseline={"unigram_accuracy": round(run.baseline["accuracy"], 4),
                  "unigram_loss": round(run.baseline["loss"], 4)},
        book=book, vocab=run.vocab.chars)
