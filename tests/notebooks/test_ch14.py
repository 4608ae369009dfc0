"""Chapter 14 (generating icons): run the notebook in smoke mode and check its recorded metrics.

Floors come from smoke runs with a margin (measured numbers in the comments): the icons are
rasterised, the icon VAE has the book's shape and reconstructs held-out icons better than the
mean icon without copying training icons, scanline tokens round-trip, augmentation lowers the
held-out loss of the small-data autoencoder, the GAN trains and its samples are not copies, and
the LSTM beats the most-common-token baseline on held-out icons."""

import pytest

from tests.notebooks.harness import check_closing_table, run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook
ICON_VAE_MARGIN = 0.05  # per pixel
RNN_MARGIN = 0.03


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(14)


def test_icons_rasterised(metrics):
    assert metrics["n_icons"] == 5491
    assert metrics["n_used"] == 400
    assert 0.1 < metrics["ink_fraction"] < 0.4  # measured 0.242


def test_icon_vae_has_the_books_shape(metrics):
    assert metrics["vae_params"] == 366_253
    assert metrics["vae_decoder_params"] == 245_697


def test_icon_vae_learns(metrics):
    assert metrics["vae_last_loss"] < metrics["vae_first_loss"]
    assert metrics["vae_floor"] < metrics["vae_rec_pp"]
    # 30 s of training on 340 icons: below a blind 0.5 per pixel (log 2 = 0.693) but not reliably
    # below the mean icon (measured 0.453 vs 0.472 after 24 epochs; 0.684 after 2 epochs on a
    # loaded machine); the zoo model's card below carries the full-mode check
    assert metrics["vae_rec_pp"] < 0.693
    assert metrics["vae_sample_nn_mad"] > 0.02  # a copy of a training icon would give 0
    assert 0.0 < metrics["vae_sample_ink"] < 0.6


def test_scanline_tokens(metrics):
    assert metrics["scanline_round_trip"] is True
    assert metrics["vocab"] == 34
    assert 100 < metrics["tokens_median"] < 600  # measured 278


def test_augmentation_helps_small_training_set(metrics):
    # measured 0.348-0.433 without, 0.214-0.266 with; mean-image baseline 0.476
    assert metrics["aug_bce_with"] < metrics["aug_bce_without"]
    assert metrics["aug_bce_with"] < metrics["aug_bce_mean_image"] - 0.1


def test_gan_trains_and_does_not_copy(metrics):
    assert metrics["gan_epochs"] >= 1 and len(metrics["gan_d_loss"]) == metrics["gan_epochs"]
    assert metrics["gan_g_params"] > 50_000 and metrics["gan_d_params"] > 20_000
    assert 0.0 <= metrics["gan_d_fake"] < metrics["gan_d_real"] <= 1.0
    assert metrics["gan_sample_nn_mad"] > 0.05  # measured 0.38-0.42: no sample is a copy


def test_lstm_beats_unigram_baseline(metrics):
    # measured 0.77 vs most-common-token 0.108 (the bigram table reached 0.735 in smoke)
    assert metrics["rnn_val_acc"] > metrics["rnn_unigram_acc"] + 0.15
    assert metrics["rnn_poster_icons"] == 24
    assert metrics["rnn_sample_ink"] > 0.0


def test_closing_table_and_time(metrics):
    check_closing_table(metrics, {"14.1", "14.3", "14.4", "14.5", "14.6", "14.9"})
    assert metrics["_wall_seconds"] < wall_budget_s()  # CI, empty cache, rasterising included: 119 s


# The full-mode models in zoo/14/, scored on the held-out icons when trained (the reference run
# re-scores them): the checks the smoke run can only show in miniature.
def _card(name):
    import json
    from pathlib import Path

    return json.loads((Path(__file__).resolve().parents[2] / "zoo" / "14" / f"{name}.json").read_text())


def test_zoo_icon_vae_beats_the_mean_icon_above_the_floor():
    card = _card("icon_vae")
    m, b = card["metrics"], card["baseline"]
    assert card["mode"] == "full" and card["icons"] == 5491
    assert b["entropy_floor_per_pixel"] < m["val_rec_per_pixel"] < b["mean_icon_per_pixel"] - ICON_VAE_MARGIN
    assert m["sample_nn_mad"] > 0.02  # samples from the prior are not copies of training icons
    # measured: 0.359 per pixel vs mean icon 0.465, floor 0.095; samples 0.177 from the nearest
    # training icon (held-out real icons 0.069)


def test_zoo_gan_trained_and_does_not_copy():
    g, d = _card("icon_gan_generator"), _card("icon_gan_discriminator")
    assert g["width"] == d["width"] == 16 and g["trained"]["epochs"] >= 10
    h = g["history"]
    assert len(h["d_loss"]) == g["trained"]["epochs"]
    assert 0.0 <= h["d_fake"][-1] < h["d_real"][-1] <= 1.0
    assert g["metrics"]["sample_nn_mad"] > 0.02


def test_zoo_lstm_beats_the_bigram_table():
    card = _card("icon_rnn")
    assert card["units"] == 128
    assert card["metrics"]["val_accuracy"] > card["baseline"]["bigram"] + RNN_MARGIN
