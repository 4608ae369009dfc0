"""Chapter 4 notebook in smoke mode: the dump parser finds the real film, the link model beats
the constant baseline on held-out pairs, the vectors carry taste and property information."""

import pytest

from tests.notebooks.harness import run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(4)


def test_dump_pipeline_finds_the_real_film(metrics):
    # gensim's real enwiki excerpt holds exactly one film infobox page
    assert metrics["dump_films"] == 1
    assert metrics["dump_first_film"] == "Actrius"
    assert metrics["dump_first_film_links"] > 20


def test_training_loss_falls_below_constant_baseline(metrics):
    assert metrics["final_loss"] < 0.8 * metrics["first_loss"]
    assert metrics["final_loss"] < metrics["baseline_mse"]


def test_link_model_beats_constant_on_heldout_pairs(metrics):
    # constant-prediction MSE is 40/121 = 0.331 with ten negatives per positive
    assert metrics["baseline_mse"] == pytest.approx(40 / 121, abs=1e-3)
    assert metrics["heldout_mse"] < metrics["baseline_mse"] - 0.05
    assert metrics["heldout_accuracy"] > metrics["baseline_accuracy"]
    assert metrics["heldout_auc"] > 0.8


def test_similar_movies_find_star_wars_sequels(metrics):
    assert metrics["star_wars_neighbours_in_top10"] >= 1


def test_recommender_ranks_heldout_users_preferences(metrics):
    assert metrics["recommender_users"] >= 10
    assert metrics["recommender_mean_auc"] > 0.6


def test_property_regression_beats_mean(metrics):
    assert metrics["rotten_tomatoes_n_test"] >= 100
    assert metrics["rotten_tomatoes_mse"] < 0.85 * metrics["rotten_tomatoes_baseline_mse"]
    assert metrics["log10_gross_mse"] < 0.9 * metrics["log10_gross_baseline_mse"]


def test_smoke_run_is_fast(metrics):
    assert metrics["mode"] == "smoke"
    assert metrics["_wall_seconds"] < wall_budget_s()


def test_closing_table_has_one_row_per_compared_recipe(metrics):
    rows = metrics["closing_table"]
    assert [row[0].split()[0] for row in rows] == ["4.2", "4.2", "4.2", "4.3", "4.4"]
    # every book figure names its source: the book's text or its companion notebook's log
    assert all("the book" in row[1] for row in rows)
    assert "companion notebook" in rows[1][1]
    assert f"{metrics['final_loss']:.4f}" in rows[1][2]        # this run's numbers, not typed in
    assert f"{metrics['recommender_mean_auc']:.3f}" in rows[3][2]


def test_similar_movies_query_is_the_star_wars_film(metrics):
    assert metrics["similar_query"].startswith("Star Wars")
