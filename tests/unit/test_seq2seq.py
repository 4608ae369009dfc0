"""Seq2seq helpers (cookbook.seq2seq): data encoding, metrics, BPE, models and decoders."""

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


def test_char_table_round_trip_and_reverse():
    table = s2s.CharTable.from_words(["cat", "dog"])
    ids = table.encode(["cat"], 6, end=True)
    assert ids.shape == (1, 6) and ids[0, 3] == s2s.END and ids[0, 4] == s2s.PAD
    assert table.decode(ids[0]) == "cat"
    assert table.decode(table.encode(["cat"], 5, reverse=True)[0]) == "tac"


def test_plural_arrays_shift_target_right_for_decoder_input():
    table = s2s.CharTable.from_words(["ox", "oxen"])
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


@pytest.mark.parametrize("attention", [True])
def test_model_learns_to_copy_and_decoders_agree(attention):
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    src = rng.integers(3, 8, size=(512, 4)).astype("int32")
    target = np.concatenate([src, np.full((512, 1), s2s.END, "int32")], axis=1)
    dec_in = np.concatenate([np.full((512, 1), s2s.START, "int32"), src], axis=1)
    model = s2s.build_seq2seq(8, 8, embed_dim=16, units=32, attention=attention)
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    model.fit(s2s.length_batches(src, dec_in, target, 64), epochs=12, verbose=0)
    inf = s2s.inference_models(model)
    decoded = s2s.greedy_decode(inf, src[:64], 6)
    assert np.mean(decoded[:, :5] == target[:64]) > 0.6  # copying is learnt, far above chance (0.2)
    best = s2s.beam_decode(inf, src[0], 6, beam=3)[0][0]
    greedy = [int(i) for i in decoded[0] if i not in (s2s.END, s2s.PAD)]
    assert len(best) >= 1 and best[:2] == greedy[:2]


def test_length_batches_crop_padding():
    src = np.array([[3, 0, 0, 0, 0, 0, 0, 0, 0, 0]] * 4 + [[3] * 10] * 4, dtype="int32")
    batches = list(s2s.length_batches(src, src, src, 4, multiple=2))
    widths = sorted(int(x[0].shape[1]) for x, _ in batches)
    assert widths == [2, 10]
