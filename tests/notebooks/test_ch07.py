"""Chapter 7 (suggesting emojis): run the notebook in smoke mode and check its recorded metrics.

Floors were measured on smoke runs (tweet-source TF-IDF models 0.65-0.72 on test and 0.60-0.71
on the 240 validation tweets, char CNN about 0.63, against a 0.55 majority baseline;
emoji-group models 0.55-0.86 on test against 0.18) and set
with a wide margin: the checks are that models beat their baselines, that training did
something, that the model was picked on validation, and that the closing table was recorded."""

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
        assert metrics[f"tweet_source_{name}_val"] > base, name  # smoke: only 240 validation tweets
    assert metrics["tweet_source_logistic_regression"] > 0.68  # smoke run: 0.72
    assert metrics["tweet_source_n_val"] > 0.05 * metrics["tweet_source_n_train"]


def test_polarity_sentiment_above_chance(metrics):
    assert metrics["polarity_nb_cv_accuracy"] > 0.52


def test_tweet_char_cnn_learns_and_beats_baseline(metrics):
    assert metrics["tweet_source_char_cnn_loss_last"] < metrics["tweet_source_char_cnn_loss_first"]
    assert metrics["tweet_source_char_cnn"] > metrics["tweet_source_majority"] + 0.02
    assert metrics["tweet_source_char_cnn_params"] > 100_000  # the recipe's model, built in the notebook


def test_tweet_collection_through_loopback(metrics):
    assert metrics["collected_tweets"] == 841  # condensed_2017.json: 905 tweets less 64 retweets, paged
    assert 20 <= metrics["single_emoji_tweets"] <= 100


def test_emoji_models_beat_majority_baseline(metrics):
    base = metrics["emoji_majority"]
    assert base < 0.25
    for name in ("char_cnn", "char_cnn2", "cnn", "lstm", "naive_bayes", "logistic_regression"):
        assert metrics[f"emoji_{name}"] > base + 0.2, name
    assert metrics["emoji_cnn"] > 0.6


def test_emoji_model_is_picked_on_validation(metrics):
    assert metrics["emoji_n_val"] > 100 and metrics["emoji_n_test"] > 300
    picked = metrics["emoji_best_by_validation"]
    candidates = ("char_cnn", "char_cnn_multi", "char_cnn2", "cnn", "lstm", "lstm_scratch")
    assert picked in candidates
    best_val = max(metrics[f"emoji_{n}_val"] for n in candidates if f"emoji_{n}_val" in metrics)
    assert metrics[f"emoji_{picked}_val"] == best_val


def test_own_word2vec_puts_related_words_close(metrics):
    assert metrics["w2v_vocabulary"] > 5000
    assert metrics["w2v_related_rank"] > 0.85  # random partners would give 0.5
    assert 0.1 < metrics["w2v_emoji_vocab_coverage"] < 1.0


def test_agreement_and_ensemble_reported_honestly(metrics):
    assert 0.3 < metrics["pairwise_agreement_min"] < 1.0
    assert metrics["ensemble_matches_keras"] is True
    # an average of frozen members should not fall far below its best member
    assert metrics["emoji_ensemble"] > metrics["emoji_best_member"] - 0.1
    assert metrics["emoji_ensemble_val"] > metrics["emoji_majority_val"] + 0.2
    assert metrics["emoji_ensemble"] > metrics["emoji_majority"] + 0.2


def test_closing_table_compares_every_recipe_with_a_sourced_figure(metrics):
    table = metrics["closing_table"]
    assert all(len(row) == 4 for row in table)
    recipes = {row[0].split()[0] for row in table}
    assert {"7.1", "7.3", "7.5", "7.6", "7.7", "7.8", "7.9", "7.11"} <= recipes
    for recipe, book, ours, why in table:
        assert book.startswith(("book", "companion notebook")) or "(book" in book, recipe
        assert ours and why, recipe
    ensemble = next(row for row in table if row[0].startswith("7.11"))
    assert "0.381" in ensemble[1] and "beats each" in ensemble[1]  # companion number, book's claim
    assert f"{metrics['emoji_ensemble']:.3f}" in ensemble[2]  # this run's number, not typed in


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()
