"""Chapter 16 part 1 (embeddings and models in production): run the notebook in smoke mode
against the real PostgreSQL, gunicorn and Chromium, and check what it recorded: exact indexes
agree with numpy, HNSW reaches its recall target, SQL results equal numpy's top 10, the service
answers (and refuses bad input with 4xx), the page shows results, and everything is cleaned up."""

import pytest

from tests.notebooks.harness import check_closing_table, run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(16)


def test_movie_index_survives_joblib_and_finds_the_sequels(metrics):
    assert metrics["movie_count"] > 3000 and metrics["movie_reload_same"]
    assert metrics["movie_query"].startswith("Star Wars")
    assert metrics["movie_star_wars_in_top10"] >= 1  # chance: ~3 Star Wars films among 3,496


def test_knn_recall_and_speed(metrics):
    assert metrics["knn_ball_tree_recall"] >= 0.99 and metrics["knn_brute_recall"] >= 0.99
    assert metrics["knn_hnsw_recall"] >= 0.95
    assert metrics["knn_hnsw_vs_ball_tree"] > 2  # smoke size; the benchmark measures 400k words


def test_postgres_matches_numpy_and_resists_injection(metrics):
    assert metrics["pg_recall_vs_numpy"] >= 0.99
    assert metrics["pg_gist_used"] and metrics["pg_gist_same_results"]
    assert metrics["pg_gist3_ms"] < metrics["pg_seq_ms"] / 3  # the index does work in 3-D
    assert metrics["pg_injection_rows"] == 0 and metrics["pg_movies_left"] == metrics["movie_count"]


def test_svd_keeps_most_neighbours_but_not_all(metrics):
    assert 0.5 < metrics["svd_top10_survive"] < 1.0
    assert metrics["svd_pg_matches_numpy"]


def test_service_answers(metrics):
    assert metrics["service_health"] == "ok"
    assert set(metrics["service_models"]) == {"images", "emoji", "plurals", "chatbot"}
    assert metrics["image_self_first"] and metrics["image_self_similarity"] > 0.99
    assert metrics["image_variant_top"] == "chelsea"
    assert metrics["function_ms"] < metrics["predict_ms"]


def test_bad_requests_get_4xx(metrics):
    statuses = metrics["bad_request_statuses"]
    assert len(statuses) >= 7 and all(400 <= s < 500 for s in statuses.values())
    assert metrics["beam_limit_status"] == 413


def test_page_in_chromium(metrics):
    assert metrics["page_title"] == "Ask the models"
    assert metrics["page_results"]["plurals"][0] == "mice"
    assert len(metrics["page_results"]["emoji"]) == 3
    assert "none of the words" in metrics["page_error"]


def test_seq2seq_service(metrics):
    assert metrics["plural_service_accuracy"] > metrics["plural_append_s_accuracy"] + 0.1
    assert metrics["plural_single_equals_batched"]
    assert metrics["plural_batched_words_per_s"] > metrics["plural_single_words_per_s"]
    assert metrics["chat_nonempty"] >= 0.75


def test_everything_was_stopped(metrics):
    assert metrics["cleanup_ok"]


def test_closing_table(metrics):
    check_closing_table(metrics, {"16.1", "16.2-16.3", "16.4", "16.5-16.6", "16.7", "16.8"})


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()
