"""Chapter 16 (part 2): one Keras model, many formats. The character model's input contract
(the last ``seq_len`` characters, one-hot), and for each deployment format an export function, a
runner and a parity check against Keras:

* SavedModel with a named signature (what TensorFlow Serving loads): :func:`to_saved_model`
* ONNX (ONNX Runtime in Python, onnxruntime-web in the browser): :func:`to_onnx`, :func:`onnx_predict`
* TFLite / LiteRT, float and dynamic-range quantized: :func:`to_tflite`, :func:`tflite_predict`
* Core ML (conversion and spec only: prediction needs macOS): :func:`to_coreml`, :func:`coreml_spec`
* the 16.9 page (``web_model/``, onnxruntime-web from its pinned npm packages): :func:`write_web_assets`,
  :func:`serve_page` (127.0.0.1, optional COOP/COEP headers), :func:`open_page`, and
  :func:`greedy_continuation` to compare the page's decoding with any Python runtime

Recurrent layers are a while-loop in TensorFlow; the TFLite converter (without the Flex delegate)
and coremltools cannot take that loop, so both convert an unrolled twin with the same weights
(:func:`unrolled_copy`).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import sys
import warnings
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..env import fd2_silenced

SEQ_LEN = 40


class ExportError(RuntimeError):
    """A conversion failed or produced an artefact that does not match the Keras model."""


# --------------------------------------------------------------------------------------------
# the character model's input contract


def one_hot_windows(texts: str | Sequence[str], index: Mapping[str, int], vocab_size: int,
                    seq_len: int = SEQ_LEN, pad: str = " ", unknown: int = 0) -> np.ndarray:
    """``(n, seq_len, vocab_size)`` float32: the last ``seq_len`` characters of each text, one-hot,
    left-padded with ``pad`` when shorter; characters outside ``index`` map to ``unknown``. The
    browser page (``web_model/app.js``) encodes text exactly the same way."""
    if isinstance(texts, str):
        texts = [texts]
    out = np.zeros((len(texts), seq_len, vocab_size), dtype="float32")
    for row, text in enumerate(texts):
        window = text[-seq_len:].rjust(seq_len, pad)
        for col, ch in enumerate(window):
            out[row, col, index.get(ch, unknown)] = 1.0
    return out


def window_dataset(ids: np.ndarray, vocab_size: int, *, seq_len: int = SEQ_LEN, step: int = 3,
                   batch_size: int = 256, shuffle: bool = True, seed: int = 0):
    """tf.data batches of ``(one-hot window, next id)``: windows start every ``step`` characters
    (the book's sampling), one-hot encoding happens on the fly so the corpus stays as int ids."""
    import tensorflow as tf

    starts = np.arange(0, len(ids) - seq_len, step, dtype="int32")
    if len(starts) == 0:
        raise ValueError(f"{len(ids)} characters are too few for windows of {seq_len + 1}")
    table = tf.constant(np.asarray(ids, dtype="int32"))
    offsets = tf.range(seq_len)
    ds = tf.data.Dataset.from_tensor_slices(starts)
    if shuffle:
        ds = ds.shuffle(len(starts), seed=seed, reshuffle_each_iteration=True)

    def take(s):
        window = tf.gather(table, s[:, None] + offsets[None, :])
        return tf.one_hot(window, vocab_size), tf.gather(table, s + seq_len)

    return ds.batch(batch_size).map(take, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)


def windows_count(n_chars: int, seq_len: int = SEQ_LEN, step: int = 3) -> int:
    return len(range(0, max(0, n_chars - seq_len), step))


# --------------------------------------------------------------------------------------------
# helpers


def max_abs_diff(a, b) -> float:
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    if a.shape != b.shape:
        raise ExportError(f"shapes differ: {a.shape} vs {b.shape}")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def size_bytes(path: str | os.PathLike) -> int:
    """A file's size, or the total of a directory (SavedModel, .mlpackage)."""
    p = Path(path)
    if p.is_dir():
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return p.stat().st_size


def ensure_called(model, example: np.ndarray | None = None):
    """Keras exports only models that have run once (a just-loaded model has not: the ONNX
    export then fails with "The model provided has never called")."""
    if example is None:
        shape = [1 if d is None else d for d in model.inputs[0].shape]
        example = np.zeros(shape, dtype="float32")
    model(example[:1], training=False)
    return model


def _fresh(path: str | os.PathLike) -> Path:
    p = Path(path)
    if p.is_dir():
        shutil.rmtree(p)
    elif p.exists():
        p.unlink()
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


@contextlib.contextmanager
def quiet():
    """Swallow converter chatter (Python warnings, library loggers, prints and progress bars on
    stdout/stderr) so a notebook's outputs carry only what the reader asked for; errors still raise."""
    loggers = [logging.getLogger(n) for n in ("tensorflow", "absl", "tf2onnx", "coremltools", "root")]
    levels = [lg.level for lg in loggers]
    sink = io.StringIO()
    try:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            warnings.simplefilter("ignore")
            yield sink
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


# --------------------------------------------------------------------------------------------
# SavedModel (TensorFlow Serving)


def to_saved_model(model, path, *, signature: str = "serving_default", input_name: str = "chars",
                   output_name: str = "probs", extra_signatures: Iterable[str] = ()) -> Path:
    """Write ``model`` as a SavedModel whose signature(s) take ``input_name`` and return
    ``{output_name: ...}``, with a free batch dimension. TF Serving picks ``serving_default``
    when a request names no signature, so a named signature is usually written next to it."""
    import keras
    import tensorflow as tf

    path = _fresh(path)
    ensure_called(model)
    spec = tf.TensorSpec([None, *model.inputs[0].shape[1:]], tf.float32, name=input_name)
    archive = keras.export.ExportArchive()
    archive.track(model)
    for name in (signature, *extra_signatures):
        archive.add_endpoint(name=name, fn=lambda x: {output_name: model(x, training=False)},
                             input_signature=[spec])
    with quiet():
        archive.write_out(str(path), verbose=False)
    return path


def signature_summary(path, signature: str = "serving_default") -> dict:
    """Inputs and outputs (name, dtype, shape) of a SavedModel signature, as ``saved_model_cli
    show`` prints them."""
    import tensorflow as tf

    fn = tf.saved_model.load(str(path)).signatures[signature]
    _, inputs = fn.structured_input_signature
    return {"inputs": {k: (v.dtype.name, v.shape.as_list()) for k, v in inputs.items()},
            "outputs": {k: (v.dtype.name, v.shape.as_list()) for k, v in fn.structured_outputs.items()}}


# --------------------------------------------------------------------------------------------
# ONNX


def to_onnx(model, path, *, input_name: str = "chars", output_name: str = "probs",
            opset: int = 17) -> Path:
    """Convert with tf2onnx (the native ONNX ``LSTM`` op; the same graph runs in onnxruntime and
    onnxruntime-web). Input and output names are fixed so the page and clients can rely on them."""
    import tensorflow as tf
    import tf2onnx

    path = _fresh(path)
    ensure_called(model)
    dtype = tf.as_dtype(model.inputs[0].dtype)   # float one-hot windows, or int ids
    spec = (tf.TensorSpec([None, *model.inputs[0].shape[1:]], dtype, name=input_name),)

    @tf.function(input_signature=spec)
    def serve(x):
        return {output_name: model(x, training=False)}

    with quiet(), fd2_silenced():
        tf2onnx.convert.from_function(serve, input_signature=spec, opset=opset,
                                      output_path=str(path))
    return path


def onnx_session(path, threads: int = 1):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_predict(path_or_session, x: np.ndarray) -> np.ndarray:
    sess = path_or_session if hasattr(path_or_session, "run") else onnx_session(path_or_session)
    first = sess.get_inputs()[0]
    dtype = "int32" if "int32" in first.type else "int64" if "int64" in first.type else "float32"
    return sess.run(None, {first.name: np.asarray(x, dtype=dtype)})[0]


# --------------------------------------------------------------------------------------------
# TFLite (LiteRT) and Core ML: both need the recurrent loop unrolled


def unrolled_copy(model):
    """The same network with every recurrent layer's ``unroll=True`` and the same weights. The
    loop becomes ``seq_len`` copies of the cell: no while-loop or TensorList ops left, which is
    what TFLite's builtin ops and coremltools can convert. Needs a fixed sequence length."""
    import keras

    config = model.get_config()

    def patch(node):
        if isinstance(node, dict):
            if node.get("class_name") in ("LSTM", "GRU", "SimpleRNN") and "config" in node:
                node["config"]["unroll"] = True
            for value in node.values():
                patch(value)
        elif isinstance(node, list):
            for value in node:
                patch(value)

    patch(config)
    twin = model.__class__.from_config(config)
    if not isinstance(twin, keras.Model):
        raise ExportError(f"cannot rebuild {type(model).__name__} from its config")
    twin.set_weights(model.get_weights())
    return twin


def to_tflite(model, path, *, quantize: bool = False) -> Path:
    """A ``.tflite`` flatbuffer from the unrolled twin (builtin ops only, free batch dimension);
    ``quantize`` stores the weights as int8 (dynamic-range quantization, ~4x smaller)."""
    import tensorflow as tf

    path = _fresh(path)
    twin = unrolled_copy(model)
    converter = tf.lite.TFLiteConverter.from_keras_model(twin)
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    with quiet(), fd2_silenced():
        path.write_bytes(converter.convert())
    return path


class TFLiteRunner:
    """A LiteRT (``ai_edge_litert``) interpreter that resizes its input for each batch size."""

    def __init__(self, path, threads: int = 1):
        from ai_edge_litert.interpreter import Interpreter

        with fd2_silenced():  # "INFO: Created TensorFlow Lite XNNPACK delegate" goes to fd 2
            self.interpreter = Interpreter(model_path=str(path), num_threads=threads)
            self.interpreter.allocate_tensors()
        self.input = self.interpreter.get_input_details()[0]
        self.output = self.interpreter.get_output_details()[0]
        self._batch = None
        self._calls = 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype="float32")
        if self._batch != len(x):
            self.interpreter.resize_tensor_input(self.input["index"], list(x.shape))
            with fd2_silenced():
                self.interpreter.allocate_tensors()
            self._batch = len(x)
        self.interpreter.set_tensor(self.input["index"], x)
        if self._calls == 0:
            with fd2_silenced():
                self.interpreter.invoke()
        else:
            self.interpreter.invoke()
        self._calls += 1
        return self.interpreter.get_tensor(self.output["index"]).copy()


def tflite_predict(path, x: np.ndarray) -> np.ndarray:
    return TFLiteRunner(path)(x)


def _import_coremltools():
    """coremltools warns at import (untested TensorFlow version, no native runtime on Linux):
    import it once, quietly."""
    if "coremltools" in sys.modules:
        return sys.modules["coremltools"]
    with quiet(), fd2_silenced():
        import coremltools
    return coremltools


def to_coreml(model, path, *, labels: Sequence[str], input_name: str = "chars",
              max_batch: int = 64) -> Path:
    """An ML Program ``.mlpackage`` (Core ML) of the unrolled twin: a classifier whose class
    labels are ``labels``. Conversion runs anywhere; ``predict`` only on macOS."""
    path = _fresh(path)
    ct = _import_coremltools()
    twin = unrolled_copy(model)
    shape = (ct.RangeDim(1, max_batch), *twin.inputs[0].shape[1:])
    with quiet(), fd2_silenced():
        mlmodel = ct.convert(twin, source="tensorflow", convert_to="mlprogram",
                             inputs=[ct.TensorType(name=input_name, shape=shape)],
                             classifier_config=ct.ClassifierConfig(list(labels)))
        mlmodel.save(str(path))
    return path


def coreml_spec(path) -> dict:
    """What an app sees of a Core ML model: input and output names and types, class labels."""
    ct = _import_coremltools()
    with quiet(), fd2_silenced():
        spec = ct.utils.load_spec(str(path))
    desc = spec.description
    inputs = {}
    for feat in desc.input:
        arr = feat.type.multiArrayType
        ranges = [(r.lowerBound, r.upperBound) for r in arr.shapeRange.sizeRanges]
        inputs[feat.name] = {"shape": list(arr.shape), "ranges": ranges}
    outputs = {feat.name: feat.type.WhichOneof("Type") for feat in desc.output}
    labels = []
    if spec.WhichOneof("Type") == "mlProgram":
        # an ML Program keeps a classifier's labels in its `classify` op, as constant strings
        main = spec.mlProgram.functions["main"]
        for op in main.block_specializations[main.opset].operations:
            if op.type == "classify":
                values = op.inputs["classes"].arguments[0].value.immediateValue.list.values
                labels = [v.immediateValue.tensor.strings.values[0] for v in values]
    elif spec.WhichOneof("Type") in ("neuralNetworkClassifier",):
        labels = list(spec.neuralNetworkClassifier.stringClassLabels.vector)
    return {"inputs": inputs, "outputs": outputs,
            "predicted_feature": desc.predictedFeatureName,
            "probability_output": desc.predictedProbabilitiesName,
            "labels": labels, "type": spec.WhichOneof("Type"),
            "spec_version": spec.specificationVersion}


def write_json(path, data) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


# --------------------------------------------------------------------------------------------
# the browser page (16.9): assets, a local static server, greedy decoding to compare with


WEB_DIR = Path(__file__).resolve().parent / "web_model"
NPM_HINT = "npm ci --prefix notebooks/cookbook/serving/web_model"


class WebModelMissing(RuntimeError):
    """The page's npm packages are not installed."""


def check_web_packages(web_dir: Path = WEB_DIR) -> Path:
    """The ONNX Runtime Web build the page loads; a clear error naming the install command if
    ``npm ci`` has not been run (the packages are pinned by ``package-lock.json``)."""
    dist = Path(web_dir) / "node_modules" / "onnxruntime-web" / "dist"
    if not (dist / "ort.wasm.min.js").exists():
        raise WebModelMissing(f"onnxruntime-web is not installed for the page: run `{NPM_HINT}` "
                              "(needs node and npm; the lock file pins the version)")
    return dist


def write_web_assets(model, vocab, folder, *, seq_len: int = SEQ_LEN, pad: str = " ") -> dict:
    """Write what the page fetches at run time: ``model.onnx`` and ``vocab.json`` (characters in
    id order and the encoding rules). Returns their sizes in bytes."""
    folder = Path(folder)
    onnx_path = to_onnx(model, folder / "model.onnx")
    tokens = list(vocab.reserved) + list(vocab.tokens)
    write_json(folder / "vocab.json", {"tokens": tokens, "reserved_count": len(vocab.reserved),
                                       "seq_len": seq_len, "pad": pad,
                                       "unknown": vocab.unknown_id or 0})
    return {"model.onnx": size_bytes(onnx_path), "vocab.json": size_bytes(folder / "vocab.json")}


# what the page's files are served as (module scripts and wasm need exact types)
_CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript",
                  ".wasm": "application/wasm", ".json": "application/json",
                  ".onnx": "application/octet-stream"}


def _static_files(root: Path, prefix: str, headers: Mapping[str, str]):
    """A loopback route handler answering ``prefix + relative path`` with the file under ``root``
    (``index.html`` for a folder); 404 for anything missing or outside ``root``."""
    import mimetypes
    from urllib.parse import unquote

    from ..fixtures.loopback import Route

    def answer(path: str, query: dict) -> Route:
        rel = unquote(path[len(prefix):])
        target = (root / rel).resolve()
        if target.is_dir():
            target = target / "index.html"
        if (target != root and root not in target.parents) or not target.is_file():
            return Route(b"not found", status=404, content_type="text/plain")
        kind = _CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        return Route(target.read_bytes(), content_type=kind or "application/octet-stream",
                     headers=headers)

    return answer


@contextlib.contextmanager
def serve_page(model_folder, *, web_dir: Path = WEB_DIR, isolate: bool = False):
    """Serve the page on ``http://127.0.0.1:<free port>/`` (the loopback server of
    :mod:`cookbook.fixtures.loopback`): the page and its node_modules from ``web_dir``,
    ``/model/*`` from ``model_folder``. ``isolate`` adds the COOP/COEP headers that make the page
    cross-origin isolated (what multi-threaded WebAssembly needs)."""
    from ..fixtures.loopback import Route, serve

    check_web_packages(web_dir)
    headers = {"Cache-Control": "no-store"}
    if isolate:
        headers.update({"Cross-Origin-Opener-Policy": "same-origin",
                        "Cross-Origin-Embedder-Policy": "require-corp"})
    routes = {"/model/*": Route(handler=_static_files(Path(model_folder).resolve(), "/model/", headers)),
              "/*": Route(handler=_static_files(Path(web_dir).resolve(), "/", headers))}
    with serve(routes) as server:
        yield server.url("/")


def open_page(page, url: str, timeout_ms: float = 60_000) -> dict:
    """Load the page in a Playwright ``page`` and wait until the model is ready (or failed)."""
    page.goto(url)
    page.wait_for_function("window.modelInfo !== undefined || window.modelError !== undefined",
                           timeout=timeout_ms)
    error = page.evaluate("window.modelError || null")
    if error:
        raise ExportError(f"the page could not load the model: {error}")
    return page.evaluate("window.modelInfo")


def greedy_continuation(predict, text: str, count: int, index: Mapping[str, int],
                        tokens: Sequence[str], *, reserved_count: int = 1, pad: str = " ") -> str:
    """What the page's greedy decoder adds to ``text``, computed with any ``predict(x) -> probs``
    (Keras, ONNX Runtime, TFLite): most likely next character, ``count`` times."""
    added = ""
    for _ in range(count):
        x = one_hot_windows([text + added], index, len(tokens), pad=pad)
        best = int(np.argmax(predict(x)[0]))
        added += pad if best < reserved_count else tokens[best]
    return added
