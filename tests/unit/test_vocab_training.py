"""The shared vocabulary/tokenizer, the training loop and the history plot."""

import numpy as np
import pytest

from cookbook.text.vocab import END, PAD, START, UNK, Vocabulary, tokenize


def test_tokenize_options():
    assert tokenize("RT @Foo: Don't stop #MAGA!", handles=True) == ["rt", "@foo", "don't", "stop", "#maga"]
    assert tokenize("RT @Foo") == ["rt", "foo"]
    assert tokenize("Don't you_see, Mr. Darcy?", punctuation="?") == ["don't", "you", "see", "mr", "darcy", "?"]
    assert tokenize("Café au lait, ISN'T it?", accents=False) == ["cafe", "au", "lait", "isn't", "it"]
    assert tokenize("Café", lowercase=False) == ["Café"]


def test_id_scheme_reserved_first_then_by_frequency():
    vocab = Vocabulary.fit(["abbccc"], reserved=(PAD, UNK))
    assert vocab.reserved == (PAD, UNK) and vocab.tokens == ("c", "b", "a")
    assert [vocab.id(t) for t in (PAD, UNK, "c", "b", "a")] == [0, 1, 2, 3, 4]
    ties = Vocabulary.fit(["ba"], reserved=())
    assert ties.tokens == ("a", "b")  # equal counts: code-point order, not insertion order


def test_max_size_and_min_count_count_the_reserved_ids():
    vocab = Vocabulary.fit(["aaaabbbc"], reserved=(UNK,), max_size=3)
    assert vocab.size == 3 and vocab.tokens == ("a", "b")
    assert Vocabulary.fit(["aab", "ab"], min_count=2).tokens == ("a", "b")
    assert Vocabulary.fit(["aab", "ab"], min_count=3).tokens == ("a",)


def test_char_encoding_is_vectorised_and_handles_unknowns():
    with_unk = Vocabulary(("a", "b"), reserved=(UNK,))
    np.testing.assert_array_equal(with_unk.encode("abz✓a"), [1, 2, 0, 0, 1])
    without = Vocabulary(("a", "b"), reserved=(PAD, START, END))
    np.testing.assert_array_equal(without.encode("azb"), [3, 4])  # dropped, not mapped
    assert with_unk.encode("ab").dtype == np.int32


def test_word_encoding_and_batches():
    vocab = Vocabulary.fit([tokenize("b a a"), tokenize("a c")], max_size=4)
    assert vocab.tokens == ("a", "b")
    batch = vocab.encode_batch([tokenize("a b c d"), ["a"]], length=3)
    np.testing.assert_array_equal(batch, [[2, 3, 1], [2, 0, 0]])


def test_seq2seq_markers_reverse_and_decode():
    table = Vocabulary(tuple("cdgot"), reserved=(PAD, START, END))
    ids = table.encode_batch(["cat", "dog"], length=6, start=True, end=True, reverse=True)
    assert ids[1].tolist() == [1, table.id("g"), table.id("o"), table.id("d"), 2, 0]
    assert table.decode(ids[1]) == "god"  # start skipped, stops at the end marker
    assert table.decode([table.id("c"), 2, table.id("d")]) == "c"


def test_round_trip_through_a_card():
    vocab = Vocabulary.fit(["hello world"], reserved=(UNK,))
    assert Vocabulary.from_dict(vocab.to_dict()) == vocab
    with pytest.raises(ValueError, match="reserved"):
        Vocabulary(("a", UNK), reserved=(UNK,))


def test_fit_respects_patience_budget_and_reports_best_epoch():
    import keras

    from cookbook import plots, training

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    run = training.fit(model, (x, y), validation=(x, y), epochs=5, batch_size=32, patience=2)
    assert run.epochs_run == 5 and len(run.epoch_seconds) == 5
    assert run.history["loss"][-1] < run.history["loss"][0]
    assert run.best_epoch == int(np.argmin(run.history["val_loss"]))
    cut = training.fit(model, (x, y), epochs=50, batch_size=8, budget_s=0.0)
    assert cut.budget_expired and cut.epochs_run == 1
    fig = plots.history(run.history, ("loss", "accuracy"), title="toy")
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2


def test_time_budget_decays_the_learning_rate():
    import keras

    from cookbook import training

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    budget = training.TimeBudget(1e-3, base_lr=1e-2, min_lr=1e-4)
    x = np.zeros((64, 1), "float32")
    model.fit(x, x, epochs=3, batch_size=4, callbacks=[budget], verbose=0)
    assert budget.expired
    assert float(np.asarray(model.optimizer.learning_rate)) == pytest.approx(1e-4, rel=1e-3)
