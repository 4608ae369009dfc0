"""Chapter 13 (autoencoders, VAEs): run the notebook in smoke mode and check its recorded
metrics: the book's parameter counts, losses that fell and beat an input-blind baseline, samples
that look like digits (nearer the training set than noise), and a conditional VAE whose samples a
classifier trained on real data recognises as the requested class well above chance."""

import pytest

from tests.notebooks.harness import check_closing_table, run_chapter, wall_budget_s

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
    check_closing_table(metrics, {"13.1", "13.2", "13.3", "13.4", "13.5", "13.6"})


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()


# The full-mode models in zoo/13/ (scored on the held-out digits / drawings when trained; the
# reference run re-scores them): their cards must show what the smoke run shows in miniature.
def _card(name):
    import json
    from pathlib import Path

    return json.loads((Path(__file__).resolve().parents[2] / "zoo" / "13" / f"{name}.json").read_text())


def test_zoo_vae_card():
    card = _card("mnist_vae")
    m, b = card["metrics"], card["baseline"]
    assert card["mode"] == "full" and card["trained"]["epochs"] >= 20
    assert b["entropy_floor"] < m["val_loss"] < b["mean_image_loss"] - 30  # measured 154.0 vs 204.8
    assert m["val_kl_loss"] > 1.0
    assert card["history"]["val_loss"][-1] < card["history"]["val_loss"][0]


def test_zoo_conditional_vae_cards():
    digits, drawings = _card("mnist_cvae"), _card("quickdraw_cvae")
    assert digits["metrics"]["val_loss"] < _card("mnist_vae")["metrics"]["val_loss"]  # the label helps
    for card in (digits, drawings):
        assert card["mode"] == "full" and card["data"]["classes"] == 10
        assert card["metrics"]["val_loss"] < card["baseline"]["mean_image_loss"] - 10
