"""Unit tests for cookbook.text.classifiers (chapter 7): small real-format inputs, no notebook.
The Keras models live in the notebook; a test that needs one builds a tiny model itself."""

import json

import numpy as np
import pandas as pd
import pytest

from cookbook.datasets.rpackages import read_r_lazyload
from cookbook.text import classifiers as tc
from cookbook.text.vocab import Vocabulary

EMOJI_ENTRIES = [
    {"group": "Smileys & Emotion", "subgroup": "face-smiling", "status": "fully-qualified",
     "emoji": "\U0001F600", "short_name": "grinning face", "aliases": ["grinning"], "keywords": ["face", "grin"]},
    {"group": "People & Body", "subgroup": "hand", "status": "fully-qualified", "skin_tones": ["skin-tone-2"],
     "emoji": "\U0001F44B\U0001F3FC", "short_name": "waving hand: medium-light skin tone",
     "aliases": ["wave"], "keywords": ["hand", "wave"]},
    {"group": "Animals & Nature", "subgroup": "animal-mammal", "status": "fully-qualified",
     "emoji": "\U0001F431", "short_name": "cat face", "aliases": ["cat"], "keywords": ["cat", "face", "pet"]},
    {"group": "Animals & Nature", "subgroup": "animal-mammal", "status": "unqualified",
     "emoji": "\U0001F431", "short_name": "cat face", "aliases": ["cat"], "keywords": ["cat"]},
]


def test_clean_tweet_replaces_links_and_collapses_space():
    assert tc.clean_tweet("Great  rally!\n https://t.co/AbC123 #MAGA") == "Great rally! http #MAGA"


def test_tweet_source_dataset_filters_dedupes_and_samples():
    frame = pd.DataFrame({"text": ["a b", "a b", "c", "d", "e"],
                          "source": ["Twitter for Android", "Twitter for Android", "Instagram",
                                     "Twitter for iPhone", "Twitter Web Client"]})
    texts, labels = tc.tweet_source_dataset(frame)
    assert sorted(texts) == ["a b", "d", "e"]
    assert "Instagram" not in labels
    texts, _ = tc.tweet_source_dataset(frame, limit=2, seed=0)
    assert len(texts) == 2


def test_emoji_annotations_drop_skin_tones_and_unqualified(tmp_path):
    path = tmp_path / "data.json"
    path.write_text(json.dumps(EMOJI_ENTRIES), encoding="utf-8")
    table = tc.load_emoji_annotations(path)
    assert list(table["group"]) == ["Smileys & Emotion", "Animals & Nature"]
    assert table.loc[0, "text"] == "grinning face; grinning; face, grin"


def test_single_emoji_examples_keep_exactly_one_distinct_emoji():
    tweets = [{"id": "1", "text": "Happy 4th \U0001F1FA\U0001F1F8 \U0001F1FA\U0001F1F8"},
              {"id": "2", "text": "two kinds \U0001F600 \U0001F431"},
              {"id": "3", "text": "no emoji here"},
              {"id": "4", "text": "\U0001F600"}]
    out = tc.single_emoji_examples(tweets)
    assert out == [{"id": "1", "text": "Happy 4th", "emoji": "\U0001F1FA\U0001F1F8"}]


def test_read_fasttext_labelled_latin1(tmp_path):
    path = tmp_path / "p.cor"
    path.write_bytes("__label__pos a caf\xe9 film .\n__label__neg dull .\nnoise\n".encode("latin-1"))
    texts, labels = tc.read_fasttext_labelled(path)
    assert labels == ["pos", "neg"] and texts[0] == "a caf\xe9 film ."


def test_read_text_emotion_csv_checks_format(tmp_path):
    good = tmp_path / "text_emotion.csv"
    good.write_text("tweet_id,sentiment,author,content\n1956967341,empty,someone,@x i know\n")
    assert tc.read_text_emotion_csv(good)["sentiment"].tolist() == ["empty"]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="text_emotion"):
        tc.read_text_emotion_csv(bad)


def test_majority_baseline():
    label, acc = tc.majority_baseline(["a", "a", "b"], ["a", "b", "b", "a"])
    assert label == "a" and acc == 0.5


def test_bag_of_words_learns_and_top_words_make_sense():
    train = ["i love it", "love love great", "great fun love", "i hate it", "hate awful bad", "bad hate sad"] * 3
    labels = ["pos", "pos", "pos", "neg", "neg", "neg"] * 3
    vec, models, scores = tc.fit_bag_of_words(train, labels, ["love great", "awful hate"], ["pos", "neg"],
                                              min_df=1, trees=5)
    assert scores["naive_bayes"] == 1.0
    assert tc.score_bag_of_words(vec, models, ["love great"], ["neg"])["naive_bayes"] == 0.0
    words = tc.top_words_per_class(vec, models["naive_bayes"], k=2)
    assert "love" in words["pos"] and "hate" in words["neg"]


def test_agreement_patterns_and_average():
    preds = {"a": np.array([0, 1, 2]), "b": np.array([0, 1, 1])}
    agree = tc.agreement_matrix(preds)
    assert agree.loc["a", "b"] == pytest.approx(2 / 3) and agree.loc["a", "a"] == 1
    patterns = tc.correctness_patterns(preds, np.array([0, 0, 2]))
    assert patterns[(True, True)] == 1 and patterns[(False, False)] == 1 and patterns[(True, False)] == 1
    avg = tc.average_probabilities([np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])])
    assert avg.tolist() == [[0.5, 0.5]]


def test_embedding_matrix_coverage():
    class KV:  # the two attributes of gensim's KeyedVectors that the helper uses
        vector_size = 2
        key_to_index = {"a": 0}

        def __getitem__(self, word):
            return np.array([1.0, 2.0])

    vocab = Vocabulary(("a", "b"))  # ids: 0 pad, 1 unknown, 2 a, 3 b
    matrix, coverage = tc.embedding_matrix(vocab, KV())
    assert coverage == 0.5 and matrix.shape == (4, 2)
    assert matrix[2].tolist() == [1.0, 2.0] and not matrix[0].any() and not matrix[1].any()


def _tiny_classifier(offset: float):
    """Two-class softmax over one input feature: p(class 1) rises with x (shifted by offset)."""
    import keras

    inputs = keras.Input(shape=(1,))
    outputs = keras.layers.Dense(2, activation="softmax")(inputs)
    model = keras.Model(inputs, outputs)
    model.layers[-1].set_weights([np.array([[-1.0, 1.0]]), np.array([offset, -offset])])
    return model


def test_predict_proba_and_accuracy_on_a_tiny_model():
    model = _tiny_classifier(0.0)
    x = np.array([[-2.0], [-1.0], [1.0], [2.0], [3.0]], dtype="float32")
    probs = tc.predict_proba(model, x, batch_size=2)  # three batches
    np.testing.assert_allclose(probs, model.predict(x, verbose=0), atol=1e-6)
    assert tc.accuracy(model, x, np.array([0, 0, 1, 1, 0])) == pytest.approx(0.8)


def test_predict_proba_feeds_every_input_of_a_multi_input_model():
    import keras

    a, b = keras.Input(shape=(1,)), keras.Input(shape=(1,))
    first, second = _tiny_classifier(0.0), _tiny_classifier(1.0)
    averaged = keras.Model([a, b], keras.layers.Average()([first(a), second(b)]))
    x = np.array([[0.5], [-0.5]], dtype="float32")
    expected = tc.average_probabilities([tc.predict_proba(first, x), tc.predict_proba(second, -x)])
    np.testing.assert_allclose(tc.predict_proba(averaged, [x, -x]), expected, atol=1e-6)


def test_train_word2vec_is_reproducible():
    corpus = [["monday", "meeting", "today"], ["tuesday", "meeting", "today"]] * 20
    a = tc.train_word2vec(corpus, vector_size=8, epochs=3, min_count=1)
    b = tc.train_word2vec(corpus, vector_size=8, epochs=3, min_count=1)
    np.testing.assert_allclose(a.wv["monday"], b.wv["monday"])


def test_read_r_lazyload_rejects_unknown_name(tmp_path):
    pytest.importorskip("rdata")
    from cookbook import acquire

    try:
        rdb, rdx = acquire.fetch("dslabs-rdata-rdb"), acquire.fetch("dslabs-rdata-rdx")
    except acquire.AcquisitionError:
        pytest.skip("dslabs Debian package not reachable")
    with pytest.raises(KeyError, match="trump_tweets"):
        read_r_lazyload(rdb, rdx, "no_such_data")
    tweets = tc.load_trump_tweets(rdb, rdx)
    assert len(tweets) == 20761 and {"text", "source", "created"} <= set(tweets.columns)


def test_the_chapter_id_scheme_pads_with_0_and_marks_unknown_with_1():
    chars = Vocabulary.fit(["aab", "ab"], min_count=2)  # the notebook's character ids
    assert chars.encode_batch(["abz", "a" * 10], 4).tolist() == [[2, 3, 1, 0], [2, 2, 2, 2]]
    labels = Vocabulary(sorted({"z", "x"}), reserved=())  # the notebook's class ids
    assert labels.encode(["z", "x"]).tolist() == [1, 0] and labels.token(1) == "z"


def test_book_figures_name_their_source():
    from cookbook.datasets import ch07

    assert all(src.startswith("book 7.") for _, src in ch07.BOOK.values())
    assert all(src.startswith("companion notebook") for _, src in ch07.COMPANION.values())
    assert "ensemble" not in ch07.BOOK  # the book prints no number for its ensemble
