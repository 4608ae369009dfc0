"""Chapter 11 (detecting multiple objects): run the notebook in smoke mode and check its
recorded metrics.

Measured smoke numbers are in the comments; the floors leave a wide margin. The checks are that
the sliding-window classifier finds both animals in cat_dog.jpg (dog left of cat) and that the
one-pass feature-map variant agrees with it, that the converted COCO detector finds the
hand-labelled objects at IoU 0.5, and that the folder job reports the corrupt file and goes on."""

import pytest

from tests.notebooks.harness import check_closing_table, run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(11)


def test_sliding_windows_find_cat_and_dog(metrics):
    assert metrics["lite0_params"] == 4_694_024
    assert metrics["n_windows"] >= 20
    assert metrics["crop_kinds"] == ["cat", "dog"]
    assert metrics["dog_window_x"][0] < metrics["cat_window_x"][0]  # the dog is on the left
    assert metrics["whole_top3"][0] in {"golden retriever", "Labrador retriever", "tabby"}


def test_feature_map_windows_agree_with_crops(metrics):
    assert metrics["map_kinds"] == ["cat", "dog"]
    assert metrics["agree_kind"] >= 0.8  # measured 0.96
    assert metrics["agree_top1"] >= 0.4  # measured 0.62


def test_detector_finds_the_labelled_objects(metrics):
    assert metrics["detector_weights"] > 1_000_000 and metrics["graph_nodes"] > 100
    assert metrics["labelled_objects"] >= 15
    assert metrics["recall"] >= 0.55  # measured 0.73
    assert metrics["precision"] >= 0.6  # measured 0.79
    found = metrics["labels_found"]
    assert "horse" in found["darknet-horses"]
    assert {"giraffe", "zebra"} <= set(found["darknet-giraffe"])
    assert {"person", "dog"} <= set(found["darknet-person"])
    assert {"kite", "person"} <= set(found["darknet-kite"])
    assert metrics["objects_per_photo"]["darknet-kite"] >= 6


def test_folder_job_skips_the_corrupt_file(metrics):
    assert metrics["folder_skipped"] == ["broken.jpg"]
    assert metrics["folder_images"] == 6
    assert metrics["folder_rows"] == sum(metrics["objects_per_photo"].values())


def test_closing_table_uses_this_runs_numbers(metrics):
    table = check_closing_table(metrics, {"11.1", "11.2", "11.3"})
    det = next(row for row in table if row[0].startswith("11.2 detector"))
    assert f"recall {metrics['recall']:.2f}" in det[2]


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()
