"""Unit tests for cookbook.diagnostics (chapter 2 helpers)."""

import math

import numpy as np
import pytest

from cookbook import diagnostics as dg
from cookbook import training


def test_digits_split_is_real_scaled_and_stratified():
    split = dg.digits_split()
    assert split.x_train.shape[1] == 64 and len(split.x_train) + len(split.x_val) == 1797
    assert 0.0 <= split.x_train.min() and split.x_train.max() <= 1.0
    assert set(np.unique(split.y_val)) == set(range(10))
    assert len(dg.digits_split(train_rows=100).x_train) == 100


def test_diabetes_raw_features_are_in_clinical_units():
    scaled, raw = dg.diabetes_split(), dg.diabetes_split(raw_features=True)
    assert np.abs(scaled.x_train).max() < 1 < raw.x_train.max()
    np.testing.assert_array_equal(scaled.y_train, raw.y_train)  # same rows, same targets


def test_standardize_uses_training_statistics():
    split, (mean, std) = dg.standardize(dg.diabetes_split(raw_features=True))
    assert abs(split.y_train.mean()) < 1e-4 and abs(split.y_train.std() - 1) < 1e-4
    np.testing.assert_allclose(split.x_train.mean(axis=0), 0, atol=1e-4)
    assert 100 < mean < 200 and std > 10
    assert abs(split.y_val.mean()) > 1e-4  # validation is not re-centred on itself


def test_one_standardize_and_one_run():
    from cookbook import preprocessing

    raw = dg.diabetes_split(raw_features=True)
    split, _ = dg.standardize(raw, target=False)
    np.testing.assert_allclose(split.x_val, preprocessing.standardize(
        raw.x_val, *preprocessing.standardize(raw.x_train)[1:])[0])
    np.testing.assert_array_equal(split.y_train, raw.y_train)
    assert not hasattr(dg, "Run") and not hasattr(dg, "_epoch_timer")


def test_digit_attributes_are_multi_label():
    attrs = dg.digit_attributes(np.arange(10))
    np.testing.assert_array_equal(attrs[8], [1, 1, 1])
    np.testing.assert_array_equal(attrs[1], [0, 0, 0])
    np.testing.assert_array_equal(attrs[7], [0, 1, 0])
    assert (attrs.sum(axis=1) >= 2).sum() == 4  # 0, 6, 8, 9


def test_with_minority_fraction_drops_or_repeats_minority_rows():
    x = np.arange(200).reshape(-1, 1)
    y = np.array([0] * 100 + [1] * 100)
    xs, ys = dg.with_minority_fraction(x, y, 0.05, seed=1)
    assert (ys == 0).sum() == 100 and abs(ys.mean() - 0.05) < 0.01
    xo, yo = dg.with_minority_fraction(xs, ys, 0.35, oversample=True)
    assert (yo == 0).sum() == 100 and abs(yo.mean() - 0.35) < 0.01
    assert set(xo[yo == 1, 0]) == set(xs[ys == 1, 0])  # only repeats, no new rows


def test_two_class_subset_relabels():
    split = dg.two_class_subset(dg.digits_split(), majority=3, minority=8)
    assert set(np.unique(split.y_train)) == {0, 1}
    assert len(split.x_val) < 120


def test_scores():
    assert dg.r2_score([1, 2, 3], [1, 2, 3]) == 1.0
    assert dg.r2_score([1, 2, 3], [2, 2, 2]) == 0.0
    assert dg.exact_match(np.array([[1, 0], [1, 1]]), np.array([[0.9, 0.1], [0.6, 0.4]])) == 0.5
    np.testing.assert_array_equal(dg.class_counts([0, 0, 2], 3), [2, 0, 1])
    assert dg.recall([1, 1, 0], [1, 0, 0], 1) == 0.5
    assert math.isnan(dg.recall([0, 0], [0, 0], 1))


def test_shapes_in_error_messages():
    msg = "Incompatible shapes: [8,64] vs. [32,64]\n[[{{node x}}]] and [ 1, 2 , 3]"
    assert dg.shapes_in(msg) == [(8, 64), (32, 64), (1, 2, 3)]


def test_catch_error():
    assert dg.catch_error(lambda: 1) is None
    caught = dg.catch_error(lambda: (_ for _ in ()).throw(ValueError("expected shape [2,3]")))
    assert caught.kind == "ValueError" and caught.shapes == [(2, 3)]
    assert "shape" in caught.headline()


def test_grid_and_sweep():
    settings = dg.grid(a=[1, 2], b=["x"])
    assert settings == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    frame = dg.sweep(settings, lambda a, b: {"double": 2 * a})
    assert list(frame.columns) == ["a", "b", "double"] and frame["double"].tolist() == [2, 4]


def test_loss_ratio_and_gap():
    run = training.Run({"loss": [2.0, 1.0], "accuracy": [0.5, 0.9], "val_accuracy": [0.5, 0.7]}, 1.0, 2,
                 [0.6, 0.4], [0.3, 0.2])
    assert dg.loss_ratio(run) == 0.5
    assert dg.accuracy_gap(run) == pytest.approx(0.2)
    assert run.seconds_per_epoch == 0.4 and run.cpu_seconds_per_epoch == 0.2


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def test_mlp_layers_and_regularizers(keras):
    model = dg.mlp(64, 10, (32, 16), l2=0.01, dropout=0.3)
    names = [layer.name for layer in model.layers]
    assert names == ["pixels", "hidden_0", "dropout_0", "hidden_1", "dropout_1", "output"]
    assert model.get_layer("hidden_0").kernel_regularizer is not None
    assert model.output_shape == (None, 10)
    assert dg.mlp(10, 1, (), final_activation=None).count_params() == 11


def test_dropout_behaviour_is_inverted_dropout(keras):
    result = dg.dropout_behaviour(0.3, n=20_000)
    assert abs(result["zeroed_fraction"] - 0.3) < 0.02
    assert result["kept_value"] == pytest.approx(1 / 0.7, rel=1e-4)
    assert abs(result["train_mean"] - 1) < 0.03 and result["inference_is_identity"]


def test_fixed_batch_model_fails_on_short_last_batch(keras):
    split = dg.digits_split()
    model = dg.fixed_batch_model(64, 10, batch_size=16, hidden=8)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    caught = dg.catch_error(lambda: model.fit(split.x_train[:40], split.y_train[:40],
                                              batch_size=16, epochs=1, verbose=0))
    assert caught is not None and caught.kind == "InvalidArgumentError"
    assert set(caught.shapes[:2]) == {(8, 64), (16, 64)}


def test_train_and_probe_callback(keras):
    split = dg.digits_split(train_rows=200)
    model = dg.mlp(64, 10, (16,))
    probe = dg.make_probe_callback(split.x_val[:50], 10)
    run = dg.train(model, split, epochs=2, callbacks=[probe])
    assert isinstance(run, training.Run)                  # the shared Run, not a copy
    assert run.epochs_run == 2 and len(run.epoch_seconds) == 2 and len(run.epoch_cpu_seconds) == 2
    assert set(run.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert [r["epoch"] for r in probe.records] == [1, 2]
    assert sum(probe.records[-1]["counts"]) == 50 and not probe.records[-1]["weights_nan"]


def test_headline_keeps_shapes_and_drops_traceback_frames():
    message = ('Graph execution error:\n\nDetected at node add defined at (most recent call last):\n'
               '  File "/x/interactiveshell.py", line 3762, in run_ast_nodes\n\n'
               'Incompatible shapes: [8,64] vs. [32,64]\n\t [[{{node add}}]]')
    headline = dg.CaughtError("InvalidArgumentError", message).headline()
    assert "Incompatible shapes: [8,64] vs. [32,64]" in headline
    assert "Detected at node add" in headline and "interactiveshell" not in headline


def test_predict_matches_keras_predict(keras):
    model = dg.mlp(64, 10, (8,))
    x = dg.digits_split().x_val[:20]
    np.testing.assert_allclose(dg.predict(model, x), model.predict(x, verbose=0), atol=1e-5)
