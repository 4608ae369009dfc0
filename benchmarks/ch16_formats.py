"""Chapter 16 (part 2) benchmark: one character model, every deployment format, side by side.

* in-process latency per call at batch 1 and 32 (one thread each): Keras eager ``model(x)``,
  ``model.predict``, a ``tf.function``, the SavedModel signature, ONNX Runtime, TFLite (LiteRT)
  float32 and int8;
* artefact size per format;
* milliseconds per generated character in headless Chromium (onnxruntime-web, one wasm thread and,
  cross-origin isolated, two), for the 16.9 model and for chapter 5's 2x512 Shakespeare LSTM.

    DLCB_MIRROR=../shared/mirror .venv/bin/python benchmarks/ch16_formats.py [--seconds 3]

Needs the zoo models (zoo/16, zoo/05) and ``npm ci --prefix notebooks/cookbook/serving/web_model``.
Not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))

from cookbook import env  # noqa: E402


def per_call_ms(fn, x, seconds: float, max_calls: int = 2000) -> float:
    """Median milliseconds per call after two warm-up calls, calling for about ``seconds``."""
    import numpy as np

    fn(x)
    fn(x)
    times, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline and len(times) < max_calls:
        t0 = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1000)


BIG_MODEL_JS = """async ([n]) => {
  const s = await ort.InferenceSession.create("model/ch05.onnx", {executionProviders: ["wasm"]});
  const feed = {[s.inputNames[0]]: new ort.Tensor("int32", new Int32Array(40).fill(2), [1, 40])};
  await s.run(feed);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await s.run(feed);
  return (performance.now() - t0) / n;
}"""


def browser_ms(folder: Path, chars: int, big_calls: int) -> dict:
    from cookbook.serving import browser
    from cookbook.serving import export as ex

    out = {}
    for isolate in (False, True):
        with ex.serve_page(folder, isolate=isolate) as url:
            out.update(browser.run(time_generation, url, folder, chars, big_calls, timeout_ms=120_000,
                                   timeout_s=900))
    return out


def time_generation(page, url: str, folder: Path, chars: int, big_calls: int) -> dict:
    from cookbook.serving import export as ex

    info = ex.open_page(page, url)
    gen = page.evaluate("([t, n]) => charModel.generate(t, n)", ["to be, or not to be", chars])
    key = f"{info['threads']} thread{'s' if info['threads'] > 1 else ''}"
    out = {f"16.9 LSTM(128), {key}": gen["msPerChar"]}
    if (folder / "ch05.onnx").exists():
        out[f"ch05 2x512 LSTM, {key}"] = page.evaluate(BIG_MODEL_JS, [big_calls])
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timing per format and batch")
    parser.add_argument("--chars", type=int, default=200, help="characters generated in the page")
    args = parser.parse_args(argv)
    env.setup()
    import numpy as np
    import tensorflow as tf

    from cookbook import zoo
    from cookbook.serving import export as ex
    from cookbook.text.textgen import vocab_from_card

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    model, card = zoo.load_keras(16, "shakespeare_browser_lstm", compile=False)
    vocab = vocab_from_card(card)
    text = "the quality of mercy is not strained; it droppeth as the gentle rain from heaven " * 2
    windows = ex.one_hot_windows([text[i:i + 60] for i in range(32)], vocab.index, vocab.size)
    ex.ensure_called(model, windows)
    work = Path(tempfile.mkdtemp(prefix="dlcb-ch16-bench-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)   # the exports are only measured
    sizes = {"Keras .keras (no optimizer)": ex.size_bytes(zoo.model_path(16, "shakespeare_browser_lstm"))}
    saved = ex.to_saved_model(model, work / "sm" / "1")
    sizes["SavedModel"] = ex.size_bytes(saved)
    sizes.update({"ONNX": ex.write_web_assets(model, vocab, work / "web")["model.onnx"]})
    tfl = ex.to_tflite(model, work / "f.tflite")
    tflq = ex.to_tflite(model, work / "q.tflite", quantize=True)
    sizes["TFLite float32"], sizes["TFLite int8 (dynamic range)"] = ex.size_bytes(tfl), ex.size_bytes(tflq)
    labels = list(vocab.reserved) + list(vocab.tokens)
    sizes["Core ML .mlpackage"] = ex.size_bytes(ex.to_coreml(model, work / "m.mlpackage", labels=labels))

    fn = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    sig = tf.saved_model.load(str(saved)).signatures["serving_default"]
    sess = ex.onnx_session(work / "web" / "model.onnx", threads=1)
    lite, liteq = ex.TFLiteRunner(tfl, threads=1), ex.TFLiteRunner(tflq, threads=1)
    calls = {
        "Keras eager model(x)": lambda x: model(x, training=False),
        "model.predict": lambda x: model.predict(x, verbose=0),
        "tf.function": lambda x: fn(tf.constant(x)),
        "SavedModel signature": lambda x: sig(chars=tf.constant(x)),
        "ONNX Runtime": lambda x: ex.onnx_predict(sess, x),
        "TFLite float32": lite,
        "TFLite int8": liteq,
    }
    latency = {}
    for name, call in calls.items():
        latency[name] = {b: per_call_ms(call, windows[:b], args.seconds) for b in (1, 32)}
        print(f"{name:24} batch 1 {latency[name][1]:8.2f} ms   batch 32 {latency[name][32]:8.2f} ms", flush=True)
    ref = model.predict(windows, verbose=0)
    parity = {"ONNX Runtime": ex.max_abs_diff(ex.onnx_predict(sess, windows), ref),
              "SavedModel": ex.max_abs_diff(sig(chars=tf.constant(windows))["probs"].numpy(), ref),
              "TFLite float32": ex.max_abs_diff(lite(windows), ref),
              "TFLite int8": ex.max_abs_diff(liteq(windows), ref)}

    big, _ = zoo.load_keras(5, "shakespeare_char_lstm", compile=False)
    ex.to_onnx(big, work / "web" / "ch05.onnx", input_name="char_ids", output_name="logits")
    sizes["ch05 2x512 LSTM as ONNX"] = ex.size_bytes(work / "web" / "ch05.onnx")
    page_ms = browser_ms(work / "web", args.chars, 20)

    print("\nartefact sizes:")
    for name, size in sizes.items():
        print(f"  {name:30} {size / 1024:9.0f} KB")
    print("\nmax |diff| vs Keras (32 windows):", {k: f"{v:.1e}" for k, v in parity.items()})
    print("\nin the browser, ms per generated character (40-character context):")
    for name, ms in page_ms.items():
        print(f"  {name:34} {ms:8.2f}")
    base = latency["model.predict"]
    print("\nspeed-up over model.predict:",
          {k: f"{base[1] / v[1]:.0f}x / {base[32] / v[32]:.0f}x" for k, v in latency.items()})
    result = {"latency_ms": latency, "sizes_bytes": sizes, "parity": parity, "browser_ms_per_char": page_ms}
    out = Path(__file__).resolve().parents[1] / "generated" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ch16_formats.json").write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
