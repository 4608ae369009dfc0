"""Chapter 14 (generating icons): run the notebook in smoke mode and check its recorded metrics.

Floors come from smoke runs with a margin (measured numbers in the comments): the icons are
rasterised, scanline tokens round-trip, augmentation lowers the held-out loss of the small-data
autoencoder, the GAN trains and its samples are not copies, and the LSTM beats the
most-common-token baseline on held-out icons."""

import pytest

from tests.notebooks.harness import run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(14)


def test_icons_rasterised(metrics):
    assert metrics["n_icons"] == 5491
    assert metrics["n_used"] == 400
    assert 0.1 < metrics["ink_fraction"] < 0.4  # measured 0.242


def test_scanline_tokens(metrics):
    assert metrics["scanline_round_trip"] is True
    assert metrics["vocab"] == 34
    assert 100 < metrics["tokens_median"] < 600  # measured 278


def test_augmentation_helps_small_training_set(metrics):
    # measured 0.433 / 0.392 without, 0.214 / 0.227 with; mean-image baseline 0.476
    assert metrics["aug_bce_with"] < metrics["aug_bce_without"]
    assert metrics["aug_bce_with"] < metrics["aug_bce_mean_image"] - 0.1


def test_gan_trains_and_does_not_copy(metrics):
    assert metrics["gan_epochs"] >= 1 and len(metrics["gan_d_loss"]) == metrics["gan_epochs"]
    assert metrics["gan_g_params"] > 50_000 and metrics["gan_d_params"] > 20_000
    assert 0.0 <= metrics["gan_d_fake"] < metrics["gan_d_real"] <= 1.0
    assert metrics["gan_sample_nn_mad"] > 0.05  # measured 0.38-0.42: no sample is a copy


def test_lstm_beats_unigram_baseline(metrics):
    # measured 0.47-0.50 vs most-common-token 0.111 (the bigram table reached 0.735 in smoke)
    assert metrics["rnn_val_acc"] > metrics["rnn_unigram_acc"] + 0.15
    assert metrics["rnn_poster_icons"] == 24
    assert metrics["rnn_sample_ink"] > 0.0


def test_closing_table_and_time(metrics):
    assert len(metrics["closing_table"]) == 5
    assert metrics["_wall_seconds"] < 2 * wall_budget_s()
