"""Unit tests for cookbook.vision.detect: box geometry, NMS, scoring, the TF.js graph
rewriting on a tiny hand-made graph, and the folder job's handling of a corrupt file."""

import json

import numpy as np
import pytest

from cookbook.vision import detect


def test_iou_basic_cases():
    assert detect.iou((0, 0, 10, 10), (0, 0, 10, 10)) == pytest.approx(1.0)
    assert detect.iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert detect.iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert detect.iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0


def test_nms_keeps_best_of_overlapping_boxes():
    boxes = [(0, 0, 10, 10), (1, 1, 11, 11), (50, 50, 60, 60), (0, 0, 9, 10)]
    scores = [0.6, 0.9, 0.5, 0.3]
    assert detect.nms(boxes, scores, 0.5) == [1, 2]
    assert detect.nms(boxes, scores, 0.99) == [1, 0, 2, 3]
    assert detect.nms(boxes, scores, 0.5, max_out=1) == [1]


def test_match_counts_label_and_overlap():
    truth = [((0, 0, 10, 10), "cat"), ((20, 0, 30, 10), "dog")]
    dets = [((0, 0, 10, 9), "cat", 0.9), ((0, 0, 10, 10), "cat", 0.8),  # duplicate: 1 tp
            ((20, 0, 30, 10), "cat", 0.7)]                               # wrong label
    assert detect.match(dets, truth) == (1, 3, 2)


def test_window_grid_covers_the_image():
    wins = detect.window_grid(100, 64, 32, 32)
    assert wins[0] == (0, 0, 32, 32)
    assert max(w[2] for w in wins) == 100 and max(w[3] for w in wins) == 64
    assert len(wins) == 4 * 2  # x: 0, 32, 64, then 68 to touch the border


def test_coco91_names_skip_gaps():
    names = [f"c{i}" for i in range(80)]
    full = detect.coco91_names(names)
    assert len(full) == 91 and full[1] == "c0" and full[12] == "n/a" and full[90] == "c79"


def _tiny_tfjs_model(folder):
    """x (1,4,4,1) -> _FusedConv2D(1x1 kernel 2.0, bias -1, Relu): relu(2x - 1), float16 weights."""
    kernel = np.full((1, 1, 1, 1), 2.0, np.float16)
    bias = np.array([-1.0], np.float16)
    (folder / "w.bin").write_bytes(kernel.tobytes() + bias.tobytes())
    f32 = {"type": "DT_FLOAT"}
    nodes = [
        {"name": "x", "op": "Placeholder", "attr": {"dtype": f32,
         "shape": {"shape": {"dim": [{"size": "1"}, {"size": "4"}, {"size": "4"}, {"size": "1"}]}}}},
        {"name": "k", "op": "Const", "attr": {"dtype": f32, "value": {"tensor": {"dtype": "DT_FLOAT"}}}},
        {"name": "b", "op": "Const", "attr": {"dtype": f32, "value": {"tensor": {"dtype": "DT_FLOAT"}}}},
        {"name": "y", "op": "_FusedConv2D", "input": ["x", "k", "b"], "attr": {
            "T": f32, "strides": {"list": {"i": ["1", "1", "1", "1"]}}, "padding": {"s": "U0FNRQ=="},
            "data_format": {"s": "TkhXQw=="}, "dilations": {"list": {"i": ["1", "1", "1", "1"]}},
            "fused_ops": {"list": {"s": ["Qmlhc0FkZA==", "UmVsdQ=="]}}, "num_args": {"i": "1"}}},
    ]
    spec = {"modelTopology": {"node": nodes, "versions": {"producer": 1}},
            "weightsManifest": [{"paths": ["w.bin"], "weights": [
                {"name": "k", "shape": [1, 1, 1, 1], "dtype": "float32", "quantization": {"dtype": "float16"}},
                {"name": "b", "shape": [1], "dtype": "float32", "quantization": {"dtype": "float16"}}]}]}
    (folder / "model.json").write_text(json.dumps(spec))
    return folder / "model.json"


def test_tfjs_graph_conversion_on_a_tiny_graph(tmp_path):
    import tensorflow as tf

    fn = detect.tfjs_graph_function(_tiny_tfjs_model(tmp_path), ["x"], ["y"])
    x = np.linspace(-1, 1, 16, dtype=np.float32).reshape(1, 4, 4, 1)
    y = np.asarray(fn(tf.constant(x))[0])
    np.testing.assert_allclose(y, np.maximum(2 * x - 1, 0), atol=1e-6)


def test_tfjs_graph_rejects_bad_json(tmp_path):
    (tmp_path / "m.json").write_text("{}")
    with pytest.raises(detect.GraphModelError):
        detect.tfjs_graph_function(tmp_path / "m.json", ["x"], ["y"])


def test_detect_folder_reports_and_skips_a_corrupt_image(tmp_path):
    from PIL import Image

    inbox = tmp_path / "in"
    inbox.mkdir()
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(inbox / "ok.png")
    (inbox / "broken.jpg").write_bytes(b"not a jpeg at all")
    fake = lambda image: [((1.0, 2.0, 10.0, 12.0), "cat", 0.9)]  # noqa: E731
    rows, skipped = detect.detect_folder(inbox, fake, tmp_path / "out")
    assert [r["file"] for r in rows] == ["ok.png"]
    assert [s[0] for s in skipped] == ["broken.jpg"]
    assert (tmp_path / "out" / "ok_boxes.jpg").exists()
    saved = json.loads((tmp_path / "out" / "detections.json").read_text())
    assert saved["skipped"][0]["file"] == "broken.jpg"
    assert (tmp_path / "out" / "detections.csv").read_text().startswith("file,label,score")
