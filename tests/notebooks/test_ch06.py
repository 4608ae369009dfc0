"""Chapter 6 (question matching) in smoke mode: the notebook runs and its numbers are honest."""

import pytest

from tests.notebooks.harness import run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(6)


def test_stackexchange_path_pairs_only_accepted_answers(metrics):
    # 6.1 ran download -> 7z extraction -> streaming parse -> pairing against the stand-in
    from cookbook.fixtures import stackexchange as fx

    assert metrics["se_pairs"] == metrics["se_accepted"] == fx.FAQ_ACCEPTED + fx.SUPPORT_THREADS
    assert metrics["se_questions"] == metrics["se_accepted"] + fx.FAQ_UNACCEPTED
    assert metrics["se_rows"] > metrics["se_questions"]  # the answers are rows too


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


def test_memorization_shows_on_training_questions(metrics):
    # the watched training questions end up ranked better than the validation ones
    assert metrics["train_mrr_last"] > metrics["val_mrr_last"] + 0.2  # measured: 0.99 vs 0.36


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


def test_closing_table_has_one_row_per_compared_recipe(metrics):
    rows = metrics["closing_table"]
    assert [row[0].split()[0] for row in rows] == ["6.1", "6.3", "6.4", "6.5", "6.6", "6.6"]
    assert all(len(row) == 4 and all(cell.strip() for cell in row) for row in rows)
    # the notebook's column carries this run's numbers
    assert f"{metrics['mrr']:.3f}" in rows[4][2]
    assert f"{metrics['vocabulary']:,}" in rows[1][2]


def test_smoke_run_is_fast(metrics):
    assert metrics["mode"] == "smoke"
    assert metrics["_wall_seconds"] < wall_budget_s()
