"""Chapter 16 part 2 (browser, TF Serving, mobile, scaling out): run the notebook in smoke mode and
check what it recorded: the char-LSTM learned something (beats a unigram model), every exported
copy (the page in Chromium, ONNX, SavedModel over REST and gRPC, TFLite) gives Keras' probabilities
within tolerance, the REST contract answers bad requests with 4xx JSON, the Core ML spec carries the
labels, and distributed training follows the single-process loss."""

import pytest

from tests.notebooks.harness import check_closing_table, run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter("16b")


def test_char_lstm_learns(metrics):
    assert metrics["last_loss"] < metrics["first_loss"]
    assert metrics["held_loss"] < metrics["unigram_loss"] - 0.1


def test_book_shaped_model(metrics):
    # the book's LSTM(128) + Dense softmax: 4*128*(V+129) + 129*V parameters
    v = metrics["vocab_size"]
    assert metrics["params"] == 4 * 128 * (v + 129) + 129 * v


def test_browser_page_matches_keras(metrics):
    assert metrics["browser_diff"] <= 1e-4
    assert metrics["browser_console_errors"] == 0
    assert metrics["browser_greedy_match"] is True
    assert 0 < metrics["browser_ms_per_char"] < 1000
    assert metrics["browser_threads_isolated"] >= 1


def test_onnx_and_serving_parity(metrics):
    for key in ("onnx_diff", "saved_diff", "rest_diff", "grpc_diff", "gunicorn_diff"):
        assert metrics[key] <= 1e-5, key


def test_rest_contract(metrics):
    assert metrics["rest_ok"] == [200, 200]
    errors = metrics["rest_errors"]
    assert errors["unknown model"] == 404 and errors["wrong version"] == 404
    for label in ("no instances/inputs", "unknown signature", "wrong shape", "malformed JSON"):
        assert errors[label] == 400, label


def test_tflite(metrics):
    flt, q = metrics["tflite"]["float32"], metrics["tflite"]["dynamic-range int8"]
    assert flt["diff"] <= 1e-5
    assert q["diff"] <= 2e-2 and q["agree"] >= 0.9
    assert q["kb"] < 0.6 * flt["kb"]


def test_coreml_spec(metrics):
    assert metrics["coreml_input"] == ["chars"]
    assert metrics["coreml_outputs"] == ["classLabel", "classLabel_probs"]
    assert metrics["coreml_labels"] == metrics["vocab_size"] and metrics["coreml_labels_match"]


def test_distributed_training_follows_one_process(metrics):
    single = metrics["dist_single_final"]
    losses = metrics["dist_losses"]["one process"]
    assert losses[-1] < losses[0]
    assert metrics["dist_replicas"] == [1, 2, 2]
    for key in ("dist_mirrored_final", "dist_multiworker_final"):
        assert metrics[key] == pytest.approx(single, rel=1e-3), key
    assert len(metrics["dist_worker_finals"]) == 2


def test_gunicorn_workers(metrics):
    assert metrics["gunicorn_workers"] == 2
    assert metrics["gunicorn_rps"] > 0


def test_closing_table(metrics):
    check_closing_table(metrics, {"16.9", "16.10", "16.11", "Scaling"})


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()
