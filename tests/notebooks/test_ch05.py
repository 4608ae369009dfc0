"""Chapter 5 notebook in smoke mode: the corpora load, training lowers the loss, the zoo models
load, score well on held-out text and generate, and the activation probe finds real signals."""

import pytest

from tests.notebooks.harness import run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(5)


def test_runs_in_smoke_mode_within_budget(metrics):
    assert metrics["mode"] == "smoke"
    assert metrics["_wall_seconds"] < wall_budget_s()


def test_gutenberg_path_and_offline_corpora(metrics):
    assert metrics["gutenberg_stripped_ok"] is True
    assert metrics["sonnets"] == 154
    assert metrics["shakespeare_chars"] > 5_000_000


def test_smoke_training_lowers_the_loss_below_the_baseline(metrics):
    # measured: 0.85 and 0.89 of the first epoch's loss after 2 x 25 steps
    assert metrics["sh_train_loss_last"] < 0.93 * metrics["sh_train_loss_first"]
    assert metrics["py_train_loss_last"] < 0.95 * metrics["py_train_loss_first"]
    # even a few dozen steps must beat "always guess a space" on held-out text
    assert metrics["sh_heldout_loss"] < metrics["sh_baseline_loss"]
    assert metrics["sh_heldout_accuracy"] > metrics["sh_baseline_accuracy"] + 0.05


def test_zoo_shakespeare_model_is_much_better_than_the_baseline(metrics):
    # measured in the notebook on the first 30k held-out characters, which are harder than the
    # rest (about 0.03 below the card's figure on all 506k); the two must agree
    assert metrics["zoo_sh_accuracy"] > 0.52
    assert metrics["zoo_sh_accuracy"] > metrics["zoo_sh_baseline_accuracy"] + 0.3
    assert abs(metrics["zoo_sh_accuracy"] - metrics["zoo_sh_card_accuracy"]) < 0.06
    assert metrics["zoo_sh_train_seconds"] <= 7_700 + 300  # one 7,700 s CPU budget (card)


def test_zoo_python_model_is_much_better_than_the_baseline(metrics):
    # measured 0.57 (card 0.53 on all 300k held-out characters); unigram baseline 0.28
    assert metrics["zoo_py_accuracy"] > 0.45
    assert metrics["zoo_py_accuracy"] > metrics["zoo_py_baseline_accuracy"] + 0.15


def test_low_temperature_gives_more_real_words_than_high(metrics):
    # measured: 0.98 of the words are real at T=0.5, 0.35 at T=1.5
    assert metrics["real_words_t0_5"] > 0.55
    assert metrics["real_words_t0_5"] > metrics["real_words_t1_5"] + 0.2


def test_some_cells_track_strings_and_brackets(metrics):
    # measured |r| = 0.42 (strings) and 0.57 (bracket depth) for the best cell of 256
    assert metrics["string_cell_corr"] > 0.3
    assert metrics["bracket_cell_corr"] > 0.4


def test_zoo_shakespeare_model_uses_its_context(metrics):
    # measured on the first 30k held-out characters (2x512 zoo model): 0.29 after one
    # character, 0.57 over the second half of the window, 0.56 over all positions
    assert metrics["zoo_sh_acc_second_half"] > metrics["zoo_sh_acc_first_position"] + 0.15
    assert metrics["zoo_sh_acc_second_half"] > metrics["zoo_sh_accuracy"]
