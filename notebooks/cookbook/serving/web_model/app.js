// Chapter 16.9: next-character model in the page. The page encodes text exactly as Python's
// cookbook.serving.export.one_hot_windows does: the last SEQ_LEN characters, left-padded with
// the pad character, one-hot over the vocabulary, unknown characters -> id `unknown`.
"use strict";

const charModel = (() => {
  let session = null, vocab = null, index = null, inputName = null;

  async function load(modelUrl = "model/model.onnx", vocabUrl = "model/vocab.json") {
    ort.env.wasm.wasmPaths = new URL("node_modules/onnxruntime-web/dist/", location.href).href;
    // Several wasm threads need a cross-origin-isolated page (COOP/COEP headers); otherwise one.
    ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(2, navigator.hardwareConcurrency || 1) : 1;
    vocab = await (await fetch(vocabUrl)).json();
    index = new Map(vocab.tokens.map((t, i) => [t, i]));
    const started = performance.now();
    session = await ort.InferenceSession.create(modelUrl, { executionProviders: ["wasm"] });
    inputName = session.inputNames[0];
    return { loadMs: performance.now() - started, threads: ort.env.wasm.numThreads,
             isolated: self.crossOriginIsolated, vocabSize: vocab.tokens.length };
  }

  function encode(texts) {
    const n = vocab.seq_len, v = vocab.tokens.length;
    const data = new Float32Array(texts.length * n * v);
    texts.forEach((text, row) => {
      let chars = Array.from(text).slice(-n);
      while (chars.length < n) chars.unshift(vocab.pad);
      chars.forEach((ch, col) => {
        const id = index.has(ch) ? index.get(ch) : vocab.unknown;
        data[(row * n + col) * v + id] = 1;
      });
    });
    return new ort.Tensor("float32", data, [texts.length, n, v]);
  }

  async function probs(texts) {
    const out = await session.run({ [inputName]: encode(texts) });
    const p = out[session.outputNames[0]];
    const v = p.dims[1], rows = [];
    for (let r = 0; r < p.dims[0]; r++) rows.push(Array.from(p.data.slice(r * v, (r + 1) * v)));
    return rows;
  }

  async function generate(text, count) {
    // greedy decoding, as the book's page did: always the most likely next character
    const started = performance.now();
    let added = "";
    for (let i = 0; i < count; i++) {
      const [p] = await probs([text + added]);
      let best = 0;
      for (let j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
      added += best < vocab.reserved_count ? vocab.pad : vocab.tokens[best];
    }
    return { text: added, msPerChar: (performance.now() - started) / Math.max(count, 1) };
  }

  return { load, probs, generate };
})();
window.charModel = charModel;

(async () => {
  const prompt = document.getElementById("prompt"), status = document.getElementById("status");
  const completion = document.getElementById("completion"), length = document.getElementById("length");
  try {
    const info = await charModel.load();
    status.textContent = `model loaded in ${info.loadMs.toFixed(0)} ms (${info.threads} wasm thread(s))`;
    window.modelInfo = info;
  } catch (err) {
    status.textContent = `could not load the model: ${err}`;
    window.modelError = String(err);
    return;
  }
  let pending = 0;
  async function update() {
    const ticket = ++pending;
    const out = await charModel.generate(prompt.value.toLowerCase(), Number(length.value) || 60);
    if (ticket !== pending) return;  // the text changed meanwhile
    completion.textContent = prompt.value + out.text;
    status.textContent = `${out.msPerChar.toFixed(2)} ms per generated character`;
    window.lastGeneration = out;
  }
  prompt.addEventListener("input", update);
  length.addEventListener("change", update);
  update();
})();
