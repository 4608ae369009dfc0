"""Chapter 11's plumbing: box geometry (IoU, non-maximum suppression), a TF.js graph model read
as a TensorFlow function without the ``tensorflowjs`` package, the offline COCO-80 detector
built on it, scoring detections against hand-labelled boxes, and a folder-to-table batch job.

Boxes are ``(x1, y1, x2, y2)`` in pixels of the original image. A detection is a
``(box, label, score)`` tuple."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

DETECTOR_SIZE = 512  # CenterNet's fixed input side

# ---------------------------------------------------------------- geometry


def iou(a, b) -> float:
    """Intersection over union of two boxes (x1, y1, x2, y2)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def nms(boxes, scores, iou_threshold: float = 0.5, max_out: int | None = None) -> list[int]:
    """Greedy non-maximum suppression: indices of the kept boxes, best score first."""
    order = list(np.argsort(-np.asarray(scores, float)))
    keep: list[int] = []
    while order:
        best = order.pop(0)
        keep.append(int(best))
        if max_out and len(keep) >= max_out:
            break
        order = [i for i in order if iou(boxes[best], boxes[i]) < iou_threshold]
    return keep


# ---------------------------------------------------------------- TF.js graph -> TF function

_ACTIVATIONS = {b"Relu": "Relu", b"Relu6": "Relu6", b"LeakyRelu": "LeakyRelu",
                b"Sigmoid": "Sigmoid", b"Elu": "Elu"}


class GraphModelError(ValueError):
    """The TF.js model.json / weights pair cannot be read."""


def read_tfjs_weights(manifest: list, folder: Path) -> dict[str, np.ndarray]:
    """The weight arrays of a TF.js ``weightsManifest`` (float16-quantised ones as float32)."""
    out = {}
    for group in manifest:
        buf = b"".join((folder / p).read_bytes() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            if w.get("quantization", {}).get("dtype") == "float16":
                dtype, cast = np.dtype(np.float16), np.float32
            else:
                dtype = np.dtype({"float32": "float32", "int32": "int32", "bool": "bool"}[w["dtype"]])
                cast = dtype
            if offset + n * dtype.itemsize > len(buf):
                raise GraphModelError(f"weights file too short for {w['name']}")
            out[w["name"]] = np.frombuffer(buf, dtype, n, offset).astype(cast).reshape(w["shape"])
            offset += n * dtype.itemsize
    return out


def rewrite_graph(topology: dict, weights: dict[str, np.ndarray]):
    """A TF.js ``modelTopology`` (a GraphDef in JSON) -> a plain TF GraphDef: constants filled
    from ``weights``, the TF.js-only fused conv ops split into conv + BiasAdd + activation."""
    import tensorflow as tf
    from google.protobuf import json_format

    gd = json_format.ParseDict(topology, tf.compat.v1.GraphDef(), ignore_unknown_fields=True)
    new = tf.compat.v1.GraphDef()
    new.versions.CopyFrom(gd.versions)
    for nd in gd.node:
        nd.device = ""
        if nd.op == "Const" and nd.name in weights:  # int64 constants were stored as int32
            want = tf.dtypes.as_dtype(nd.attr["dtype"].type).as_numpy_dtype
            nd.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(weights[nd.name].astype(want)))
        if nd.op in ("FusedDepthwiseConv2dNative", "_FusedConv2D"):
            conv = new.node.add()
            conv.name, conv.op = nd.name + "/_conv", (
                "DepthwiseConv2dNative" if nd.op.startswith("FusedDepth") else "Conv2D")
            conv.input.extend(nd.input[:2])
            for k in ("T", "strides", "padding", "data_format", "dilations"):
                if k in nd.attr:
                    conv.attr[k].CopyFrom(nd.attr[k])
            if conv.op == "Conv2D" and "explicit_paddings" in nd.attr:
                conv.attr["explicit_paddings"].CopyFrom(nd.attr["explicit_paddings"])
            fused = list(nd.attr["fused_ops"].list.s)
            if not fused or fused[0] != b"BiasAdd":
                raise GraphModelError(f"{nd.name}: unsupported fused ops {fused}")
            chain = [("BiasAdd", nd.input[2])] + [(_ACTIVATIONS[f], None) for f in fused[1:]]
            last = conv.name
            for i, (op, extra) in enumerate(chain):
                m = new.node.add()
                m.op = op
                m.name = nd.name if i == len(chain) - 1 else f"{nd.name}/_f{i}"
                m.input.append(last)
                if extra:
                    m.input.append(extra)
                m.attr["T"].CopyFrom(nd.attr["T"])
                last = m.name
            continue
        new.node.add().CopyFrom(nd)
    return new


def read_spec(model_json: str | Path, weights_folder: str | Path | None = None):
    """A TF.js graph model's (topology, weights) from its model.json and .bin files."""
    model_json = Path(model_json)
    try:
        spec = json.loads(model_json.read_text())
        topology, manifest = spec["modelTopology"], spec["weightsManifest"]
    except (OSError, ValueError, KeyError) as err:
        raise GraphModelError(f"{model_json.name} is not a TF.js graph model: {err}") from None
    return topology, read_tfjs_weights(manifest, Path(weights_folder or model_json.parent))


def tfjs_graph_function(model_json: str | Path, inputs: Sequence[str], outputs: Sequence[str],
                        weights_folder: str | Path | None = None) -> Callable:
    """Load a TF.js graph model as a concrete TF function ``f(*inputs) -> outputs``.
    ``weights_folder`` is where the manifest's .bin files are (default: next to the JSON)."""
    return graph_function(rewrite_graph(*read_spec(model_json, weights_folder)), inputs, outputs)


def graph_function(graph_def, inputs: Sequence[str], outputs: Sequence[str]) -> Callable:
    """A plain TF GraphDef -> a concrete TF function from the named inputs to outputs."""
    import tensorflow as tf

    wrapped = tf.compat.v1.wrap_function(
        lambda: tf.graph_util.import_graph_def(graph_def, name=""), [])
    g = wrapped.graph
    return wrapped.prune([g.as_graph_element(n + ":0") for n in inputs],
                         [g.as_graph_element(n + ":0") for n in outputs])


# ---------------------------------------------------------------- the offline detector


def coco_names() -> list[str]:
    from .. import acquire

    names = Path(acquire.fetch("coco-names")).read_text().split("\n")
    return [n.strip() for n in names if n.strip()]


class CocoDetector:
    """The CenterNet (MobileNetV3) COCO-80 detector from the npm TF.js graph.
    ``detect(image)`` -> list of ``(box, label, score)``, boxes in the image's pixels."""

    def __init__(self, min_score: float = 0.3, iou_threshold: float = 0.5):
        import shutil
        import tempfile

        from .. import acquire

        graph = Path(acquire.fetch("centernet-tfjs-graph"))
        weights = Path(acquire.fetch("centernet-tfjs-weights"))
        folder = weights.parent
        if not (folder / "centernet.bin").exists():  # the manifest names centernet.bin
            folder = Path(tempfile.mkdtemp())
            shutil.copy(weights, folder / "centernet.bin")
        topology, weights = read_spec(graph, folder)
        self.n_weights = int(sum(a.size for a in weights.values()))
        self.graph_def = rewrite_graph(topology, weights)
        self._fn = graph_function(self.graph_def, ["tower_0/images"], ["tower_0/detections"])
        self.names = coco_names()
        self.min_score, self.iou_threshold = min_score, iou_threshold

    def raw(self, image: np.ndarray) -> np.ndarray:
        """(100, 6) rows x1, y1, x2, y2, score, class in the original image's pixels."""
        import tensorflow as tf

        h, w = image.shape[:2]
        x = tf.image.resize(np.asarray(image, np.float32)[None], (DETECTOR_SIZE, DETECTOR_SIZE))
        out = np.array(self._fn(x)[0], np.float64)[0]
        out[:, [0, 2]] *= w / DETECTOR_SIZE
        out[:, [1, 3]] *= h / DETECTOR_SIZE
        return out

    def detect(self, image: np.ndarray, min_score: float | None = None):
        rows = self.raw(image)
        rows = rows[rows[:, 4] >= (self.min_score if min_score is None else min_score)]
        found = []
        for cls in np.unique(rows[:, 5]).astype(int):  # suppression per class
            part = rows[rows[:, 5] == cls]
            for i in nms(part[:, :4], part[:, 4], self.iou_threshold):
                found.append((tuple(float(v) for v in part[i, :4]), self.names[cls], float(part[i, 4])))
        return sorted(found, key=lambda d: -d[2])


# ---------------------------------------------------------------- scoring against labels


def load_labels(path: str | Path) -> dict[str, list[tuple[tuple, str]]]:
    """Hand-labelled boxes: JSON {photo: [{"box": [x1,y1,x2,y2], "label": name}, ...]}."""
    data = json.loads(Path(path).read_text())
    return {k: [(tuple(o["box"]), o["label"]) for o in v] for k, v in data.items()
            if not k.startswith("_")}


def match(detections, truth, threshold: float = 0.5) -> tuple[int, int, int]:
    """(true positives, detections, labelled objects): a detection counts when its label is
    right and it overlaps a not-yet-matched labelled box with IoU >= threshold."""
    used, tp = set(), 0
    for box, label, _ in sorted(detections, key=lambda d: -d[2]):
        cands = [(iou(box, tb), j) for j, (tb, tl) in enumerate(truth) if tl == label and j not in used]
        best = max(cands, default=(0.0, None))
        if best[0] >= threshold:
            used.add(best[1])
            tp += 1
    return tp, len(detections), len(truth)


# ---------------------------------------------------------------- folder in, table out


def draw(image: np.ndarray, detections, path: str | Path | None = None):
    """The image with its boxes and labels drawn (a PIL image; saved when ``path`` is given)."""
    from PIL import Image, ImageDraw

    img = Image.fromarray(np.asarray(image, np.uint8))
    pen = ImageDraw.Draw(img)
    width = max(2, img.width // 200)
    for (x1, y1, x2, y2), label, score in detections:
        pen.rectangle((x1, y1, x2, y2), outline=(255, 40, 40), width=width)
        pen.text((x1 + 3, y1 + 2), f"{label} {score:.2f}", fill=(255, 255, 0))
    if path:
        img.save(path)
    return img


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def detect_folder(folder: str | Path, detect: Callable, out_dir: str | Path):
    """Run ``detect`` over every image file in ``folder``; write ``detections.csv``,
    ``detections.json`` and annotated copies to ``out_dir``. Unreadable files are reported
    and skipped. Returns (rows, skipped) with skipped = [(file name, reason)]."""
    from .. import acquire
    from .images import ImageFileError, load_rgb

    folder, out_dir = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    rows, skipped = [], []
    for path in acquire.track(files, desc="detecting", unit="image"):
        try:
            image = load_rgb(path)
        except ImageFileError as err:
            skipped.append((path.name, str(err).replace(str(path), path.name)))
            continue
        found = detect(image)
        draw(image, found, out_dir / f"{path.stem}_boxes.jpg")
        for (x1, y1, x2, y2), label, score in found:
            rows.append(dict(file=path.name, label=label, score=round(score, 4),
                             x1=round(x1, 1), y1=round(y1, 1), x2=round(x2, 1), y2=round(y2, 1)))
    fields = ["file", "label", "score", "x1", "y1", "x2", "y2"]
    with open(out_dir / "detections.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    (out_dir / "detections.json").write_text(json.dumps(
        dict(detections=rows, skipped=[dict(file=n, reason=r) for n, r in skipped]), indent=1))
    return rows, skipped


# ---------------------------------------------------------------- sliding windows (11.1)


def window_grid(width: int, height: int, size: int, stride: int) -> list[tuple[int, int, int, int]]:
    """Square windows (x1, y1, x2, y2) of side ``size`` every ``stride`` pixels, covering the
    image (the last row/column is moved in to touch the border)."""
    def starts(n):
        s = list(range(0, max(n - size, 0) + 1, stride))
        if s[-1] + size < n:
            s.append(n - size)
        return s
    return [(x, y, x + size, y + size) for y in starts(height) for x in starts(width)]


_COCO91_GAPS = (12, 26, 29, 30, 45, 66, 68, 69, 71, 83)  # unused ids in COCO's 1..90 numbering


def coco91_names(names80: Sequence[str]) -> list[str]:
    """Index = COCO category id (0 = background, gaps = "n/a") -> name, from the 80 names."""
    out, it = ["background"], iter(names80)
    for cid in range(1, 91):
        out.append("n/a" if cid in _COCO91_GAPS else next(it))
    return out


def online_detector(preset: str = "retinanet_resnet50_fpn_coco", min_score: float = 0.5):
    """A KerasHub COCO detector downloaded through Keras' own downloader (needs internet),
    wrapped to the same ``detect(image) -> [(box, label, score)]`` interface."""
    import keras
    import keras_hub
    import tensorflow as tf

    model = keras_hub.models.ImageObjectDetector.from_preset(preset)
    names80 = coco_names()
    names = names80 if getattr(model, "num_classes", 80) == 80 else coco91_names(names80)
    side = model.preprocessor.image_converter.image_size or (800, 800)

    def detect(image):
        h, w = image.shape[:2]
        x = tf.image.resize(np.asarray(image, np.float32)[None], side).numpy()
        pred = model.predict(x, verbose=0)
        boxes = keras.utils.bounding_boxes.convert_format(
            pred["boxes"], source=model.bounding_box_format, target="xyxy",
            height=side[0], width=side[1])
        boxes = np.asarray(boxes)[0] * [w / side[1], h / side[0], w / side[1], h / side[0]]
        found = []
        for b, c, s in zip(boxes, np.asarray(pred["labels"])[0], np.asarray(pred["confidence"])[0]):
            if s >= min_score and 0 <= c < len(names):
                found.append((tuple(float(v) for v in b), names[int(c)], float(s)))
        return found
    return detect
