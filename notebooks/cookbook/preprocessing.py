"""Data preprocessing helpers for chapter 1.3 (and any chapter that wants them).

Batches, balanced training sets, splits, one-hot codes and word shares, image normalization: each
function is small on purpose so the notebook can show it next to its effect. Tokenizing and
vocabularies are :mod:`cookbook.text.vocab`'s job.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Iterator, Sequence

import numpy as np

# ------------------------------------------------------------------------------------- batches


def shuffle_in_unison(x: np.ndarray, y: np.ndarray, seed: int | None = None):
    """Shuffle inputs and labels with one permutation, so pairs stay together."""
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}")
    order = np.random.default_rng(seed).permutation(len(x))
    return x[order], y[order]


def batch_generator(x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True,
                    seed: int | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless (x, y) batches, reshuffled every epoch: what a Python generator feeding
    ``model.fit(gen, steps_per_epoch=...)`` looks like when the data does not fit in memory
    (here it does, so the two paths can be compared)."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            yield x[idx], y[idx]


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Keras 3 wants an int; the last, smaller batch counts too."""
    return -(-n // batch_size)


def tf_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True,
               seed: int | None = None):
    """The tf.data equivalent: shuffle with a full-size buffer, batch, prefetch."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


# ----------------------------------------------------------------------------- balance, splits


def class_counts(y: Sequence) -> dict:
    return dict(sorted(Counter(np.asarray(y).tolist()).items()))


def undersample(x: np.ndarray, y: np.ndarray, seed: int | None = None):
    """Balance classes by keeping, for every class, as many random rows as the rarest has."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    keep = np.concatenate([rng.choice(np.flatnonzero(y == c), counts.min(), replace=False)
                           for c in classes])
    rng.shuffle(keep)
    return x[keep], y[keep]


def oversample(x: np.ndarray, y: np.ndarray, seed: int | None = None):
    """Balance classes by repeating random rows of the smaller classes up to the largest."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    keep = np.concatenate([rng.choice(np.flatnonzero(y == c), counts.max(),
                                      replace=counts[i] < counts.max())
                           for i, c in enumerate(classes)])
    rng.shuffle(keep)
    return x[keep], y[keep]


def train_val_test_split(x, y, val: float = 0.15, test: float = 0.15, seed: int = 42,
                         stratify: bool = True):
    """Three disjoint parts: train to fit, validation to tune, test touched once at the end."""
    from sklearn.model_selection import train_test_split

    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=test, random_state=seed, stratify=y if stratify else None)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val / (1 - test), random_state=seed,
        stratify=y_rest if stratify else None)
    return (x_train, y_train), (x_val, y_val), (x_test, y_test)


def train_or_test(items: Iterable, train: bool = True, every: int = 4) -> Iterator:
    """Split a stream without holding it: every ``every``-th item goes to test, the rest to
    train. Deterministic, so the two passes never overlap."""
    for i, item in enumerate(items):
        if (i % every == 0) != train:
            yield item


def sample_pairs_two_step(groups: Sequence[Sequence], n: int, rng) -> list[tuple[int, int]]:
    """Pick a random group, then a random member: members of small groups are over-sampled."""
    out = []
    for _ in range(n):
        g = int(rng.integers(len(groups)))
        out.append((g, int(rng.integers(len(groups[g])))))
    return out


def sample_pairs_uniform(groups: Sequence[Sequence], n: int, rng) -> list[tuple[int, int]]:
    """Pick uniformly among all (group, member) pairs: every pair equally likely."""
    flat = [(g, m) for g, members in enumerate(groups) for m in range(len(members))]
    return [flat[i] for i in rng.integers(len(flat), size=n)]


# ----------------------------------------------------------------------------------------- text

def one_hot(indices: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((len(indices), size), dtype=np.float32)
    out[np.arange(len(indices)), indices] = 1.0
    return out


def top_k_share(tokens: Sequence[str], k: int = 100) -> float:
    """Fraction of all running tokens covered by the ``k`` most frequent distinct ones."""
    counts = Counter(tokens)
    return sum(c for _, c in counts.most_common(k)) / max(1, sum(counts.values()))


# --------------------------------------------------------------------------------------- images


def standardize(images: np.ndarray, mean=None, std=None):
    """(x - mean) / std per channel; pass the training set's mean/std for other sets."""
    images = images.astype(np.float32)
    axes = tuple(range(images.ndim - 1))
    mean = images.mean(axis=axes) if mean is None else mean
    std = images.std(axis=axes) if std is None else std
    return (images - mean) / np.maximum(std, 1e-8), mean, std


def share_within(values: np.ndarray, low: float = -1.0, high: float = 1.0) -> float:
    values = np.asarray(values)
    return float(((values >= low) & (values <= high)).mean())


def center_crop_square(image: np.ndarray) -> np.ndarray:
    """The largest centered square of an (H, W, C) image."""
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return image[top:top + side, left:left + side]
