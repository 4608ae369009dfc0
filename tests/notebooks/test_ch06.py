"""Chapter 6 (question matching) in smoke mode: the notebook runs and its numbers are honest."""

import pytest

from tests.notebooks.harness import run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(6)


def test_stackexchange_path_pairs_only_accepted_answers(metrics):
    # 6.1 ran download -> 7z extraction -> streaming parse -> pairing over the loopback server
    assert metrics["se_pairs"] == metrics["se_expected_pairs"] > 0
    assert metrics["se_rows"] > metrics["se_pairs"]  # answers and unaccepted threads are rows too


def test_data_and_vocabulary_sizes(metrics):
    assert metrics["train_questions"] > 600 and metrics["test_questions"] > 100
    assert 2_000 < metrics["vocabulary"] <= 20_000
    assert metrics["test_unknown_word_share"] < 0.5


def test_training_lowers_the_loss(metrics):
    assert metrics["loss_last"] < 0.8 * metrics["loss_first"]
    assert metrics["train_accuracy"] > 0.75  # pairs are half true, half random: 0.5 is chance


def test_validation_ranking_improves_with_training(metrics):
    # the kept epoch ranks validation answers better than the untrained model (epoch 0)
    assert metrics["val_mrr_best"] > metrics["val_mrr_untrained"] + 0.02
    assert metrics["best_epoch"] >= 1


def test_ranking_beats_random_order(metrics):
    assert metrics["candidates"] > 50
    assert metrics["top1"] > 5 * metrics["random_top1"]
    assert metrics["top5"] > 3 * metrics["random_top5"]
    assert metrics["mrr"] > 3 * metrics["random_mrr"]


def test_training_improves_on_the_untrained_model(metrics):
    # random word vectors already reward shared words; training must add to that
    assert metrics["mrr"] > metrics["untrained_mrr"] + 0.02


def test_both_sources_are_matched_above_chance(metrics):
    for source in ("chatterbot", "python-faq"):
        assert metrics["mrr_by_source"][source] > 3 * metrics["random_mrr"], source


def test_smoke_run_is_fast(metrics):
    assert metrics["mode"] == "smoke"
    assert metrics["_wall_seconds"] < wall_budget_s()
