"""Chapter 10 (inverse image search): run the notebook in smoke mode and check its metrics.

Smoke run: 37 photos + 40 Quick Draw categories x 20 drawings. The feasibility study measured
18/18 robustness hits and precision@10 0.12 (features) vs 0.04 (pixels) vs 0.003 (chance) over
345 categories x 20; with 40 categories chance is 0.024 and the floors below keep a wide margin.
The Commons counts are exact: the stand-in serves 37 photos, one damaged file and one 404."""

import pytest

from tests.notebooks.harness import check_closing_table, run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(10)


def test_commons_download_counts_are_exact(metrics):
    assert metrics["commons_rows"] == 39
    assert metrics["commons_usable"] == 37
    assert metrics["commons_bad"] == 1 and metrics["commons_not_found"] == 1
    assert metrics["commons_failed"] == 0
    assert metrics["commons_resumed"] == 37 and metrics["commons_refetched"] == 0


def test_changed_photos_find_their_original(metrics):
    assert metrics["robust_queries"] == 18
    assert metrics["robust_hits"] >= 17
    assert metrics["robust_min_similarity"] > metrics["robust_max_runner_up"] - 0.2


def test_features_retrieve_far_better_than_pixels_and_chance(metrics):
    chance = metrics["p_at_10_chance"]
    assert metrics["p_at_10_pixels"] > chance
    assert metrics["p_at_10_features"] > 1.5 * metrics["p_at_10_pixels"]
    assert metrics["p_at_10_features"] > 4 * chance


def test_drawing_size_was_measured_and_picked(metrics):
    trial = metrics["size_trial"]
    assert str(metrics["drawing_size"]) in trial
    best = max(t["p_at_10"] for t in trial.values())
    assert trial[str(metrics["drawing_size"])]["p_at_10"] >= 0.95 * best
    assert trial[str(metrics["drawing_size"])]["ms"] <= trial["224"]["ms"]


def test_indexes_exact_and_hnsw_close(metrics):
    knn = metrics["knn"]
    for exact in ("ball_tree", "numpy", "flat"):
        assert knn[exact]["recall@10"] > 0.99, exact  # a ball tree is exact
    assert metrics["hnsw_recall_at_10"] >= 0.9
    assert metrics["n_vectors"] == 37 + 40 * 20 and metrics["dim"] == 1280


def test_saved_index_round_trips(metrics):
    assert metrics["zoo_roundtrip_top1"] == "cat"
    assert metrics["zoo_recall_at_10"] > 0.8
    assert metrics["zoo_mb"] < 10


def test_canvas_shows_neighbourhood_and_book_formula_loses_most(metrics):
    assert metrics["canvas_cells_pca"] > 15 and metrics["canvas_cells_tsne"] > 15
    assert metrics["canvas_book_formula_on"] < 32
    assert metrics["canvas_sketch_cats"] >= 3  # smoke: 20 cats among 837 images, chance 1.5 of 64


def test_closing_table_cites_sources_and_this_runs_numbers(metrics):
    table = check_closing_table(metrics, {"10.1", "10.2", "10.3", "10.4"})
    robust = next(row for row in table if "robustness" in row[0])
    assert f"{metrics['robust_hits']}/18" in robust[2]
    assert f"{metrics['p_at_10_features']:.3f}" in next(r for r in table if "precision" in r[0])[2]


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()
