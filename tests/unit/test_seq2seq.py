"""Seq2seq plumbing (cookbook.text.seq2seq): data encoding, metrics, BPE, inference models and
decoders. The training model lives in the chapter notebook; the test builds a tiny one with the
layer names the module relies on."""

import numpy as np
import pytest

from cookbook.text import seq2seq as s2s


def test_read_plurals_skips_malformed_lines(tmp_path):
    path = tmp_path / "plurals.txt"
    path.write_text("cat\tcats\nbroken line\nmouse\tmice\n")
    assert s2s.read_plurals(path) == [("cat", "cats"), ("mouse", "mice")]


def test_split_is_seeded_and_disjoint():
    pairs = [(str(i), str(i)) for i in range(100)]
    train, val = s2s.split_pairs(pairs, 0.1, seed=0)
    assert len(val) == 10 and len(train) == 90
    assert not set(train) & set(val)
    assert s2s.split_pairs(pairs, 0.1, seed=0) == (train, val)


def test_char_vocabulary_ids_round_trip_and_reverse():
    table = s2s.char_vocabulary(["cat", "dog", "dot"])
    assert table.index[table.reserved[0]] == s2s.PAD and table.index[table.reserved[2]] == s2s.END
    assert table.tokens[:2] == ("d", "o") and table.size == 6 + 3  # most frequent first
    ids = table.encode_batch(["cat"], 6, end=True)
    assert ids.shape == (1, 6) and ids[0, 3] == s2s.END and ids[0, 4] == s2s.PAD
    assert table.decode(ids[0]) == "cat"
    assert table.decode(table.encode_batch(["cat"], 5, reverse=True)[0]) == "tac"


def test_card_vocabulary_keeps_the_zoo_models_ids():
    """The plural zoo model's card stores its characters in id order (3.. after the reserved)."""
    import json
    from pathlib import Path

    from cookbook.text.vocab import Vocabulary

    card = json.loads((Path(__file__).parents[2] / "zoo/08/plural_seq2seq.json").read_text())
    table = Vocabulary.from_dict(card["data"]["vocab"])
    assert table.reserved == s2s.SEQ2SEQ_RESERVED
    assert "".join(table.tokens) == "'/0123456789Sabcdefghijklmnopqrstuvwxyz"
    assert table.id("'") == 3 and table.id("z") == table.size - 1


def test_plural_arrays_shift_target_right_for_decoder_input():
    table = s2s.char_vocabulary(["ox", "oxen"])
    enc, dec_in, target = s2s.plural_arrays([("ox", "oxen")], table, 4, 6)
    assert dec_in[0, 0] == s2s.START
    np.testing.assert_array_equal(dec_in[0, 1:5], target[0, :4])
    assert s2s.END not in dec_in


def test_metrics_and_baseline():
    assert s2s.append_s_baseline(["cat", "mouse"]) == ["cats", "mouses"]
    assert s2s.word_accuracy(["cats", "mouses"], ["cats", "mice"]) == 0.5
    assert s2s.char_accuracy(np.array([[3, 4, 0]]), np.array([[3, 5, 0]])) == pytest.approx(2 / 3)


def test_strip_after_end():
    np.testing.assert_array_equal(s2s.strip_after_end(np.array([[5, 2, 7, 8]])), [[5, 2, 0, 0]])


def test_bpe_merges_most_frequent_pair_first():
    merges = s2s.learn_bpe({"the": 10, "then": 5, "cat": 1}, 2)
    assert merges[0] == ("t", "h")
    assert merges[1] == ("th", "e")
    assert s2s.apply_bpe("then", merges) == ["the", "n"]


def test_sentencepiece_covers_unseen_words():
    lines = ["the cat sat on the mat", "a dog sat on a log", "where is the cat ?"] * 30
    sp = s2s.load_sentencepiece(s2s.train_sentencepiece(lines, 40))
    ids = s2s.encode_pieces(sp, ["the catalog"], 12, end=True)
    assert ids[0, 0] >= 3 and s2s.END in ids[0]
    assert sp.unk_id() == 3 and sp.pad_id() == s2s.PAD


def test_unigram_cross_entropy_and_masked_cross_entropy():
    train = np.array([[3, 3, 4, 0]])
    val = np.array([[3, 0]])
    ce = s2s.unigram_cross_entropy(train, val, vocab=5)
    assert ce == pytest.approx(-np.log(3 / 8))
    probs = np.full((1, 2, 5), 0.2)
    assert s2s.masked_cross_entropy(probs, val) == pytest.approx(-np.log(0.2))
    probs[0, 0, 3] = 0.5  # right at the one real position; padding is not counted
    assert s2s.masked_accuracy(probs, np.array([[3, 0]])) == 1.0
    assert s2s.masked_accuracy(probs, np.array([[4, 0]])) == 0.0


def tiny_seq2seq(vocab_size, embed_dim=16, units=32):
    """The notebook's encoder-decoder with attention, at toy size (same layer names)."""
    import keras
    from keras import layers

    src = keras.Input((None,), dtype="int32", name="source")
    dec_in = keras.Input((None,), dtype="int32", name="decoder_input")
    emb = layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="enc_embedding")(src)
    enc_seq, h, c = layers.LSTM(units, return_sequences=True, return_state=True, name="encoder")(emb)
    dec = layers.Embedding(vocab_size, embed_dim, name="dec_embedding")(dec_in)
    dec_seq = layers.LSTM(units, return_sequences=True, name="decoder")(dec, initial_state=[h, c])
    context = layers.Attention(name="attention")(
        [dec_seq, enc_seq], mask=[None, keras.ops.not_equal(src, s2s.PAD)])
    mixed = layers.Concatenate(name="attention_concat")([dec_seq, context])
    mixed = layers.Dense(units, activation="tanh", name="attention_mix")(mixed)
    probs = layers.Dense(vocab_size, activation="softmax", name="next_token")(mixed)
    return keras.Model([src, dec_in], probs)


def test_model_learns_to_copy_and_decoders_agree():
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    src = rng.integers(3, 8, size=(512, 4)).astype("int32")
    target = np.concatenate([src, np.full((512, 1), s2s.END, "int32")], axis=1)
    dec_in = np.concatenate([np.full((512, 1), s2s.START, "int32"), src], axis=1)
    model = tiny_seq2seq(8)
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    model.fit(s2s.length_batches(src, dec_in, target, 64), epochs=12, verbose=0, shuffle=False)
    inf = s2s.inference_models(model)
    decoded = s2s.greedy_decode(inf, src[:64], 6)
    assert np.mean(decoded[:, :5] == target[:64]) > 0.6  # copying is learnt, far above chance (0.2)
    best = s2s.beam_decode(inf, src[0], 6, beam=3)[0][0]
    greedy = [int(i) for i in decoded[0] if i not in (s2s.END, s2s.PAD)]
    assert len(best) >= 1 and best[:2] == greedy[:2]
    # the one-step decoder reproduces the training model's teacher-forced probabilities
    enc_seq, h, c = inf.encode(src[:4])
    step_probs, _, _ = inf.decode_step(dec_in[:4, :1], h, c, enc_seq, src[:4])
    full = np.array(model([src[:4], dec_in[:4]], training=False))
    np.testing.assert_allclose(step_probs, full[:, 0], atol=1e-5)


def test_length_batches_crop_padding():
    src = np.array([[3, 0, 0, 0, 0, 0, 0, 0, 0, 0]] * 4 + [[3] * 10] * 4, dtype="int32")
    batches = list(s2s.length_batches(src, src, src, 4, multiple=2))
    widths = sorted(int(x[0].shape[1]) for x, _ in batches)
    assert widths == [2, 10]
