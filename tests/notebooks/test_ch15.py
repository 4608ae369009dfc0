"""Chapter 15 (music): run the notebook in smoke mode and check its recorded metrics: the book's
layers, a split by piece, piece-level accuracy well above chance on unseen pieces, an index that
finds a file from one of its own clips and puts same-kind samples together, a crawl that pages,
backs off and resumes, and an item2vec recommender that beats recommending the most popular items."""

import pytest

from tests.notebooks.harness import check_closing_table, run_chapter, wall_budget_s

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def metrics():
    return run_chapter(15)


def test_genre_net_has_the_books_layers(metrics):
    # the companion notebook's 283,850 parameters, less 6 outputs x 257 weights
    assert metrics["cnn_params"] == 283_850 - (10 - metrics["n_classes"]) * 257


def test_split_is_by_piece(metrics):
    assert metrics["pieces_in_two_splits"] == 0
    assert metrics["test_pieces"] >= 4 * metrics["n_classes"]
    assert metrics["n_clips"] > 3 * metrics["n_pieces"]


def test_piece_accuracy_beats_chance_with_margin(metrics):
    assert metrics["chance"] == pytest.approx(1 / metrics["n_classes"])
    assert metrics["piece_acc"] >= metrics["chance"] + 0.3
    assert metrics["clip_acc"] >= metrics["majority_clip_share"] + 0.2
    assert sum(map(sum, metrics["confusion"])) == metrics["test_pieces"]


def test_index_finds_a_songs_own_clip_first(metrics):
    assert metrics["index_files"] >= 207  # the CC0 samples, plus the held-out pieces
    assert metrics["index_skipped"] == 0
    assert metrics["index_self_first"] >= 0.8
    assert metrics["same_kind_nn"] > 2 * metrics["same_kind_random"]


def test_crawl_pages_backs_off_and_resumes(metrics):
    assert metrics["spotify_playlists"] >= 50
    assert metrics["spotify_lines"] == metrics["spotify_playlists"]
    assert metrics["spotify_entries"] > metrics["spotify_lines"]
    assert metrics["spotify_rate_limited"] >= 1
    assert metrics["spotify_rerun"] == 0


def test_item2vec_beats_popularity(metrics):
    assert metrics["heldout_items"] > 3000
    assert metrics["hit_w2v"] > 1.2 * metrics["hit_pop"]
    assert metrics["hit_pop"] > 0.01  # the baseline is a real one, not a strawman


def test_closing_table(metrics):
    check_closing_table(metrics, {"15.1", "15.2", "15.3", "15.4", "15.6", "15.8"})


def test_smoke_run_fits_the_time_budget(metrics):
    assert metrics["_wall_seconds"] < wall_budget_s()
