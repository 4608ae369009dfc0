"""Chapter 6 helpers: Q&A loaders, pair batches, the masked sum, the best-epoch callback and\nthe ranking metrics (each test that needs a matcher builds a tiny one)."""

import numpy as np
import pandas as pd
import pytest

from cookbook.text import qa_matching as qm

RST = """\
===============
Programming FAQ
===============

General Questions
=================

How do I copy a file?
---------------------

Use :func:`shutil.copyfile`, see `the docs <https://docs.python.org>`_ and ``copy2``.

.. code-block:: python

   shutil.copyfile(src, dst)

Performance
===========

Why is my loop slow?
--------------------

Look at :mod:`~profile`.
"""


def test_python_faq_loader_keeps_questions_and_strips_markup(tmp_path):
    (tmp_path / "programming.rst.txt").write_text(RST)
    (tmp_path / "index.rst.txt").write_text("Is this skipped?\n----------------\n\nYes.\n")
    pairs = qm.load_python_faq_pairs(tmp_path)
    assert [p["question"] for p in pairs] == ["How do I copy a file?", "Why is my loop slow?"]
    first = pairs[0]["answer"]
    assert first.startswith("Use shutil.copyfile, see the docs and copy2.")
    assert ":func:" not in first and "<https" not in first and ".. code-block" not in first
    assert pairs[1]["answer"] == "Look at profile."
    assert pairs[0]["category"] == "programming"


def test_chatterbot_loader_pairs_opening_line_with_first_reply(tmp_path):
    (tmp_path / "computers.yml").write_text(
        "categories:\n- computers\nconversations:\n"
        "- - What is a computer?\n  - An electronic device.\n  - Another reply.\n"
        "- - lonely line\n")
    pairs = qm.load_chatterbot_pairs(tmp_path)
    assert pairs == [{"question": "What is a computer?", "answer": "An electronic device.",
                      "source": "chatterbot", "category": "computers"}]


def _frame():
    pairs = [{"question": f"question {i}?", "answer": f"answer {i} text", "source": src,
              "category": "c"} for i, src in enumerate(["a"] * 20 + ["b"] * 10)]
    pairs.append({"question": "QUESTION 0?", "answer": "dup", "source": "a", "category": "c"})
    return qm.pairs_frame(pairs)


def test_pairs_frame_drops_repeated_questions_and_split_holds_out_each_source():
    df = _frame()
    assert len(df) == 30 and list(df["id"]) == list(range(30))
    train, test = qm.split_questions(df, 0.2, seed=1)
    assert len(train) + len(test) == 30
    assert set(test["source"]) == {"a", "b"}
    assert not set(train["question"]) & set(test["question"])


def test_pair_batch_negatives_never_repeat_the_true_answer():
    questions = np.array(["q1", "q2", "q3"], dtype=object)
    answers = np.array(["same", "same", "other"], dtype=object)
    q, a, y = qm.pair_batch(questions, answers, [0, 1, 2], negatives=3,
                            rng=np.random.default_rng(0))
    assert len(q) == len(a) == len(y) == 12 and y.sum() == 3
    for qq, aa, yy in zip(q, a, y):
        own = answers[list(questions).index(qq)]
        assert (aa == own) == bool(yy)


def test_ranks_and_metrics():
    q = np.eye(3)
    a = np.array([[1.0, 0, 0], [0.9, 0.1, 0], [0, 0, 1]])
    ranks = qm.answer_ranks(q, a, [0, 0, 2])  # q1 -> a0 is 2nd for q2 (a1 scores 0.1 > 0)
    assert list(ranks) == [1, 2, 1]
    m = qm.ranking_metrics(ranks)
    assert m["top1"] == pytest.approx(2 / 3) and m["top5"] == 1.0
    assert m["mrr"] == pytest.approx((1 + 0.5 + 1) / 3)


def test_random_baseline_matches_simulation():
    n = 40
    base = qm.random_ranking_baseline(n)
    ranks = np.random.default_rng(0).integers(1, n + 1, size=200_000)
    sim = qm.ranking_metrics(ranks)
    assert base["mrr"] == pytest.approx(sim["mrr"], abs=0.003)
    assert base["top5"] == pytest.approx(5 / n)


def test_candidate_answers_merges_identical_texts():
    df = pd.DataFrame({"answer": ["x", "y", "x"]})
    texts, index = qm.candidate_answers(df)
    assert texts == ["x", "y"] and list(index) == [0, 1, 0]


def _vectorizer(texts, max_tokens, length):
    import keras

    vec = keras.layers.TextVectorization(max_tokens=max_tokens, output_sequence_length=length)
    vec.adapt(np.asarray(list(texts), dtype=object))
    return vec


def _tiny_matcher(vec, dim, idf=None):
    """A small stand-in for the notebook's build_matcher: embedding (x IDF weight), masked sum,
    cosine, sigmoid."""
    import keras

    text = keras.Input(shape=(1,), dtype="string")
    ids = vec(text)
    vectors = keras.layers.Embedding(vec.vocabulary_size(), dim, mask_zero=True)(ids)
    if idf is not None:
        weight = keras.layers.Embedding(vec.vocabulary_size(), 1, mask_zero=True,
                                        embeddings_initializer=keras.initializers.Constant(
                                            idf.reshape(-1, 1)))
        vectors = keras.layers.Multiply()([vectors, weight(ids)])
    encoder = keras.Model(text, qm.MaskedSum()(vectors), name="text_encoder")
    q, a = keras.Input(shape=(1,), dtype="string"), keras.Input(shape=(1,), dtype="string")
    cosine = keras.layers.Dot(axes=1, normalize=True)([encoder(q), encoder(a)])
    matcher = keras.Model([q, a], keras.layers.Dense(1, activation="sigmoid")(cosine))
    matcher.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    return matcher, encoder


def test_matcher_trains_saves_and_loads(tmp_path):
    import keras

    from cookbook import training

    df = pd.DataFrame({"question": [f"what is thing{i} used for" for i in range(40)],
                       "answer": [f"thing{i} is a tool" for i in range(40)]})
    texts = list(df["question"]) + list(df["answer"])
    vec = _vectorizer(texts, 200, 8)
    idf = qm.word_idf(vec, texts)
    assert idf[0] == 0 and idf[1] == 1 and idf.max() > idf[2]  # rarer words weigh more
    keras.utils.set_random_seed(0)
    matcher, encoder = _tiny_matcher(vec, 16, idf)
    val = df.iloc[30:]
    pick = qm.best_ranking_epoch_callback(encoder, val["question"], val["answer"], patience=3,
                                          train=(df["question"][:10], df["answer"][:10]))
    run = training.fit(matcher, qm.make_pair_dataset(df.iloc[:30], 16, negatives=1), epochs=5,
                       callbacks=[pick])
    assert run.history["loss"][-1] < run.history["loss"][0]
    assert len(run.history["val_mrr"]) == len(run.history["mrr"]) == run.epochs_run
    assert len(pick.history) == len(pick.train_history) == run.epochs_run + 1  # with epoch 0
    assert pick.history[pick.best_epoch] == max(pick.history)
    path = tmp_path / "m.keras"
    matcher.save(path)
    loaded = keras.models.load_model(path, custom_objects=qm.custom_objects())
    assert loaded.count_params() == matcher.count_params()
    np.testing.assert_allclose(qm.embed_texts(qm.encoder_of(loaded), texts[:2]),
                               qm.embed_texts(encoder, texts[:2]), atol=1e-5)
    ranks = qm.answer_ranks(qm.embed_texts(encoder, df["question"]),
                            qm.embed_texts(encoder, df["answer"]), np.arange(40))
    assert qm.ranking_metrics(ranks)["mrr"] > 0.5  # shared rare words make this easy


def test_best_epoch_weights_are_restored_and_patience_stops(monkeypatch):
    import keras

    qs = [f"question about topic{i}" for i in range(12)]
    ans = [f"topic{i} answer" for i in range(12)]
    keras.utils.set_random_seed(1)
    matcher, encoder = _tiny_matcher(_vectorizer(qs + ans, 100, 6), 8)
    scripted = iter([0.2, 0.5, 0.4, 0.3])  # epochs 0..3: the best is epoch 1
    monkeypatch.setattr(qm, "ranking_mrr", lambda *args: next(scripted))
    pick = qm.best_ranking_epoch_callback(encoder, qs, ans, patience=2)
    pick.set_model(matcher)
    pick.on_train_begin()
    snapshots = []
    for epoch in range(3):
        matcher.set_weights([w + 1.0 for w in matcher.get_weights()])  # "training"
        snapshots.append([w.copy() for w in matcher.get_weights()])
        logs = {}
        pick.on_epoch_end(epoch, logs)
        assert "val_mrr" in logs and "mrr" not in logs
    assert matcher.stop_training  # two epochs without beating epoch 1
    pick.on_train_end()
    assert pick.best_epoch == 1 and pick.history == [0.2, 0.5, 0.4, 0.3]
    for w, kept in zip(matcher.get_weights(), snapshots[0]):
        np.testing.assert_array_equal(w, kept)


def test_masked_sum_ignores_padding():
    import keras

    layer = qm.masked_sum_layer()
    x = np.ones((1, 3, 2), dtype="float32")
    mask = np.array([[True, True, False]])
    assert np.asarray(layer(x, mask=mask)).tolist() == [[2.0, 2.0]]
    assert keras.ops.convert_to_numpy(layer(x)).tolist() == [[3.0, 3.0]]


def test_nearest_questions_finds_itself():
    import keras

    qs = ["how to copy a file", "why is the sky blue", "best pizza topping"]
    vec = _vectorizer(qs, 50, 6)
    keras.utils.set_random_seed(0)
    _, encoder = _tiny_matcher(vec, 8)
    table = qm.NearestQuestions(encoder, qs).nearest("why is the sky blue", n=2)
    assert table["question"].iloc[0] == "why is the sky blue"
    assert table["similarity"].iloc[0] == pytest.approx(1.0, abs=1e-3)
