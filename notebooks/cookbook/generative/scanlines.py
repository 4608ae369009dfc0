"""Icons as "drawing instructions": scanline tokens for an RNN (recipe 14.8).

A ``size``×``size`` bitmap becomes, row by row, the x coordinate of every inked pixel
(0 … size−1), then the token ``size`` ("next row"); the icon ends with ``size + 1``. The
vocabulary therefore has ``size + 2`` tokens (34 for 32×32 icons)."""

from __future__ import annotations

import numpy as np


def next_row(size: int = 32) -> int:
    return size


def end(size: int = 32) -> int:
    return size + 1


def vocab_size(size: int = 32) -> int:
    return size + 2


def encode(bitmap: np.ndarray, threshold: float = 0.5) -> list[int]:
    """Tokens for one square bitmap (ink ≥ ``threshold`` counts as drawn)."""
    bitmap = np.asarray(bitmap)
    if bitmap.ndim != 2 or bitmap.shape[0] != bitmap.shape[1]:
        raise ValueError(f"expected one square bitmap, got shape {bitmap.shape}")
    size = bitmap.shape[0]
    tokens: list[int] = []
    for row in bitmap >= threshold:
        tokens.extend(int(x) for x in np.flatnonzero(row))
        tokens.append(size)
    tokens.append(size + 1)
    return tokens


def decode(tokens, size: int = 32) -> np.ndarray:
    """The bitmap a token stream draws. Stops at the end token or after ``size`` rows; tokens
    outside the vocabulary raise ``ValueError``."""
    out = np.zeros((size, size), dtype=np.float32)
    row = 0
    for t in tokens:
        t = int(t)
        if t == size + 1:
            break
        if t == size:
            row += 1
            if row >= size:
                break
        elif 0 <= t < size:
            out[row, t] = 1.0
        else:
            raise ValueError(f"token {t} is outside the vocabulary 0..{size + 1}")
    return out


def stream(bitmaps, threshold: float = 0.5) -> np.ndarray:
    """All icons' tokens concatenated into one int32 stream (each icon closed by its end token)."""
    return np.fromiter((t for b in bitmaps for t in encode(b, threshold)), dtype=np.int32)


def windows(tokens: np.ndarray, length: int, step: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)``: windows of ``length`` tokens and the token that follows each."""
    tokens = np.asarray(tokens, dtype=np.int32)
    starts = np.arange(0, len(tokens) - length, step)
    if len(starts) == 0:
        raise ValueError(f"stream of {len(tokens)} tokens is too short for windows of {length}")
    x = np.stack([tokens[s:s + length] for s in starts])
    return x, tokens[starts + length]


def bigram_accuracy(train: np.ndarray, test: np.ndarray, vocab: int) -> float:
    """Next-token accuracy of the baseline that predicts, for each token, the token that most
    often followed it in ``train``."""
    counts = np.zeros((vocab, vocab), dtype=np.int64)
    np.add.at(counts, (train[:-1], train[1:]), 1)
    best = counts.argmax(axis=1)
    return float((best[test[:-1]] == test[1:]).mean())


def sample(probs: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """One token drawn from ``probs`` re-weighted by ``temperature`` (low = safer choices)."""
    logits = np.log(np.maximum(probs, 1e-9)) / max(temperature, 1e-6)
    p = np.exp(logits - logits.max())
    return int(rng.choice(len(p), p=p / p.sum()))
