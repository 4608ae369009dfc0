"""cookbook.preprocessing: batching, balancing, splits, text and image helpers."""

from __future__ import annotations

import numpy as np
import pytest

from cookbook import preprocessing as prep


def test_shuffle_in_unison_keeps_pairs_together():
    x, y = np.arange(100) * 10, np.arange(100)
    xs, ys = prep.shuffle_in_unison(x, y, seed=0)
    assert not np.array_equal(ys, y) and np.array_equal(xs, ys * 10)
    with pytest.raises(ValueError):
        prep.shuffle_in_unison(x, y[:5])


def test_batch_generator_covers_every_row_once_per_epoch():
    x, y = np.arange(10), np.arange(10)
    gen = prep.batch_generator(x, y, batch_size=4, seed=0)
    steps = prep.steps_per_epoch(10, 4)
    assert steps == 3
    epoch = [next(gen) for _ in range(steps)]
    assert [len(b[0]) for b in epoch] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in epoch])) == list(range(10))
    assert all(np.array_equal(bx, by) for bx, by in epoch)


def test_tf_dataset_batches_all_rows():
    ds = prep.tf_dataset(np.arange(10, dtype="float32"), np.arange(10), batch_size=4, seed=0)
    seen = np.concatenate([y.numpy() for _, y in ds])
    assert sorted(seen) == list(range(10))


def test_undersample_and_oversample_balance_classes():
    x = np.arange(110)
    y = np.array([0] * 100 + [1] * 10)
    xu, yu = prep.undersample(x, y, seed=0)
    assert prep.class_counts(yu) == {0: 10, 1: 10} and set(xu[yu == 1]) == set(range(100, 110))
    xo, yo = prep.oversample(x, y, seed=0)
    assert prep.class_counts(yo) == {0: 100, 1: 100} and set(xo[yo == 0]) == set(range(100))


def test_train_val_test_split_is_disjoint_and_stratified():
    x = np.arange(200)
    y = np.array([0, 1] * 100)
    (xt, yt), (xv, yv), (xs, ys) = prep.train_val_test_split(x, y, val=0.2, test=0.2, seed=1)
    assert len(xt) + len(xv) + len(xs) == 200 and len(xs) == 40 and len(xv) == 40
    assert not (set(xt) & set(xv) or set(xt) & set(xs) or set(xv) & set(xs))
    assert abs(yv.mean() - 0.5) < 0.05


def test_train_or_test_splits_a_stream_without_overlap():
    train = list(prep.train_or_test(range(20), True))
    test = list(prep.train_or_test(range(20), False))
    assert test == [0, 4, 8, 12, 16] and sorted(train + test) == list(range(20))


def test_two_step_sampling_overweights_small_groups():
    groups = [["a"], list(range(99))]
    rng = np.random.default_rng(0)
    two = prep.sample_pairs_two_step(groups, 4000, rng)
    uni = prep.sample_pairs_uniform(groups, 4000, rng)
    assert 0.45 < sum(g == 0 for g, _ in two) / 4000 < 0.55   # half of all draws: one pair
    assert sum(g == 0 for g, _ in uni) / 4000 < 0.03           # 1 in 100


def test_one_hot_of_vocabulary_ids():
    from cookbook.text.vocab import Vocabulary

    vocab = Vocabulary.fit(["b a c a b a".split()])
    codes = vocab.encode(["a", "zzz"])
    assert codes.tolist() == [2, 1]                    # 'a' is the most frequent; 'zzz' -> <unk>
    hot = prep.one_hot(codes, len(vocab))
    assert hot.shape == (2, 5) and hot.sum() == 2 and hot[0, 2] == 1 and hot[1, 1] == 1


def test_top_k_share():
    assert prep.top_k_share(["a"] * 8 + ["b", "c"], k=1) == pytest.approx(0.8)


def test_standardize_and_share_within():
    rng = np.random.default_rng(0)
    images = rng.normal(100, 20, size=(50, 8, 8, 3))
    out, mean, std = prep.standardize(images)
    assert np.allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    assert np.allclose(out.std(axis=(0, 1, 2)), 1, atol=1e-3)
    assert 0.66 < prep.share_within(out) < 0.71            # 68% for a normal distribution
    again, _, _ = prep.standardize(images, mean, std)
    assert np.allclose(again, out)


def test_center_crop_square():
    img = np.zeros((30, 50, 3))
    img[:, 10:40] = 1
    crop = prep.center_crop_square(img)
    assert crop.shape == (30, 30, 3) and crop.min() == 1
