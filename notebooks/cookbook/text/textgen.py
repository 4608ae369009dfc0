"""Character-level text generation (chapter 5): tf.data windows, the training loop around the
notebook's LSTM, evaluation, sampling with temperature, cleaning Python source, and per-cell
activations. The vocabulary is :class:`cookbook.text.vocab.Vocabulary` with ``reserved=(UNK,)``.

The model reads a sequence of character ids and predicts, at every position, the next character
(``return_sequences=True``), so each window of ``seq_len`` characters gives ``seq_len`` training
targets. Generation runs a second, step-wise copy of the network that carries the LSTM states from
one character to the next, so producing ``n`` characters costs ``n`` small steps instead of ``n``
passes over a growing context.
"""

from __future__ import annotations

import io
import time
import tokenize
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from .vocab import UNK, Vocabulary



def char_vocabulary(text: str, max_size: int | None = None) -> Vocabulary:
    """The character vocabulary of ``text`` under the one id scheme (:mod:`cookbook.text.vocab`):
    id 0 is ``UNK`` (characters the vocabulary does not know), then the characters, most
    frequent first; ``max_size`` caps the ids in all (rare symbols of a code corpus map to 0)."""
    return Vocabulary.fit([text], reserved=(UNK,), max_size=max_size)


def vocab_from_card(card: dict) -> Vocabulary:
    """The vocabulary a zoo model was trained with (stored in its card as ``to_dict()``)."""
    return Vocabulary.from_dict(card["vocab"])


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


def python_batch_generator(text: str, vocab: Vocabulary, seq_len: int, batch_size: int,
                           seed: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The 2018 way, for the benchmark: pick random offsets, look every character up in a dict
    in Python loops and one-hot encode the targets. Same samples, much more Python work."""
    rng = np.random.default_rng(seed)
    char_to_id = dict(vocab.index)
    unknown = vocab.unknown_id or 0
    while True:
        x = np.zeros((batch_size, seq_len), dtype=np.int32)
        y = np.zeros((batch_size, seq_len, vocab.size), dtype=np.float32)
        for row in range(batch_size):
            start = int(rng.integers(0, len(text) - seq_len - 1))
            for col, char in enumerate(text[start: start + seq_len + 1]):
                index = char_to_id.get(char, unknown)
                if col < seq_len:
                    x[row, col] = index
                if col > 0:
                    y[row, col - 1, index] = 1.0
        yield x, y


# --------------------------------------------------------------------------------------------
# precision and training (the model itself is built in the notebook)


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
    """The same network with every layer under the float32 policy and the trained weights
    (which mixed precision keeps in float32 anyway): what we evaluate and save, so that loading
    the model never depends on bfloat16 support."""
    import keras

    def as_float32(layer):
        return layer.__class__.from_config({**layer.get_config(), "dtype": "float32"})

    copy = keras.models.clone_model(model, clone_function=as_float32)
    copy.set_weights(model.get_weights())
    if model.compiled:
        copy.compile_from_config(model.get_compile_config())
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


def train_char_model(model, train_ids: np.ndarray, val_ids: np.ndarray, *, seq_len: int,
                     batch_size: int, epochs: int, steps_per_epoch: int | None = None,
                     time_budget_s: float | None = None, seed: int = 0, verbose: int = 0,
                     base_lr: float | None = None, min_lr_fraction: float = 0.05):
    """Fit on tf.data windows with :func:`cookbook.training.fit`, one call per epoch, because each
    epoch cuts the windows at a new offset (over epochs the model sees every character boundary).
    With ``time_budget_s`` one :class:`~cookbook.training.TimeBudget` spans all the calls: the
    learning rate decays over that budget and training stops when it is spent (mid-epoch if need
    be); ``epochs`` is then an upper bound. Returns a :class:`~cookbook.training.Run` whose history
    joins the epochs."""
    from .. import training

    val = window_dataset(val_ids, seq_len, batch_size, shuffle=False)
    budget = None
    if time_budget_s is not None:
        lr = base_lr if base_lr is not None else float(np.asarray(model.optimizer.learning_rate))
        budget = training.TimeBudget(time_budget_s, lr, lr * min_lr_fraction)
    runs = []
    started = time.perf_counter()
    for epoch in range(epochs):
        offset = (epoch * 37) % seq_len  # a different cut of the text each epoch
        train = window_dataset(train_ids, seq_len, batch_size, seed=seed + epoch, offset=offset)
        if steps_per_epoch:
            train = train.take(steps_per_epoch)
        runs.append(training.fit(model, train, validation=val, epochs=epoch + 1,
                                 initial_epoch=epoch, verbose=verbose,
                                 callbacks=[budget] if budget else ()))
        if budget is not None and budget.expired:
            break
    history = training.merge_histories(runs)
    return training.Run(history, time.perf_counter() - started, len(history.get("loss", [])),
                        [s for run in runs for s in run.epoch_seconds],
                        [s for run in runs for s in run.epoch_cpu_seconds],
                        budget_expired=bool(budget and budget.expired))


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


def generate(model, vocab: Vocabulary, seed_text: str, length: int,
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
# Python source: the book's cleaning, and does generated code compile?

PLACEHOLDER = "MSG"  # what the book puts in place of an English string literal


def _is_english(body: str, min_letters: int) -> bool:
    # the book's rule: a space and more than ``min_letters`` letters make a literal "English"
    return " " in body and sum(ch.isalpha() for ch in body) > min_letters


def _replace_string(token: str, placeholder: str, min_letters: int) -> str:
    prefix_end = next(i for i, ch in enumerate(token) if ch in "'\"")
    quote = token[prefix_end:prefix_end + 3] if token[prefix_end:prefix_end + 3] in ('"""', "'''") \
        else token[prefix_end]
    body = token[prefix_end + len(quote): len(token) - len(quote)]
    if not _is_english(body, min_letters):
        return token
    return token[:prefix_end] + quote + placeholder + quote


def clean_python_source(code: str, *, placeholder: str = PLACEHOLDER, min_letters: int = 6,
                        ascii_only: bool = True) -> str | None:
    """The book's cleaning of the code corpus (recipe 5.3), done with the :mod:`tokenize` module
    so that a ``#`` inside a string or a quote inside a comment cannot fool it: comments are
    removed (a line that held only a comment goes entirely), string literals that read like
    English (a space and more than ``min_letters`` letters) become ``"MSG"`` with their prefix and
    quotes kept, and, as the book's companion notebook does, non-ASCII characters are dropped.
    Returns ``None`` for source the tokenizer rejects."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    lines = code.splitlines(keepends=True)
    starts = np.cumsum([0] + [len(line) for line in lines])
    edits = []  # (start offset, end offset, replacement), in source order
    for tok in tokens:
        row, col = tok.start
        start = int(starts[row - 1]) + col
        end = int(starts[tok.end[0] - 1]) + tok.end[1]
        if tok.type == tokenize.STRING:
            edits.append((start, end, _replace_string(tok.string, placeholder, min_letters)))
        elif tok.type == tokenize.COMMENT:
            before = tok.line[:col]
            if before.strip():  # code, then a comment: drop the comment and the blanks before it
                edits.append((start - (len(before) - len(before.rstrip())), end, ""))
            else:  # a line that is only a comment goes entirely
                edits.append((int(starts[row - 1]), int(starts[row]), ""))
    out = []
    last = 0
    for start, end, text in edits:
        out.append(code[last:start] + text)
        last = end
    cleaned = "".join(out) + code[last:]
    if ascii_only:
        cleaned = cleaned.encode("ascii", "ignore").decode("ascii")
    return cleaned


def complete_functions(samples: Sequence[str], prefix: str = "def ") -> list[str]:
    """Cut each generated sample (which continued ``prefix``) at its first blank line, as the
    book's ``generate_code`` stops at ``end_with='\\n\\n'``; samples that never reach a blank
    line (the function did not end within the sample) are left out."""
    out = []
    for sample in samples:
        text = prefix + sample
        cut = text.find("\n\n")
        if cut > 0:
            out.append(text[:cut] + "\n")
    return out


_LINE_CONTEXTS = ("def _():\n for _ in ():\n  {}", "def _():\n for _ in ():\n  if 1: pass\n  {}",
                  "def _():\n for _ in ():\n  try: pass\n  {}")


def line_compiles(line: str) -> bool:
    """Whether one generated line is valid Python on its own: inside a function and a loop (so
    ``return`` and ``break`` count), after an ``if`` or ``try`` (so ``else:`` and ``except:``
    count), with ``pass`` as the body of a line that opens a block."""
    text = line.strip()
    if text.endswith(":"):
        text += " pass"
    return any(compiles(context.format(text)) for context in _LINE_CONTEXTS)


def line_compile_share(samples: Sequence[str]) -> float:
    """The share of non-blank, non-comment generated lines that :func:`line_compiles` accepts: a
    graded measure of syntax where whole functions (:func:`compiles`) are still all-or-nothing."""
    lines = [line for sample in samples for line in sample.split("\n")
             if line.strip() and not line.lstrip().startswith("#")]
    return float(np.mean([line_compiles(line) for line in lines])) if lines else 0.0


def compiles(code: str) -> bool:
    """True when ``compile()`` accepts ``code`` (syntax only: nothing is run)."""
    try:
        compile(code, "<generated>", "exec")
    except (SyntaxError, ValueError, OverflowError):
        return False
    return True


# --------------------------------------------------------------------------------------------
# looking inside


def cell_activations(model, vocab: Vocabulary, text: str, layer_name: str) -> np.ndarray:
    """Hidden-state output of every cell of ``layer_name`` at every character of ``text``:
    an array of shape ``(len(text), units)``."""
    import keras

    probe = keras.Model(model.input, model.get_layer(layer_name).output)
    return np.asarray(probe(vocab.encode(text)[None, :], training=False))[0]


def string_literal_mask(code: str, comments: bool = False) -> np.ndarray:
    """1.0 for characters inside a string literal of Python code (quotes included; triple-quoted
    strings may span lines), else 0.0. Comments are skipped so that "don't" in a comment does not
    open a string; with ``comments=True`` they are marked 1.0 too (the mask's mean is then the
    share of the text that is comments or strings). A small scanner: it works on any slice of
    code, where :mod:`tokenize` needs whole files."""
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
            end = n if newline < 0 else newline
            if comments:
                mask[i:end] = 1.0
            i = end
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
    vocab: Vocabulary
    history: dict
    seconds: float
    held_out: dict
    baseline: dict
    data: dict


def train_and_evaluate(text: str, build: Callable[..., object], *, name: str,
                       units: Sequence[int], seq_len: int, batch_size: int, epochs: int,
                       steps_per_epoch: int | None = None, learning_rate: float = 3e-3,
                       held_out: float = 0.1, max_vocab: int | None = None,
                       val_chars: int | None = 50_000, time_budget_s: float | None = None,
                       seed: int = 0, dropout: float = 0.0, mixed_precision: bool = False,
                       verbose: int = 0) -> TrainedCharModel:
    """Vocabulary -> contiguous train/held-out split -> ``build(vocab_size, units=, dropout=,
    learning_rate=, name=)`` (the notebook's model) trained on tf.data windows with a
    cosine-decaying learning rate -> held-out loss/accuracy next to the unigram baseline.

    The per-epoch validation uses the first ``val_chars`` held-out characters (cheap progress
    signal); the final ``held_out`` numbers use all of it. ``mixed_precision`` trains under the
    ``mixed_bfloat16`` policy and returns (and scores) a float32 copy of the trained network.
    """
    import keras

    vocab = char_vocabulary(text, max_size=max_vocab)
    train_ids, val_ids = split_ids(vocab.encode(text), held_out)
    per_epoch = steps_per_epoch or len(train_ids) // ((seq_len + 1) * batch_size)
    # Under a time budget the TimeBudget callback sets the rate; otherwise decay over the steps.
    schedule = learning_rate if time_budget_s else keras.optimizers.schedules.CosineDecay(
        learning_rate, max(1, epochs * per_epoch), alpha=0.05)
    with precision_policy("mixed_bfloat16" if mixed_precision else "float32"):
        model = build(vocab.size, units=tuple(units), dropout=dropout, learning_rate=schedule,
                      name=name)
        monitor = val_ids[:val_chars] if val_chars else val_ids
        run = train_char_model(model, train_ids, monitor, seq_len=seq_len, batch_size=batch_size,
                               epochs=epochs, steps_per_epoch=steps_per_epoch,
                               time_budget_s=time_budget_s, seed=seed, verbose=verbose,
                               base_lr=learning_rate)
    steps = int(model.optimizer.iterations.numpy())
    if mixed_precision:
        model = float32_copy(model)
    return TrainedCharModel(
        model=model, vocab=vocab, history=run.history, seconds=run.seconds,
        held_out=evaluate_ids(model, val_ids, seq_len, batch_size),
        baseline=unigram_baseline(train_ids, val_ids, vocab.size),
        data={"chars": len(text), "train_chars": len(train_ids), "held_out_chars": len(val_ids),
              "vocab_size": vocab.size, "seq_len": seq_len, "batch_size": batch_size,
              "units": list(units), "dropout": dropout, "epochs_run": run.epochs_run,
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
        book=book, vocab=run.vocab.to_dict())
