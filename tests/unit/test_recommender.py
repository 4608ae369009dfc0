"""cookbook.recommender: relations, pairs, the tf.data stream, the model and the evaluations."""

import math

import numpy as np
import pandas as pd
import pytest

from cookbook.text import recommender as rc


def _ratings():
    rows = []
    # two "taste groups": users 1-6 like movies 10-13, users 7-12 like movies 20-23
    for user in range(1, 13):
        for movie in (10, 11, 12, 13, 20, 21, 22, 23):
            group_a = movie < 20
            likes = (user <= 6) == group_a
            rows.append((movie, f"Movie {movie}", 1990 + movie % 10, "Drama|Comedy" if group_a else "Action",
                         user, 4.5 if likes else 2.0))
    return pd.DataFrame(rows, columns=["movieId", "title", "year", "genres", "userId", "rating"])


def test_title_key_moves_articles_and_drops_punctuation():
    assert rc.title_key("Big Short, The") == rc.title_key("The Big Short") == "the big short"
    assert rc.title_key("Star Wars: Episode IV - A New Hope") == "star wars episode iv a new hope"


def test_match_vega_needs_title_and_close_year():
    movies = pd.DataFrame({"movieId": [1, 2], "title": ["Big Short, The", "Heat"], "year": [2015, 1995]})
    vega = pd.DataFrame({"Title": ["The Big Short", "Heat"], "year": [2015, 1986]})
    assert list(rc.match_vega(movies, vega).index) == [1]


def test_movielens_relations_links_and_exclusions():
    rel = rc.movielens_relations(_ratings(), None, min_ratings=5, exclude_users=[1])
    assert len(rel.movies) == 8 and rel.ids == [10, 11, 12, 13, 20, 21, 22, 23]
    first = rel.links[0]
    assert "user:2" in first and "user:1" not in first and "user:7" not in first
    assert "genre:Drama" in first and "decade:1990s" in first
    assert rel.properties["rotten_tomatoes"].isna().all()


def test_build_pairs_drops_rare_links():
    rel = rc.Relations(["a", "b", "c"], [["x", "y"], ["x"], ["x", "z"]],
                       pd.DataFrame({"p": [1.0, 2.0, 3.0]}))
    pairs = rc.build_pairs(rel, min_count=2)
    assert pairs.link_names == ["x"]
    assert pairs.pairs.tolist() == [[0, 0], [0, 1], [0, 2]]


def test_parse_money_and_percent():
    assert rc.parse_money("$2.068 billion") == pytest.approx(2.068e9)
    assert rc.parse_money("US$12.5 million[1]") == pytest.approx(12.5e6)
    assert rc.parse_money("$350,000") == 350_000
    assert math.isnan(rc.parse_money("unknown"))
    assert rc.parse_percent("87%") == 0.87 and math.isnan(rc.parse_percent(None))


def test_film_relations_from_book_records():
    rel = rc.film_relations([["A", {"gross": "$10 million"}, ["L1", "L2"], "90%", "8/10"],
                             ["B", {}, ["L1"], None, None]])
    assert rel.movies == ["A", "B"] and rel.links[0] == ["L1", "L2"]
    assert rel.properties["rotten_tomatoes"].iloc[0] == 0.9
    assert rel.properties["log10_gross"].iloc[0] == pytest.approx(7.0)
    assert rel.properties.iloc[1].isna().all()


def test_split_and_heldout_examples_are_consistent():
    pairs = np.array([[l, m] for l in range(5) for m in range(0, 20, 2)], dtype=np.int32)
    train, test = rc.split_pairs(pairs, 0.2, seed=0)
    assert len(test) == 10 and len(train) == 40
    assert not set(map(tuple, test)) & set(map(tuple, train))
    x, y = rc.heldout_examples(pairs, test, 5, 20, negative_ratio=3)
    assert (y > 0).sum() == 10 and (y < 0).sum() == 30
    known = set(map(tuple, pairs.tolist()))
    negatives = np.concatenate([x["link"], x["movie"]], 1)[y.ravel() < 0]
    assert not any(tuple(p) in known for p in negatives.tolist())


def test_pair_dataset_labels_are_true():
    pairs = np.array([[0, 0], [1, 1], [2, 2]], dtype=np.int32)
    ds = rc.pair_dataset(pairs, n_links=3, n_movies=3, positives_per_batch=4, negative_ratio=5)
    for x, y in ds.take(3):
        link, movie, label = x["link"].numpy().ravel(), x["movie"].numpy().ravel(), y.numpy().ravel()
        assert len(label) == 24 and x["link"].shape == (24, 1)
        assert np.array_equal(label > 0, link == movie)  # +1 exactly for the known pairs


def _tiny_link_model(n_links, n_movies, dim):
    """The shape of the chapter's model (two embeddings and their cosine), built here because the
    model itself lives in the notebook."""
    import keras
    from keras import layers

    link = keras.Input(shape=(1,), name="link", dtype="int32")
    movie = keras.Input(shape=(1,), name="movie", dtype="int32")
    vectors = [layers.Embedding(n, dim, name=f"{name}_embedding")(x)
               for n, name, x in ((n_links, "link", link), (n_movies, "movie", movie))]
    cosine = layers.Reshape((1,))(layers.Dot(axes=2, normalize=True)(vectors))
    model = keras.Model([link, movie], cosine)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return model


def test_model_learns_separable_links_and_beats_constant():
    import keras

    keras.utils.set_random_seed(0)
    # links 0-4 belong to movies 0-9, links 5-9 to movies 10-19
    pairs = np.array([[l, m] for l in range(10) for m in range(20) if (l < 5) == (m < 10)], np.int32)
    train, test = rc.split_pairs(pairs, 0.2)
    model = _tiny_link_model(10, 20, dim=8)
    model.fit(rc.pair_dataset(train, 10, 20, 32, 1), steps_per_epoch=20, epochs=3, verbose=0,
              shuffle=False)  # the stream is random already
    x, y = rc.heldout_examples(pairs, test, 10, 20, negative_ratio=1)
    scores = rc.evaluate_links(model, x, y)
    assert scores["auc"] > 0.9
    assert scores["mse"] < rc.constant_baseline(y)["mse"]
    vectors = rc.normalized_embeddings(model)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    names = [f"m{i}" for i in range(20)]
    top = [n for n, _ in rc.most_similar(vectors, names, "m3", k=6)]
    assert top[0] == "m3" and all(int(n[1:]) < 10 for n in top)


def test_constant_baseline_for_ratio_ten():
    y = np.array([1] + [-1] * 10)
    base = rc.constant_baseline(y)
    assert base["mse"] == pytest.approx(40 / 121) and base["accuracy"] == pytest.approx(10 / 11)


def test_preferences_auc_and_regression_on_clear_signal():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(200, 5))
    liked = list(np.flatnonzero(vectors[:, 0] > 0.3))
    disliked = list(np.flatnonzero(vectors[:, 0] < -0.3))
    assert rc.preference_auc(vectors, liked, disliked) > 0.9
    assert rc.preference_auc(vectors, liked[:1], []) is None
    target = vectors[:, 1] * 2 + rng.normal(scale=0.1, size=200)
    target[::7] = np.nan
    result = rc.regress_property(vectors, target)
    assert result["mse"] < 0.1 * result["baseline_mse"]
    assert result["n_train"] + result["n_test"] == int(np.sum(~np.isnan(target)))


def test_user_preferences_and_pick_test_users():
    ratings = _ratings()
    liked, disliked = rc.user_preferences(ratings, 1, [10, 11, 20])
    assert liked == [0, 1] and disliked == [2]
    users = rc.pick_test_users(ratings, 3, min_ratings=8, seed=0)
    assert len(users) == 3 and users == rc.pick_test_users(ratings, 3, min_ratings=8, seed=0)
