"""Plumbing around the encoder-decoder models of recipes 8.1, 8.3 and 8.4.

The training model itself (embeddings, encoder LSTM, decoder LSTM, attention, softmax) is built
in the chapter's notebook. This module holds what surrounds it: turning pairs into id arrays,
length-bucketed batches, cutting a trained model into an encoder and a one-step decoder
(:func:`inference_models`), greedy and beam decoding, byte-pair encoding and SentencePiece, and
the evaluation numbers. :func:`inference_models` finds the trained layers by name, so a model
must use the names ``enc_embedding``, ``encoder``, ``dec_embedding``, ``decoder``, ``next_token``
and, with attention, ``attention``, ``attention_concat`` and ``attention_mix``.

Token ids follow :mod:`cookbook.text.vocab` with ``reserved=(PAD, START, END)``:
0 = padding, 1 = start of sequence, 2 = end of sequence, 3.. = symbols.
"""

from __future__ import annotations

import collections
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

PAD, START, END = 0, 1, 2
SEQ2SEQ_RESERVED = ("<pad>", "<s>", "</s>")  # vocab.PAD, vocab.START, vocab.END -> ids 0, 1, 2


# --------------------------------------------------------------------------------------------
# 8.1 data: singular -> plural at the character level


def read_plurals(path: Path) -> list[tuple[str, str]]:
    """``singular<TAB>plural`` lines -> pairs (lines without a tab are skipped)."""
    pairs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[0] and parts[1]:
            pairs.append((parts[0], parts[1]))
    return pairs


def split_pairs(pairs: Sequence, val_fraction: float = 0.1, seed: int = 0) -> tuple[list, list]:
    """Shuffle with a fixed seed and hold out the last ``val_fraction`` (the book's split). The
    same seed gives the same split in smoke and full mode, so a zoo model is always scored on
    words it never saw."""
    order = np.random.default_rng(seed).permutation(len(pairs))
    cut = len(pairs) - int(round(len(pairs) * val_fraction))
    return [pairs[i] for i in order[:cut]], [pairs[i] for i in order[cut:]]


def char_vocabulary(words: Iterable[str]):
    """A character :class:`~cookbook.text.vocab.Vocabulary` with the seq2seq reserved ids
    (0 pad, 1 start, 2 end), characters most frequent first."""
    from . import vocab

    return vocab.Vocabulary.fit(words, reserved=SEQ2SEQ_RESERVED)


def plural_arrays(pairs: Sequence[tuple[str, str]], table, src_len: int, tgt_len: int,
                  reverse: bool = True):
    """Encoder input, decoder input (start + plural) and decoder target (plural + end), with
    padding kept in the target: like the book, the model also learns where the word stops.
    ``table`` is a :class:`~cookbook.text.vocab.Vocabulary` with :data:`SEQ2SEQ_RESERVED`."""
    singulars = [s for s, _ in pairs]
    plurals = [p for _, p in pairs]
    enc = table.encode_batch(singulars, src_len, reverse=reverse)
    target = table.encode_batch(plurals, tgt_len, end=True)
    dec_in = np.concatenate([np.full((len(pairs), 1), START, "int32"), target[:, :-1]], axis=1)
    dec_in[dec_in == END] = PAD
    return enc, dec_in, target


def append_s_baseline(singulars: Iterable[str]) -> list[str]:
    """The rule a beginner would write: add an 's'."""
    return [w + "s" for w in singulars]


def char_accuracy(pred_ids: np.ndarray, target_ids: np.ndarray) -> float:
    """The book's metric: share of output positions (padding included) that are right."""
    return float(np.mean(pred_ids == target_ids))


def word_accuracy(predicted: Sequence[str], expected: Sequence[str]) -> float:
    """Share of words reproduced exactly (the stricter number the book does not report)."""
    return float(np.mean([p == e for p, e in zip(predicted, expected)]))


# --------------------------------------------------------------------------------------------
# models


def _attend(dec_seq, enc_seq, src, parts):
    """The trained model's attention block, applied to one decoder step: dot-product attention
    over the unpadded encoder outputs, then the tanh mix of decoder output and context."""
    import keras

    src_mask = keras.ops.not_equal(src, PAD)
    context = parts["attention"]([dec_seq, enc_seq], mask=[None, src_mask])
    return parts["attention_mix"](parts["attention_concat"]([dec_seq, context]))


@dataclass
class InferenceModels:
    """The encoder and the one-step decoder cut out of a trained encoder-decoder model.
    ``encode``/``decode_step`` are compiled versions (one graph for all batch sizes and lengths):
    decoding calls the step model once per output token, where eager calls are slow."""

    encoder: object
    step: object
    attention: bool

    def __post_init__(self):
        import tensorflow as tf

        self._encode = tf.function(lambda src: self.encoder(src, training=False), reduce_retracing=True)
        self._step = tf.function(lambda *args: self.step(list(args), training=False), reduce_retracing=True)

    def encode(self, src):
        return [np.array(t) for t in self._encode(np.asarray(src, dtype="int32"))]

    def decode_step(self, token, h, c, enc_seq, src):
        out = self._step(np.asarray(token, dtype="int32"), np.asarray(h, dtype="float32"),
                         np.asarray(c, dtype="float32"), np.asarray(enc_seq, dtype="float32"),
                         np.asarray(src, dtype="int32"))
        return [np.array(t) for t in out]


def inference_models(model) -> InferenceModels:
    """Rebuild encoder and one-step decoder from a training model's layers (shared weights)."""
    import keras

    names = {layer.name for layer in model.layers}
    attention = "attention" in names
    src = keras.Input((None,), dtype="int32", name="source")
    enc_seq, h, c = model.get_layer("encoder")(model.get_layer("enc_embedding")(src))
    encoder = keras.Model(src, [enc_seq, h, c], name="encoder_model")

    units = model.get_layer("encoder").units
    token = keras.Input((1,), dtype="int32", name="token")
    h_in = keras.Input((units,), name="h")
    c_in = keras.Input((units,), name="c")
    enc_in = keras.Input((None, units), name="encoder_outputs")
    src_in = keras.Input((None,), dtype="int32", name="source_ids")
    decoder = model.get_layer("decoder")
    # one step of the trained decoder = one call of its cell (same weights, no sequence loop)
    cell = decoder.cell
    x = model.get_layer("dec_embedding")(token)[:, 0, :]
    out, (h_out, c_out) = cell(x, [h_in, c_in])
    seq = keras.ops.expand_dims(out, 1)
    if attention:
        parts = {n: model.get_layer(n) for n in ("attention", "attention_concat", "attention_mix")}
        seq = _attend(seq, enc_in, src_in, parts)
    probs = model.get_layer("next_token")(seq)[:, 0, :]
    step = keras.Model([token, h_in, c_in, enc_in, src_in], [probs, h_out, c_out], name="decoder_step")
    return InferenceModels(encoder, step, attention)


def greedy_decode(models: InferenceModels, src: np.ndarray, max_len: int,
                  batch_size: int = 1024, min_len: int = 0) -> np.ndarray:
    """Most likely token at every step, fed back as the next input. Returns ``(n, max_len)``
    ids; positions after the end marker are set to padding. The end marker is not allowed
    before ``min_len`` tokens (a chatbot should say something)."""
    outputs = []
    for lo in range(0, len(src), batch_size):
        chunk = src[lo:lo + batch_size]
        enc_seq, h, c = models.encode(chunk)
        token = np.full((len(chunk), 1), START, dtype="int32")
        done = np.zeros(len(chunk), dtype=bool)
        result = np.zeros((len(chunk), max_len), dtype="int32")
        for t in range(max_len):
            probs, h, c = models.decode_step(token, h, c, enc_seq, chunk)
            if t < min_len:
                probs[:, END] = 0.0
            nxt = probs.argmax(-1).astype("int32")
            nxt[done] = PAD
            result[:, t] = nxt
            done |= nxt == END
            token = nxt[:, None]
            if done.all():
                break
        outputs.append(result)
    return np.concatenate(outputs)


def beam_decode(models: InferenceModels, src_row: np.ndarray, max_len: int, beam: int = 4,
                length_penalty: float = 0.7, banned: Sequence[int] = (),
                min_len: int = 1) -> list[tuple[list[int], float]]:
    """Beam search for one source sequence; returns ``(ids, score)`` best first. Scores are
    summed log-probabilities divided by ``length ** length_penalty`` so that short replies do not
    win just for being short."""
    src = np.asarray(src_row, dtype="int32")[None, :]
    enc_seq, h, c = models.encode(src)
    beams = [([], 0.0, h[0], c[0])]
    finished: list[tuple[list[int], float]] = []
    for step in range(max_len):
        tokens = np.array([[b[0][-1] if b[0] else START] for b in beams], dtype="int32")
        hs = np.stack([b[2] for b in beams])
        cs = np.stack([b[3] for b in beams])
        n = len(beams)
        probs, h2, c2 = models.decode_step(tokens, hs, cs, np.repeat(enc_seq, n, 0), np.repeat(src, n, 0))
        logp = np.log(probs + 1e-12)
        logp[:, list(banned) + ([END] if step < min_len else [])] = -np.inf
        candidates = []
        for i, (ids, score, _, _) in enumerate(beams):
            for tok in np.argsort(logp[i])[-beam:]:
                candidates.append((ids + [int(tok)], score + float(logp[i, tok]), h2[i], c2[i]))
        candidates.sort(key=lambda b: b[1], reverse=True)
        beams = []
        for cand in candidates:
            if cand[0][-1] == END:
                finished.append((cand[0][:-1], cand[1] / max(len(cand[0]) - 1, 1) ** length_penalty))
            elif len(beams) < beam:
                beams.append(cand)
        if not beams or len(finished) >= beam:
            break
    finished += [(b[0], b[1] / max(len(b[0]), 1) ** length_penalty) for b in beams]
    return sorted(finished, key=lambda f: f[1], reverse=True)


def strip_after_end(ids: np.ndarray) -> np.ndarray:
    """Copy of ``ids`` with everything after the first end marker turned into padding."""
    ids = np.array(ids)
    ended = np.cumsum(ids == END, axis=-1) - (ids == END) > 0
    ids[ended] = PAD
    return ids


# --------------------------------------------------------------------------------------------
# 8.3 subword units


def learn_bpe(word_counts: dict[str, int], merges: int) -> list[tuple[str, str]]:
    """Byte-pair encoding, spelled out: start from characters (plus an end-of-word mark) and merge
    the most frequent adjacent pair, ``merges`` times. Returns the merges in order."""
    vocab = {tuple(word) + ("</w>",): count for word, count in word_counts.items()}
    learned = []
    for _ in range(merges):
        pairs: collections.Counter = collections.Counter()
        for symbols, count in vocab.items():
            for pair in zip(symbols, symbols[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        learned.append(best)
        vocab = {_merge(symbols, best): count for symbols, count in vocab.items()}
    return learned


def _merge(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def apply_bpe(word: str, merges: Sequence[tuple[str, str]]) -> list[str]:
    """Split ``word`` with learned merges (applied in the order they were learned)."""
    symbols = tuple(word) + ("</w>",)
    for pair in merges:
        symbols = _merge(symbols, pair)
    pieces = list(symbols)
    pieces[-1] = pieces[-1][:-4] if pieces[-1].endswith("</w>") else pieces[-1]
    return [p for p in pieces if p]


def train_sentencepiece(lines: Iterable[str], vocab_size: int, model_type: str = "bpe",
                        seed: int = 0) -> bytes:
    """Train a SentencePiece model in memory and return its serialized bytes. Ids 0-2 are
    pad/start/end to match this module; id 3 is the unknown piece."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)), model_writer=buffer, vocab_size=vocab_size,
        model_type=model_type, character_coverage=1.0, pad_id=PAD, bos_id=START, eos_id=END,
        unk_id=3, hard_vocab_limit=False, minloglevel=2,
        num_threads=1)
    return buffer.getvalue()


def load_sentencepiece(model_bytes: bytes):
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_proto=model_bytes)


def encode_pieces(sp, texts: Sequence[str], length: int, start: bool = False,
                  end: bool = False) -> np.ndarray:
    """SentencePiece ids, right-padded/truncated to ``length`` (end marker kept if cut)."""
    out = np.full((len(texts), length), PAD, dtype="int32")
    for row, ids in enumerate(sp.encode(list(texts))):
        ids = ([START] if start else []) + list(ids)
        ids = ids[:length - 1] + [END] if end else ids[:length]
        out[row, :len(ids)] = ids
    return out


def chat_arrays(sp, pairs: Sequence[tuple[str, str]], src_len: int, tgt_len: int):
    """Encoder input, decoder input and target for (prompt, reply) pairs."""
    src = encode_pieces(sp, [p for p, _ in pairs], src_len)
    target = encode_pieces(sp, [r for _, r in pairs], tgt_len, end=True)
    dec_in = np.concatenate([np.full((len(pairs), 1), START, "int32"), target[:, :-1]], axis=1)
    dec_in[dec_in == END] = PAD
    return src, dec_in, target


def unigram_cross_entropy(train_targets: np.ndarray, val_targets: np.ndarray, vocab: int) -> float:
    """Baseline: nats per (non-padding) target token when every step predicts the training
    targets' token frequencies (add-one smoothed) and ignores the prompt."""
    counts = np.bincount(train_targets[train_targets != PAD].ravel(), minlength=vocab) + 1.0
    logp = np.log(counts / counts.sum())
    tokens = val_targets[val_targets != PAD]
    return float(-logp[tokens].mean())


def masked_cross_entropy(probs: np.ndarray, targets: np.ndarray) -> float:
    """Mean nats per non-padding target token."""
    mask = targets != PAD
    picked = np.take_along_axis(probs, targets[..., None], axis=-1)[..., 0]
    return float(-np.log(picked[mask] + 1e-12).mean())


def masked_accuracy(probs: np.ndarray, targets: np.ndarray) -> float:
    """Share of non-padding target tokens that are the model's most likely next token."""
    mask = targets != PAD
    return float(np.mean((probs.argmax(-1) == targets)[mask]))


# --------------------------------------------------------------------------------------------
# training input


def _crop_width(arr: np.ndarray, multiple: int) -> int:
    """Columns up to the last non-padding one, rounded up to ``multiple`` (few distinct widths,
    so TensorFlow traces the training step only a handful of times)."""
    used = np.flatnonzero((arr != PAD).any(axis=0))
    width = int(used[-1]) + 1 if len(used) else 1
    return min(arr.shape[1], -(-width // multiple) * multiple)


def length_batches(src: np.ndarray, dec_in: np.ndarray, target: np.ndarray, batch_size: int,
                   sample_weight: bool = False, seed: int = 0, multiple: int = 8):
    """A ``tf.data.Dataset`` of batches of similar-length sequences, each cropped to its own
    width. Most words and sentences are far shorter than the longest, so this saves most of the
    recurrent steps that full padding would waste. Batches are reshuffled every epoch."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    lengths = (target != PAD).sum(1) + (src != PAD).sum(1)

    def batches():
        # sort by length with random tie-breaking, cut into batches, shuffle the batches
        order = np.lexsort((rng.random(len(lengths)), lengths))
        chunks = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(chunks)
        for chunk in chunks:
            rows = np.sort(chunk)
            s, d, t = src[rows], dec_in[rows], target[rows]
            s = s[:, :_crop_width(s, multiple)]
            width = _crop_width(t, multiple)
            d, t = d[:, :width], t[:, :width]
            if sample_weight:
                yield (s, d), t, (t != PAD).astype("float32")
            else:
                yield (s, d), t

    ids = tf.TensorSpec((None, None), tf.int32)
    signature = ((ids, ids), ids) + ((tf.TensorSpec((None, None), tf.float32),) if sample_weight else ())
    dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
    # a known length lets Keras end each epoch cleanly (no "input ran out of data")
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(-(-len(src) // batch_size)))
    return dataset.prefetch(2)
