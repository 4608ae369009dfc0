"""Chapter 6 helpers: Q&A loaders, pair batches, the matcher and the ranking metrics."""

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


def test_matcher_trains_saves_and_loads(tmp_path):
    import keras

    df = pd.DataFrame({"question": [f"what is thing{i} used for" for i in range(40)],
                       "answer": [f"thing{i} is a tool" for i in range(40)]})
    vec = qm.make_vectorizer(list(df["question"]) + list(df["answer"]), 200, 8)
    idf = qm.word_idf(vec, list(df["question"]) + list(df["answer"]))
    assert idf[0] == 0 and idf[1] == 1 and idf.max() > idf[2]  # rarer words weigh more
    keras.utils.set_random_seed(0)
    matcher, encoder = qm.build_matcher(vec, 16, learning_rate=1e-2, idf=idf)
    history = matcher.fit(qm.make_pair_dataset(df, 16, negatives=1), epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "m.keras"
    matcher.save(path)
    loaded = keras.models.load_model(path, custom_objects=qm.custom_objects())
    texts = ["what is thing3 used for", "thing3 is a tool"]
    np.testing.assert_allclose(qm.embed_texts(qm.encoder_of(loaded), texts),
                               qm.embed_texts(encoder, texts), atol=1e-5)
    ranks = qm.answer_ranks(qm.embed_texts(encoder, df["question"]),
                            qm.embed_texts(encoder, df["answer"]), np.arange(40))
    assert qm.ranking_metrics(ranks)["mrr"] > 0.5  # shared rare words make this easy


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
    vec = qm.make_vectorizer(qs, 50, 6)
    keras.utils.set_random_seed(0)
    _, encoder = qm.build_matcher(vec, 8)
    table = qm.NearestQuestions(encoder, qs).nearest("why is the sky blue", n=2)
    assert table["question"].iloc[0] == "why is the sky blue"
    assert table["similarity"].iloc[0] == pytest.approx(1.0, abs=1e-3)
