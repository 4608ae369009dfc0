"""Chapter 13 (autoencoders, VAEs): run the notebook in smoke mode and check its recorded
metrics: the book's parameter counts, losses that fell and beat an input-blind baseline, samples
that look like digits (nearer the training set than noise), and a conditional VAE whose samples a
classifier trained on real data recognises as the requested class well above chance."""

import pytest

from tests.notebooks.harness import run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(13)


def test_autoencoder_has_the_books_parameter_count(metrics):
    assert metrics["ae_params"] == 35_085


def test_book_parameter_counts(metrics):
    assert metrics["vae_params"] == 807_700
    assert metrics["cvae_params"] == 817_940


def test_autoencoder_beats_mean_image(metrics):
    assert metrics["ae_last_loss"] < metrics["ae_first_loss"]
    assert metrics["ae_floor"] <= metrics["ae_test_loss"]
    assert metrics["ae_test_loss"] < metrics["ae_baseline"] - 0.02


def test_vae_losses(metrics):
    assert metrics["vae_val_loss"] < metrics["vae_first_loss"]
    assert metrics["vae_val_loss"] < metrics["vae_baseline"] - 20
    assert metrics["vae_val_kl"] > 0.5  # the latent code is used
    assert metrics["vae_val_loss"] == pytest.approx(metrics["vae_val_rec"] + metrics["vae_val_kl"], rel=0.02)


def test_samples_are_digit_like(metrics):
    assert metrics["nn_sample"] < 0.6 * metrics["nn_noise"]
    assert metrics["nn_heldout"] < 0.6 * metrics["nn_noise"]


def test_conditional_vae_draws_the_requested_class(metrics):
    assert metrics["clf_real_acc"] > 0.8
    assert metrics["cvae_acc"] > 0.5  # chance 0.1
    assert metrics["qd_classes"] >= 10
    assert metrics["qd_val_loss"] < metrics["qd_first_loss"]
    assert metrics["qd_acc"] > 0.25  # chance 0.1


def test_closing_table(metrics):
    table = metrics["closing_table"]
    assert {"13.1", "13.2", "13.3", "13.4", "13.5", "13.6"} <= {r[0].split()[0] for r in table}
    for recipe, book, ours, why in table:
        assert book.startswith(("book", "companion notebook")), recipe
        assert ours and why, recipe


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()
