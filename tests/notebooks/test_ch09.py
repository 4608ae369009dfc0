"""Chapter 9 (reusing a pretrained image network): run the notebook in smoke mode and check its
recorded metrics.

Floors come from smoke runs with a wide margin (measured numbers are in the comments); the
checks are that pretrained features beat raw pixels, that the outlier filter ranks planted
airplanes far from the cat centroid, that the retrained model beats its pixel baseline on a
held-out test split, and that the ImageNet classifier names real photos sensibly."""

import pytest

from tests.notebooks.harness import check_closing_table, run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(9)


def test_backbone_and_crop(metrics):
    assert metrics["lite0_params"] == 4_694_024
    assert metrics["book_crop_size"] == [554, 548]  # the book's (x, y, s, s) box on cat.jpg
    assert metrics["fixed_crop_size"] == [554, 554]


def test_imagenet_classes_for_real_photos(metrics):
    assert metrics["probs_sum_to_one"] is True
    cats = {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat", "lynx"}
    assert set(metrics["chelsea_top3"]) <= cats | {"window screen"}
    assert len(set(metrics["chelsea_top3"]) & cats) >= 2
    assert set(metrics["cat_top5"]) & cats
    assert metrics["coffee_espresso"] > 0.5  # measured 0.93


def test_flickr_client_through_the_standin(metrics):
    assert metrics["flickr_found"] == 2  # the book's two cat photos
    assert metrics["flickr_downloaded"] == 2


def test_pretrained_features_beat_pixels_for_cats_vs_dogs(metrics):
    assert metrics["cats_dogs_features_cv"] > 0.70  # measured about 0.80
    assert metrics["cats_dogs_features_cv"] > metrics["cats_dogs_pixels_cv"] + 0.04  # pixels about 0.69


def test_outlier_filter_finds_the_airplanes(metrics):
    assert metrics["outlier_auc_features"] > 0.7  # measured about 0.85
    assert metrics["outlier_auc_features"] > metrics["outlier_auc_pixels"] + 0.2
    assert metrics["planes_in_farthest10"] >= 2


def test_retrained_model_beats_pixels_on_held_out_test(metrics):
    chance = 1 / metrics["retrain_classes"]
    assert metrics["retrain_classes"] >= 5 and metrics["retrain_n_test"] >= 50
    assert metrics["retrain_pixels_test"] > chance - 0.05
    assert metrics["retrain_phase1_test"] > metrics["retrain_pixels_test"] + 0.1
    assert metrics["retrain_phase2_test"] > metrics["retrain_pixels_test"] + 0.1
    assert metrics["retrain_phase2_test"] > metrics["retrain_phase1_test"] - 0.08
    assert metrics["retrain_trainable_params"] > 500_000  # block15 + head_conv + the new Dense


def test_closing_table_compares_every_recipe_with_a_sourced_figure(metrics):
    table = check_closing_table(metrics, {"9.1", "9.2", "9.3", "9.5", "9.6", "9.7"})
    cv = next(row for row in table if row[0].startswith("9.5"))
    assert f"{metrics['cats_dogs_features_cv']:.3f}" in cv[2]  # this run's number, not typed in
    tuned = next(row for row in table if "phase 2" in row[0])
    assert f"{metrics['retrain_phase2_test']:.3f}" in tuned[2]


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()
