"""cookbook.text.textgen: vocabulary, pipelines, training loop, sampling, code cleaning and
activation helpers (small and fast). The model is the notebook's; the tests build a tiny one."""

import numpy as np
import pytest

from cookbook.text import textgen as tg
from cookbook.text.vocab import UNK, Vocabulary

TEXT = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n" * 20


def tiny_char_lstm(vocab_size, units=(16, 12), embed_dim=8, dropout=0.0, learning_rate=2e-2,
                   name="tiny"):
    """The notebook's architecture (embedding -> LSTMs -> logits), tiny."""
    import keras

    inputs = keras.Input(shape=(None,), dtype="int32", name="char_ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(inputs)
    for i, width in enumerate(units):
        x = keras.layers.LSTM(width, return_sequences=True, dropout=dropout, name=f"lstm_{i + 1}")(x)
    logits = keras.layers.Dense(vocab_size, dtype="float32", name="logits")(x)
    model = keras.Model(inputs, logits, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model


def test_char_vocabulary_round_trip_and_unknown_chars():
    vocab = tg.char_vocabulary(TEXT)
    assert vocab.reserved == (UNK,) and vocab.unknown_id == 0
    assert vocab.tokens[0] == " "  # most frequent first
    assert vocab.decode(vocab.encode(TEXT)) == TEXT
    assert vocab.encode("Z€").tolist() == [0, 0]  # neither is in the text
    assert tg.vocab_from_card({"vocab": vocab.to_dict()}) == vocab


def test_old_zoo_vocab_string_keeps_its_ids():
    # the zoo cards used to store "\x00" + characters; tokens = that string[1:] keeps every id
    old = "\x00\n abc"
    vocab = Vocabulary(tokens=tuple(old[1:]), reserved=(UNK,))
    text = "a cab\nzz"
    assert vocab.encode(text).tolist() == [old.index(c) if c in old else 0 for c in text]


def test_capped_vocab_keeps_the_most_frequent_chars():
    vocab = tg.char_vocabulary("aaaabbbc", max_size=3)
    assert set(vocab.tokens) == {"a", "b"}
    assert vocab.encode("c").tolist() == [0]


def test_split_is_contiguous_and_complete():
    ids = np.arange(100)
    train, val = tg.split_ids(ids, 0.2)
    assert train.tolist() == list(range(80)) and val.tolist() == list(range(80, 100))


def test_window_dataset_targets_are_inputs_shifted_by_one():
    vocab = tg.char_vocabulary(TEXT)
    ids = vocab.encode(TEXT)
    x, y = next(iter(tg.window_dataset(ids, seq_len=10, batch_size=4, shuffle=False)))
    x, y = x.numpy(), y.numpy()
    assert x.shape == y.shape == (4, 10)
    assert (x[:, 1:] == y[:, :-1]).all()
    assert vocab.decode(x[0]) + vocab.decode(y[0])[-1:] == TEXT[:11]
    shifted, _ = next(iter(tg.window_dataset(ids, 10, 4, shuffle=False, offset=3)))
    assert vocab.decode(shifted.numpy()[0]) == TEXT[3:13]


def test_window_dataset_refuses_too_little_text():
    with pytest.raises(ValueError):
        tg.window_dataset(np.zeros(5, np.int32), seq_len=10, batch_size=2)


def test_python_generator_yields_one_hot_targets_of_real_text():
    vocab = tg.char_vocabulary(TEXT)
    x, y = next(tg.python_batch_generator(TEXT, vocab, seq_len=12, batch_size=3))
    assert x.shape == (3, 12) and y.shape == (3, 12, vocab.size)
    assert np.allclose(y.sum(-1), 1.0)
    assert (x[:, 1:] == y[:, :-1].argmax(-1)).all()
    assert vocab.decode(x[0]) in TEXT


def test_sampling_temperature_extremes():
    rng = np.random.default_rng(0)
    logits = np.array([0.0, 3.0, 1.0])
    assert tg.sample_from_logits(logits, 0, rng) == 1
    cold = [tg.sample_from_logits(logits, 0.05, rng) for _ in range(50)]
    hot = [tg.sample_from_logits(logits, 50.0, rng) for _ in range(300)]
    assert set(cold) == {1}
    assert set(hot) == {0, 1, 2}


@pytest.fixture(scope="module")
def tiny_model():
    import keras

    keras.utils.set_random_seed(1)
    vocab = tg.char_vocabulary(TEXT)
    ids = vocab.encode(TEXT)
    model = tiny_char_lstm(vocab.size)
    run = tg.train_char_model(model, ids[:1500], ids[1500:], seq_len=20, batch_size=8, epochs=10)
    assert run.epochs_run == 10 and len(run.epoch_seconds) == 10
    return model, vocab, run.history


def test_training_reduces_the_loss_and_beats_unigram(tiny_model):
    model, vocab, history = tiny_model
    assert history["loss"][-1] < history["loss"][0]
    ids = vocab.encode(TEXT)
    held = tg.evaluate_ids(model, ids[1500:], seq_len=20, batch_size=4)
    assert held["loss"] < tg.unigram_baseline(ids[:1500], ids[1500:], vocab.size)["loss"]


def test_accuracy_by_position_averages_to_the_keras_accuracy(tiny_model):
    model, vocab, _ = tiny_model
    ids = vocab.encode(TEXT)[1500:]
    by_position = tg.accuracy_by_position(model, ids, seq_len=20, batch_size=4)
    assert by_position.shape == (20,)
    assert ((0 <= by_position) & (by_position <= 1)).all()
    overall = tg.evaluate_ids(model, ids, seq_len=20, batch_size=4)["accuracy"]
    assert abs(by_position.mean() - overall) < 1e-4


def test_step_model_matches_the_full_model(tiny_model):
    model, vocab, _ = tiny_model
    text = "that is the question"
    full = np.asarray(model(vocab.encode(text)[None, :]))[0]
    step = tg.build_step_model(model)
    states = [np.zeros((1, layer.units), np.float32) for layer in tg.lstm_layers(model) for _ in (0, 1)]
    for i, char_id in enumerate(vocab.encode(text)):
        logits, *states = step([np.array([[char_id]], np.int32), *states])
        states = [np.asarray(s) for s in states]
        np.testing.assert_allclose(np.asarray(logits)[0, -1], full[i], atol=1e-4)


def test_generate_one_sample_per_temperature(tiny_model):
    model, vocab, _ = tiny_model
    samples = tg.generate(model, vocab, "To be", 30, temperatures=(0.0, 0.5, 1.2), seed=3)
    assert [len(s) for s in samples] == [30, 30, 30]
    assert all(set(s) <= set(vocab.tokens) for s in samples)
    again = tg.generate(model, vocab, "To be", 30, temperatures=(0.0,), seed=9)
    assert again[0] == samples[0]  # greedy decoding does not depend on the random seed


def test_cell_activations_shape(tiny_model):
    model, vocab, _ = tiny_model
    acts = tg.cell_activations(model, vocab, "x = (1, 'a')", "lstm_2")
    assert acts.shape == (12, 12)
    assert np.abs(acts).max() <= 1.0  # LSTM outputs are tanh-bounded


def test_code_features_and_cell_ranking():
    code = "f(a, [b]) + 'it''s'\nx = \"q\\\"\""
    mask = tg.string_literal_mask(code)
    assert tg.string_literal_mask("a'bc'd").tolist() == [0, 1, 1, 1, 1, 0]
    doc = 'f("""x\ny""") # don\'t\nz'
    assert tg.string_literal_mask(doc).tolist() == [0, 0] + [1] * 9 + [0] * 11
    assert mask[code.index("it")] == 1 and mask[0] == 0
    assert tg.bracket_depth("f(a[b])c").tolist() == [0, 1, 1, 2, 2, 2, 1, 0]
    acts = np.stack([np.random.default_rng(0).normal(size=len(code)), mask * 2 - 1 + 0.01], axis=1)
    (cell, corr), = tg.cells_tracking(acts, mask)
    assert cell == 1 and corr > 0.99


def test_activation_html_escapes_and_colours():
    page = tg.activation_html("<a>\n", np.array([1.0, -1.0, 0.0, 0.5]))
    assert "&lt;" in page and "<br>" in page and "rgba(40,90,220,1.00)" in page


def test_mixed_precision_training_returns_a_float32_copy_with_the_trained_weights():
    import keras

    keras.utils.set_random_seed(2)
    policy_before = keras.config.dtype_policy().name
    run = tg.train_and_evaluate(TEXT, tiny_char_lstm, name="mixed", units=(16,), seq_len=20,
                                batch_size=8, epochs=2, learning_rate=2e-2, dropout=0.1,
                                mixed_precision=True)
    assert keras.config.dtype_policy().name == policy_before  # the global policy is restored
    assert all(layer.dtype_policy.name == "float32" for layer in run.model.layers)
    assert run.data["precision"] == "mixed_bfloat16" and run.data["steps"] > 0
    assert run.held_out["loss"] < run.baseline["loss"]
    # the copy is the trained network: rebuilding it from its own weights changes nothing
    again = tg.float32_copy(run.model)
    ids = run.vocab.encode("that is the question")[None, :]
    np.testing.assert_allclose(np.asarray(again(ids)), np.asarray(run.model(ids)), atol=1e-5)
    assert again.compiled  # evaluate() and the zoo card's compile config need it


def test_precision_policy_is_restored_after_an_error():
    import keras

    before = keras.config.dtype_policy().name
    with pytest.raises(RuntimeError):
        with tg.precision_policy("mixed_bfloat16"):
            assert keras.config.dtype_policy().name == "mixed_bfloat16"
            raise RuntimeError("boom")
    assert keras.config.dtype_policy().name == before
    assert isinstance(tg.bfloat16_is_fast(), bool)


def test_time_budget_spans_the_per_epoch_fit_calls():
    vocab = tg.char_vocabulary(TEXT)
    ids = vocab.encode(TEXT)
    model = tiny_char_lstm(vocab.size, units=(8,))
    run = tg.train_char_model(model, ids[:1500], ids[1500:], seq_len=20, batch_size=8,
                              epochs=1000, time_budget_s=0.5, base_lr=1e-2)
    assert run.budget_expired and 1 <= run.epochs_run < 1000
    assert float(np.asarray(model.optimizer.learning_rate)) < 1e-2  # the cosine decayed it


def test_clean_python_source_follows_the_book():
    code = ("#!/usr/bin/env python\n"
            '"""A module docstring in plain English."""\n'
            "import os  # the os module\n"
            "x = 'a#b'\n"
            "    # an indented comment line\n"
            "y = f'{x} and some more words'\n"
            "z = rb'''two words\nover lines'''\n"
            "s = 'caf\u00e9'\n")
    cleaned = tg.clean_python_source(code)
    assert cleaned == ('"""MSG"""\n'
                       "import os\n"
                       "x = 'a#b'\n"  # a '#' inside a string is not a comment
                       "y = f'MSG'\n"
                       "z = rb'''MSG'''\n"
                       "s = 'caf'\n")  # non-ASCII dropped; 'café' has no space: kept
    assert tg.clean_python_source("def f(:\n  '''") is None  # untokenizable source
    assert tg.clean_python_source("x = 'no_space_here'\n") == "x = 'no_space_here'\n"
    assert tg.compiles(cleaned)


def test_complete_functions_and_compiles():
    samples = ["f(x):\n    return x\n\ndef g", "g(:\n    pass\n\n", "h():\n    return 1"]
    functions = tg.complete_functions(samples)
    assert functions == ["def f(x):\n    return x\n", "def g(:\n    pass\n"]  # h never ended
    assert [tg.compiles(f) for f in functions] == [True, False]


def test_string_mask_can_mark_comments():
    code = "x = 'ab'  # c\n"
    assert tg.string_literal_mask(code).sum() == 4
    assert tg.string_literal_mask(code, comments=True).sum() == 4 + 3
