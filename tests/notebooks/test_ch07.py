"""Chapter 7 (suggesting emojis): run the notebook in smoke mode and check its recorded metrics.

Floors were measured on smoke runs (tweet-source TF-IDF models ~0.80, char CNN ~0.63 against a
0.55 majority baseline; emoji-group models 0.57-0.86 against 0.18) and set with a wide margin:
the checks are that models beat their baselines and that training did something."""

import pytest

from tests.notebooks.harness import run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(7)


def test_bag_of_words_models_beat_majority_baseline(metrics):
    base = metrics["tweet_source_majority"]
    assert 0.45 < base < 0.65  # Web Client share of the three sources
    for name in ("naive_bayes", "sgd", "svm", "logistic_regression", "random_forest"):
        assert metrics[f"tweet_source_{name}"] > base + 0.05, name
    assert metrics["tweet_source_logistic_regression"] > 0.70


def test_polarity_sentiment_above_chance(metrics):
    assert metrics["polarity_nb_cv_accuracy"] > 0.52


def test_tweet_char_cnn_learns_and_beats_baseline(metrics):
    assert metrics["tweet_source_char_cnn_loss_last"] < metrics["tweet_source_char_cnn_loss_first"]
    assert metrics["tweet_source_char_cnn"] > metrics["tweet_source_majority"] + 0.02


def test_tweet_collection_through_loopback(metrics):
    assert metrics["collected_tweets"] == 905  # every tweet of condensed_2017.json, paged
    assert 20 <= metrics["single_emoji_tweets"] <= 100


def test_emoji_models_beat_majority_baseline(metrics):
    base = metrics["emoji_majority"]
    assert base < 0.25
    for name in ("char_cnn", "char_cnn2", "word_cnn", "lstm", "naive_bayes", "logistic_regression"):
        assert metrics[f"emoji_{name}"] > base + 0.2, name
    assert metrics["emoji_word_cnn"] > 0.6


def test_own_word2vec_puts_related_words_close(metrics):
    assert metrics["w2v_vocabulary"] > 5000
    assert metrics["w2v_related_rank"] > 0.85  # random partners would give 0.5
    assert 0.1 < metrics["w2v_emoji_vocab_coverage"] < 1.0


def test_agreement_and_ensemble_reported_honestly(metrics):
    assert 0.3 < metrics["pairwise_agreement_min"] < 1.0
    assert metrics["ensemble_matches_keras"] is True
    # an average of frozen members should not fall far below its best member
    assert metrics["emoji_ensemble"] > metrics["emoji_best_member"] - 0.1
    assert metrics["emoji_ensemble"] > metrics["emoji_majority"] + 0.2


def test_accuracy_table_has_baselines_and_book_numbers(metrics):
    table = metrics["accuracy_table"]
    models = {row["model"] for row in table}
    assert {"tfidf_naive_bayes", "char_cnn", "cnn", "lstm"} <= models
    assert all(row["majority_baseline"] is not None for row in table)
    book = {row["model"]: row["book"] for row in table if row["book"] is not None}
    assert book["tfidf_naive_bayes"] == pytest.approx(0.2802)
    assert book["lstm"] == pytest.approx(0.40)


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()
