"""Chapter 2 (Getting Unstuck): every tip's before/after pair, measured in the notebook.

Thresholds come from smoke runs (seeded) with a safety margin; each states the failure it
would catch."""

import math

import pytest

from tests.notebooks.harness import run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(2)


def test_smoke_mode_recorded(metrics):
    assert metrics["mode"] == "smoke"
    assert metrics["notebook_seconds"] > 0


# 2.1 ------------------------------------------------------------------------------------------

def test_2_1_healthy_run_learns_and_stalled_run_does_not(metrics):
    assert metrics["healthy_loss_ratio"] < 0.4            # measured ~0.16
    assert metrics["healthy_val_accuracy"] > 0.85         # measured ~0.95
    assert metrics["stalled_loss_ratio"] > 0.95           # lr 1e-5: loss flat (~1.0)
    assert metrics["stalled_val_accuracy"] < 0.4


def test_2_1_shuffled_labels_learn_the_wrong_thing(metrics):
    assert metrics["shuffled_loss_ratio"] < 0.9           # the loss does fall (~0.67)...
    assert metrics["shuffled_train_accuracy"] > 0.3       # ...train accuracy rises (~0.53)...
    assert metrics["shuffled_val_accuracy"] < 0.2         # ...validation stays at chance (0.1)
    assert metrics["shuffled_train_accuracy"] - metrics["shuffled_val_accuracy"] > 0.2


# 2.2 ------------------------------------------------------------------------------------------

def test_2_2_book_example_parameter_counts(metrics):
    assert metrics["example_params"] == {"input": 0, "hidden": 72, "output": 104}
    assert metrics["example_total_params"] == 176


def test_2_2_build_error_number_follows_the_change(metrics):
    assert metrics["build_error_kind"] == "ValueError"
    # each message names the width we passed (13 or 11) and the expected 12
    assert metrics["build_error_mentions"] == {"13": [True, True], "11": [True, True]}


def test_2_2_runtime_error_shapes_reveal_the_short_last_batch(metrics):
    rows = 1000
    for batch, shapes in metrics["runtime_error_shapes"].items():
        batch = int(batch)
        assert metrics["runtime_error_kind"][str(batch)] == "InvalidArgumentError"
        assert sorted(map(tuple, shapes[:2])) == sorted([(rows % batch, 64), (batch, 64)])
        assert metrics["runtime_error_names_layer"][str(batch)]
    assert len(metrics["runtime_error_shapes"]) >= 2      # two batch sizes, two different errors


def test_2_2_fixed_model_trains(metrics):
    assert metrics["fixed_val_accuracy"] > 0.85           # measured ~0.95


# 2.3 ------------------------------------------------------------------------------------------

def test_2_3_imbalance_collapses_answers_and_rebalancing_recovers(metrics):
    assert abs(metrics["skewed_minority_fraction"] - 0.05) < 0.01
    assert abs(metrics["rebalanced_minority_fraction"] - 0.35) < 0.01
    assert metrics["skewed_minority_recall"] < 0.2         # measured 0.0: always "majority"
    assert metrics["rebalanced_minority_recall"] > 0.6     # measured ~0.79
    assert metrics["rebalanced_minority_recall"] - metrics["skewed_minority_recall"] > 0.5
    assert metrics["rebalanced_majority_recall"] > 0.7     # the prior shift costs little


def test_2_3_raw_units_explode_and_standardizing_fixes_it(metrics):
    assert not metrics["raw_units_last_loss_finite"]
    assert metrics["raw_units_epochs_run"] < metrics["planned_epochs"]  # TerminateOnNaN fired
    assert metrics["standardized_last_loss_finite"]
    assert metrics["standardized_epochs_run"] == metrics["planned_epochs"]
    assert metrics["standardized_val_r2"] > 0.1           # measured ~0.27


# 2.4 ------------------------------------------------------------------------------------------

def test_2_4_softmax_fails_a_multi_label_target(metrics):
    assert 0.3 < metrics["multi_label_rows"] < 0.5        # 0, 6, 8, 9 carry >= 2 labels
    assert metrics["exact_match_softmax"] <= 1 - metrics["multi_label_rows"] + 0.01
    assert metrics["exact_match_sigmoid"] > 0.65          # measured ~0.82
    assert metrics["exact_match_sigmoid"] - metrics["exact_match_softmax"] > 0.2


def test_2_4_sigmoid_clips_a_raw_regression_target(metrics):
    assert metrics["sigmoid_raw_max_output"] <= 1.0
    assert metrics["r2_sigmoid_raw"] < -1                  # measured ~-4.6
    assert metrics["r2_linear_std"] > 0.2                  # measured ~0.31
    assert metrics["tanh_max_abs_output"] <= 1.0 < metrics["target_max_abs_std"]
    assert 0.2 < metrics["standardized_outside_unit"] < 0.5


# 2.5 ------------------------------------------------------------------------------------------

def test_2_5_unregularized_network_overfits(metrics):
    gap, train_mse = metrics["overfit_mse_gap"], metrics["overfit_train_mse"]
    assert train_mse["none"] < 0.25                        # memorized (~0.06)
    assert gap["none"] > 0.4                               # measured ~0.74


def test_2_5_l2_and_dropout_narrow_the_gap(metrics):
    gap, val = metrics["overfit_mse_gap"], metrics["overfit_val_mse"]
    for brake in ("L2(0.01)", "Dropout(0.3)"):
        assert gap[brake] < 0.75 * gap["none"], brake      # measured ~0.29 vs ~0.74
        assert val[brake] < val["none"], brake             # and validation error ends lower


def test_2_5_dropout_is_inverted(metrics):
    check = metrics["dropout_check"]
    assert abs(check["zeroed_fraction"] - 0.3) < 0.01
    assert math.isclose(check["kept_value"], 1 / 0.7, rel_tol=1e-4)
    assert abs(check["train_mean"] - 1) < 0.02 and check["inference_is_identity"]


# 2.6 ------------------------------------------------------------------------------------------

def _curve(sweep, key):
    return dict(zip(sweep[key], sweep["val_accuracy"]))


def test_2_6_width_sweep(metrics):
    curve = _curve(metrics["width_sweep"], "width")
    assert len(curve) >= 4
    assert curve[4] < 0.6 < curve[64]                     # 4 units too few (~0.38 vs ~0.94)
    assert max(curve.values()) == pytest.approx(max(curve[64], curve[256]))


def test_2_6_batch_size_sweep(metrics):
    sweep = metrics["batch_sweep"]
    curve = _curve(sweep, "batch_size")
    assert curve[512] < curve[32] - 0.2                   # fewer updates in the same epochs
    cpu = dict(zip(sweep["batch_size"], sweep["cpu_seconds_per_epoch"]))
    assert cpu[16] > cpu[512]                             # 85 steps vs 3 steps per epoch


def test_2_6_learning_rate_sweep(metrics):
    curve = _curve(metrics["lr_sweep"], "learning_rate")
    assert curve[1e-4] < 0.7                               # too small to get anywhere (~0.45)
    assert curve[1e-3] > 0.85 and curve[1e-2] > 0.85


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()


# Book vs this notebook ------------------------------------------------------------------------

def test_closing_table_has_one_row_per_compared_recipe(metrics):
    rows = metrics["closing_table"]
    assert [row[0].split()[0] for row in rows] == ["2.2", "2.2", "2.3", "2.4", "2.5", "2.5", "2.6"]
    assert all(len(row) == 4 and all(cell.strip() for cell in row) for row in rows)
    assert all(row[1].startswith("the book") for row in rows)    # every figure names its source
    # the third column carries this run's numbers, not typed-in copies
    params = metrics["example_params"]
    assert rows[0][2] == f"{params['hidden']} + {params['output']} = {metrics['example_total_params']}"
    assert f"{metrics['standardized_outside_unit']:.0%}" in rows[3][2]
    assert f"{metrics['overfit_mse_gap']['none']:.2f}" in rows[4][2]
    assert f"{metrics['dropout_check']['kept_value']:.3f}" in rows[5][2]
