"""Unit tests for cookbook.text_classifiers (chapter 7): small real-format inputs, no notebook."""

import json

import numpy as np
import pandas as pd
import pytest

from cookbook.text import classifiers as tc

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
    words = tc.top_words_per_class(vec, models["naive_bayes"], k=2)
    assert "love" in words["pos"] and "hate" in words["neg"]


def test_char_vocabulary_pads_and_marks_unknown():
    vocab = tc.CharVocabulary.fit(["aab", "ab"], min_count=2)
    assert vocab.chars == ["a", "b"] and vocab.size == 4
    codes = vocab.encode(["abz", "a" * 10], maxlen=4)
    assert codes.tolist() == [[2, 3, 1, 0], [2, 2, 2, 2]]


def test_word_vocabulary_and_tokenizer():
    assert tc.tokenize("RT @Foo: Don't stop #MAGA!") == ["rt", "@foo", "don't", "stop", "#maga"]
    vocab = tc.WordVocabulary.fit(["b a a", "a c"], num_words=4)
    assert vocab.words == ["a", "b"]
    assert vocab.encode(["a c b"], maxlen=5).tolist() == [[2, 1, 3, 0, 0]]


def test_label_codec_round_trip():
    codec = tc.LabelCodec(["z", "x", "z"])
    assert codec.classes == ["x", "z"]
    assert codec.decode(codec.encode(["z", "x"])) == ["z", "x"]


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

    vocab = tc.WordVocabulary(["a", "b"])
    matrix, coverage = tc.embedding_matrix(vocab, KV())
    assert coverage == 0.5 and matrix.shape == (4, 2)
    assert matrix[2].tolist() == [1.0, 2.0] and not matrix[0].any()


@pytest.mark.parametrize("builder", ["char_cnn", "multi_window_char_cnn"])
def test_char_models_shapes_and_output_names(builder):
    model = getattr(tc, builder)(num_chars=10, maxlen=96, num_classes=3, pool=4, name="m")
    assert model.output_shape == (None, 3)
    assert model.layers[-1].name == "m_predictions"


def test_word_models_learn_a_toy_task_and_ensemble_averages():
    rng = np.random.default_rng(0)
    x = rng.integers(4, 20, size=(256, 6)).astype("int32")
    x[:, 0] = rng.integers(2, 4, size=256)  # the first word (id 2 or 3) decides the class
    y = (x[:, 0] == 3).astype("int32")
    cnn = tc.word_cnn(20, 6, 2, embed_dim=8, filters=16, dense=16, name="cnn")
    lstm = tc.lstm_classifier(20, 6, 2, embed_dim=8, units=8, name="lstm",
                              embedding_matrix=np.zeros((20, 8), dtype="float32"))
    run = tc.train(cnn, x, y, x, y, epochs=20, batch_size=16, patience=20)
    assert run["test_accuracy"] > 0.8
    assert run["history"]["loss"][-1] < run["history"]["loss"][0]
    ensemble = tc.ensemble_model([cnn, lstm])
    probs = ensemble.predict([x[:4], x[:4]], verbose=0)
    expected = (cnn.predict(x[:4], verbose=0) + lstm.predict(x[:4], verbose=0)) / 2
    np.testing.assert_allclose(probs, expected, atol=1e-5)
    assert not cnn.trainable and not lstm.trainable


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
        tc.read_r_lazyload(rdb, rdx, "no_such_data")
    tweets = tc.load_trump_tweets(rdb, rdx)
    assert len(tweets) == 20761 and {"text", "source", "created"} <= set(tweets.columns)
