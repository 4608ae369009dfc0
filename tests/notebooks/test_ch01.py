"""Chapter 1 notebook in smoke mode: its recorded metrics, checked with honest thresholds."""

from __future__ import annotations

import pytest

from tests.notebooks.harness import run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(1)


def test_runs_in_smoke_mode_within_budget(metrics):
    assert metrics["mode"] == "smoke"
    assert metrics["_wall_seconds"] < wall_budget_s()


def test_parameter_counts_match_the_books_arithmetic(metrics):
    assert metrics["dense_params_keras"] == metrics["dense_params_formula"]
    assert metrics["dense_params_256"] == 196_609_000          # "almost 200 million"
    assert (metrics["conv_params"], metrics["conv_weights"]) == (896, 864)
    assert metrics["lstm_rnn_ratio"] == pytest.approx(4.0)


@pytest.mark.parametrize("net", ["dense", "cnn", "lstm"])
def test_each_network_type_learns_digits(metrics, net):
    result = metrics["nets"][net]
    # smoke runs measured 0.80-0.96 on the test split; 0.5 is far above the ~0.10 baseline
    assert result["test_acc"] > max(0.5, 3 * metrics["majority_baseline"])
    assert result["loss_last"] < 0.7 * result["loss_first"]


def test_wikipedia_dump_parse_and_online_path(metrics):
    assert metrics["wiki_pages"] >= 100                 # articles of the 206-page excerpt
    assert metrics["wiki_categories"] > 300             # category links parsed from real pages
    assert metrics["wiki_infoboxes"] > 20
    assert "Actrius" in metrics["wiki_films"]           # the excerpt's one film infobox
    assert metrics["wiki_streamed_pages"] == 20         # dump found and streamed over HTTP
    assert metrics["wiki_api_links"] > 10


def test_wikidata_osm_twitter_gutenberg_flickr_archive(metrics):
    assert metrics["wikidata_rows"] == 184               # every row of countries.csv came back
    assert metrics["osm_pbf_layers"]["lines"] == metrics["osm_api_counts"]["ways"] > 0
    assert metrics["osm_api_counts"]["nodes"] > metrics["osm_api_counts"]["ways"]
    # 250 distinct tweets from an endpoint that answers at most 100 per page: next_token was followed
    assert metrics["tweets_fetched"] == metrics["tweets_distinct"] == 250
    assert 0 < metrics["tweets_one_emoji"] < metrics["tweets_fetched"]
    assert metrics["gutenberg_header_removed"] and metrics["gutenberg_chars"] > 10_000
    assert metrics["flickr_photos"] == 2
    assert metrics["archive_bytes"] > 10_000 and metrics["archive_cutoff_detected"]


def test_crawler_finds_the_reachable_site_and_obeys_robots(metrics):
    assert metrics["crawl_pages"] + metrics["crawl_failed"] <= metrics["crawl_budget"]
    assert metrics["crawl_robots_skipped"] >= 1 and not metrics["crawl_found_forbidden"]
    assert metrics["crawl_reachable"] >= 5
    if metrics["crawl_pages"] + metrics["crawl_failed"] < metrics["crawl_budget"]:
        # the crawl ran out of links before its budget: it must have found every reachable page
        assert metrics["crawl_found_reachable"] == metrics["crawl_reachable"]
    else:
        assert metrics["crawl_found_reachable"] >= metrics["crawl_budget"] // 3


def test_shuffling_matters(metrics):
    # two passes over label-sorted batches: the last classes win; shuffled data learns them all
    assert metrics["acc_shuffled"] > 0.7
    assert metrics["acc_shuffled"] > metrics["acc_sorted_unshuffled"] + 0.2


def test_generator_and_tf_data_both_train(metrics):
    for name in ("python generator", "tf.data"):
        assert metrics["feeding"][name]["test_acc"] > 0.8


def test_rebalancing_raises_recall_on_the_rare_class(metrics):
    imbalanced, balanced = metrics["balance"]["imbalanced"], metrics["balance"]["oversampled"]
    assert imbalanced["share_of_8s"] < 0.1 and balanced["share_of_8s"] == pytest.approx(0.5)
    assert balanced["recall_8"] > imbalanced["recall_8"] + 0.3
    assert balanced["balanced_acc"] > imbalanced["balanced_acc"]


def test_two_step_sampling_is_biased_and_uniform_is_not(metrics):
    assert metrics["sampling_ratio_two_step"] > 3
    assert 0.8 < metrics["sampling_ratio_uniform"] < 1.25


def test_splits_and_text_and_images(metrics):
    train, val, test = metrics["split_sizes"]
    assert train > val > 0 and test > 0
    assert metrics["stream_split"] == [750, 250]
    assert metrics["text_vocab"] < metrics["text_words"]
    assert 0.3 < metrics["top100_share"] < 0.7           # the book: "about half"
    assert 0.55 < metrics["image_share_within_1"] < 0.85  # the book: "nearly 70%"
    assert metrics["augment_change_train"] > 0.02 and metrics["augment_change_infer"] < 1e-6


def test_closing_table_has_one_row_per_book_figure(metrics):
    rows = metrics["closing_table"]
    assert [row[0].split()[0] for row in rows] == ["1.1", "1.1", "1.3", "1.3"]
    assert all(row[1].startswith("the book prints") for row in rows)
    assert rows[0][2].startswith("196,609,000") and rows[1][2].startswith("864 weights + 32 biases")
    assert f"{metrics['top100_share']:.0%}" in rows[2][2]       # this run's numbers, not typed in
    assert f"{metrics['image_share_within_1']:.1%}" in rows[3][2]
