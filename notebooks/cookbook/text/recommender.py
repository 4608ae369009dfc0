"""Chapter 4: learn movie embeddings from (movie, outgoing link) pairs and use them.

The idea: a movie is described by what it points to. On Wikipedia those are the links on its
page (director, actors, '2015 films', Rotten Tomatoes ...). Offline, without Wikipedia, we use
real relations of the same kind: the MovieLens users who liked the movie, its genres and decade,
and its director / distributor / MPAA rating / source / creative type (vega-datasets).

Pipeline: relations -> :func:`build_pairs` (keep links seen at least ``min_count`` times) ->
:func:`split_pairs` (held-out positives) -> :func:`pair_dataset` (tf.data, positives plus random
negatives) -> the notebook's model (two embeddings, cosine, MSE against +1/-1) ->
:func:`evaluate_links`, :func:`most_similar`, :func:`preference_auc`, :func:`regress_property`.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from ..datasets.rpackages import read_r_lazyload  # noqa: F401  (re-exported for the notebooks)

# ------------------------------------------------------------------------------------------
# reading the data




def load_movielens(rdb: Path, rdx: Path, timestamp: bool = False) -> pd.DataFrame:
    """MovieLens small as a plain DataFrame: movieId, title, year, genres, userId, rating
    (and, with ``timestamp=True``, the rating's Unix time as ``timestamp``)."""
    df = read_r_lazyload(rdb, rdx, "movielens")
    out = pd.DataFrame({
        "movieId": df["movieId"].astype("int64").to_numpy(),
        "title": df["title"].astype(str).to_numpy(),
        "year": pd.to_numeric(df["year"], errors="coerce").astype("float64").to_numpy(),
        "genres": df["genres"].astype(str).to_numpy(),
        "userId": df["userId"].astype("int64").to_numpy(),
        "rating": df["rating"].astype("float64").to_numpy()})
    if timestamp:
        out["timestamp"] = df["timestamp"].astype("int64").to_numpy()
    return out.reset_index(drop=True)


def load_vega_movies(path: Path) -> pd.DataFrame:
    df = pd.DataFrame(json.loads(Path(path).read_text()))
    df["year"] = pd.to_datetime(df["Release Date"], errors="coerce", format="mixed").dt.year
    return df


def title_key(title: str) -> str:
    """Normalise a title for joining: 'Big Short, The' and 'The Big Short' -> 'the big short'."""
    text = str(title).strip()
    moved = re.match(r"^(.*), (The|A|An)$", text)
    if moved:
        text = f"{moved.group(2)} {moved.group(1)}"
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def match_vega(movies: pd.DataFrame, vega: pd.DataFrame, max_year_gap: int = 1) -> pd.DataFrame:
    """Join MovieLens movies (columns movieId, title, year) to vega films by normalised title and
    release year (+-1: a festival premiere and the US release can straddle New Year)."""
    left = movies.assign(key=movies["title"].map(title_key))
    right = vega.assign(key=vega["Title"].map(title_key))
    joined = left.merge(right, on="key", suffixes=("", "_vega"))
    joined = joined[(joined["year"] - joined["year_vega"]).abs() <= max_year_gap]
    return joined.drop_duplicates("movieId").set_index("movieId")


# ------------------------------------------------------------------------------------------
# relations: movie -> outgoing links


@dataclass
class Relations:
    """Movies, their outgoing links, and numeric properties to regress (NaN where unknown)."""

    movies: list[str]
    links: list[list[str]]
    properties: pd.DataFrame  # one row per movie, same order as ``movies``
    description: str = ""
    ids: list | None = None   # source ids (MovieLens movieId), same order as ``movies``

    def __post_init__(self):
        if len(self.movies) != len(self.links) or len(self.movies) != len(self.properties):
            raise ValueError("movies, links and properties must have one entry per movie")


VEGA_LINK_FIELDS = {"Director": "director", "Distributor": "distributor", "MPAA Rating": "mpaa",
                    "Major Genre": "genre", "Source": "source", "Creative Type": "creative"}


def movielens_relations(ratings: pd.DataFrame, vega: pd.DataFrame | None = None,
                        min_ratings: int = 5, like_threshold: float = 4.0,
                        exclude_users: Iterable[int] = ()) -> Relations:
    """Links of each movie rated at least ``min_ratings`` times: 'user:<id>' for every user who
    rated it >= ``like_threshold`` (people who liked it), 'genre:<g>' per MovieLens genre,
    'decade:<1990s>', and, when the film is in vega-datasets, its director, distributor, MPAA
    rating, major genre, source and creative type. ``exclude_users`` are kept out (the
    recommender recipe evaluates on them). Properties: rotten_tomatoes (0-1) and log10 gross."""
    counts = ratings.groupby("movieId").size()
    keep = counts.index[counts >= min_ratings]
    info = (ratings[ratings["movieId"].isin(keep)]
            .drop_duplicates("movieId").set_index("movieId").loc[keep, ["title", "year", "genres"]])
    excluded = set(int(u) for u in exclude_users)
    liked = ratings[(ratings["rating"] >= like_threshold) & ratings["movieId"].isin(keep)
                    & ~ratings["userId"].isin(excluded)]
    users_of = liked.groupby("movieId")["userId"].apply(list)
    matched = (match_vega(info.reset_index(), vega) if vega is not None
               else pd.DataFrame(index=pd.Index([], name="movieId")))
    links, rt, gross = [], [], []
    for movie_id, row in info.iterrows():
        out = [f"user:{u}" for u in users_of.get(movie_id, [])]
        out += [f"genre:{g}" for g in str(row["genres"]).split("|") if g and g != "(no genres listed)"]
        if not math.isnan(row["year"]):
            out.append(f"decade:{int(row['year']) // 10 * 10}s")
        film = matched.loc[movie_id] if movie_id in matched.index else None
        if film is not None:
            out += [f"{prefix}:{film[col]}" for col, prefix in VEGA_LINK_FIELDS.items()
                    if isinstance(film[col], str) and film[col]]
        links.append(out)
        rt.append(_number(film["Rotten Tomatoes Rating"]) / 100 if film is not None else math.nan)
        g = _number(film["Worldwide Gross"]) if film is not None else math.nan
        gross.append(math.log10(g) if g and g > 0 else math.nan)
    titles = [f"{t} ({int(y)})" if not math.isnan(y) else str(t)
              for t, y in zip(info["title"], info["year"])]
    props = pd.DataFrame({"rotten_tomatoes": rt, "log10_gross": gross})
    return Relations(titles, links, props,
                     f"MovieLens small + vega-datasets: {len(titles)} movies rated >= {min_ratings} times",
                     ids=[int(i) for i in info.index])


def pick_test_users(ratings: pd.DataFrame, n: int, min_ratings: int = 100, seed: int = 0) -> list[int]:
    """``n`` users with at least ``min_ratings`` ratings, chosen at random (reproducibly)."""
    counts = ratings.groupby("userId").size()
    eligible = np.sort(counts.index[counts >= min_ratings].to_numpy())
    rng = np.random.default_rng(seed)
    return sorted(int(u) for u in rng.choice(eligible, size=min(n, len(eligible)), replace=False))


def user_preferences(ratings: pd.DataFrame, user: int, ids: Sequence[int],
                     like_threshold: float = 4.0, dislike_threshold: float = 3.0
                     ) -> tuple[list[int], list[int]]:
    """Row indices (into ``ids``) of the movies ``user`` liked (>= like) and disliked (<= dislike)."""
    position = {movie_id: i for i, movie_id in enumerate(ids)}
    mine = ratings[(ratings["userId"] == user) & ratings["movieId"].isin(position)]
    liked = [position[m] for m in mine.loc[mine["rating"] >= like_threshold, "movieId"]]
    disliked = [position[m] for m in mine.loc[mine["rating"] <= dislike_threshold, "movieId"]]
    return liked, disliked


def _number(value) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def parse_money(text: str | None) -> float:
    """Dollar amounts as infoboxes write them -> dollars: '$2.068 billion' -> 2.068e9,
    '$12.5 million' -> 1.25e7, '$350,000' -> 3.5e5; NaN when there is no dollar figure."""
    if not text:
        return math.nan
    found = re.search(r"\$\s*([\d.,]+)\s*(million|billion)?", str(text), re.IGNORECASE)
    if not found:
        return math.nan
    try:
        amount = float(found.group(1).replace(",", "").rstrip("."))
    except ValueError:
        return math.nan
    scale = {"million": 1e6, "billion": 1e9}.get((found.group(2) or "").lower(), 1.0)
    return amount * scale


def parse_percent(text: str | None) -> float:
    """'87%' -> 0.87; NaN when missing."""
    if not text:
        return math.nan
    found = re.search(r"(\d{1,3})\s*%", str(text))
    return int(found.group(1)) / 100 if found else math.nan


def film_relations(records: Iterable[Sequence]) -> Relations:
    """Relations from Wikipedia film records ``[title, infobox, links, rotten_tomatoes, rating]``
    (the book's ndjson rows, or ``Film.to_record()`` from a dump parsed in recipe 4.1)."""
    movies, links, rt, gross = [], [], [], []
    for title, infobox, outgoing, rotten, *_ in records:
        movies.append(title)
        links.append(list(outgoing))
        rt.append(parse_percent(rotten))
        g = parse_money((infobox or {}).get("gross"))
        gross.append(math.log10(g) if g and g > 0 else math.nan)
    props = pd.DataFrame({"rotten_tomatoes": rt, "log10_gross": gross})
    return Relations(movies, links, props, f"Wikipedia films: {len(movies)} pages")


def read_ndjson(path: Path, limit: int | None = None) -> list:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    return rows


# ------------------------------------------------------------------------------------------
# pairs


@dataclass
class Pairs:
    pairs: np.ndarray            # (n, 2) int32: link index, movie index
    link_names: list[str]
    movie_names: list[str]
    link_counts: Counter = field(default_factory=Counter)

    @property
    def n_links(self) -> int:
        return len(self.link_names)

    @property
    def n_movies(self) -> int:
        return len(self.movie_names)


def build_pairs(relations: Relations, min_count: int = 3) -> Pairs:
    """Index every link seen on at least ``min_count`` movies (rarer links say little about
    similarity and would only add parameters) and list the (link, movie) pairs."""
    counts = Counter(link for links in relations.links for link in set(links))
    kept = sorted((l for l, c in counts.items() if c >= min_count), key=lambda l: (-counts[l], l))
    link_index = {l: i for i, l in enumerate(kept)}
    pairs = sorted({(link_index[l], m) for m, links in enumerate(relations.links)
                    for l in links if l in link_index})
    return Pairs(np.asarray(pairs, dtype=np.int32).reshape(-1, 2), kept, list(relations.movies),
                 Counter({l: counts[l] for l in kept}))


def split_pairs(pairs: np.ndarray, test_fraction: float, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray]:
    """Hold out a random ``test_fraction`` of the positive pairs."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pairs))
    cut = int(round(len(pairs) * test_fraction))
    return pairs[order[cut:]], pairs[order[:cut]]


def pair_keys(pairs: np.ndarray, n_movies: int) -> np.ndarray:
    """One int64 per pair, for fast membership tests."""
    return pairs[:, 0].astype(np.int64) * n_movies + pairs[:, 1].astype(np.int64)


def pair_dataset(train: np.ndarray, n_links: int, n_movies: int, positives_per_batch: int,
                 negative_ratio: int, seed: int = 0):
    """An endless tf.data stream of batches ``({'link', 'movie'}, label)``.

    Each batch takes ``positives_per_batch`` known pairs (label +1) and ``negative_ratio`` times as
    many random (link, movie) combinations. A random combination that happens to be a known pair
    is labelled +1 rather than dropped, so every label is true. Everything runs inside TensorFlow
    (no Python per example), which is what makes this fast on a CPU."""
    import tensorflow as tf

    keys = tf.constant(np.unique(pair_keys(train, n_movies)), dtype=tf.int64)
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(keys, tf.ones_like(keys)), default_value=0)
    train_t = tf.constant(train, dtype=tf.int32)
    n_neg = positives_per_batch * negative_ratio

    def make_batch(step):
        seeds = tf.stack([tf.cast(step, tf.int32), tf.constant(seed, tf.int32)])
        pick = tf.random.stateless_uniform([positives_per_batch], seeds, 0, len(train), tf.int32)
        pos = tf.gather(train_t, pick)
        neg_link = tf.random.stateless_uniform([n_neg], seeds + 1, 0, n_links, tf.int32)
        neg_movie = tf.random.stateless_uniform([n_neg], seeds + 2, 0, n_movies, tf.int32)
        neg_key = tf.cast(neg_link, tf.int64) * n_movies + tf.cast(neg_movie, tf.int64)
        neg_label = tf.where(table.lookup(neg_key) > 0, 1.0, -1.0)
        link = tf.concat([pos[:, 0], neg_link], 0)
        movie = tf.concat([pos[:, 1], neg_movie], 0)
        label = tf.concat([tf.ones([positives_per_batch]), neg_label], 0)
        return {"link": link[:, None], "movie": movie[:, None]}, label[:, None]

    return (tf.data.Dataset.counter().map(make_batch, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE))


def heldout_examples(all_pairs: np.ndarray, test: np.ndarray, n_links: int, n_movies: int,
                     negative_ratio: int, seed: int = 1):
    """A fixed evaluation set: the held-out positives plus ``negative_ratio`` times as many
    random combinations that are links of no movie (label -1)."""
    rng = np.random.default_rng(seed)
    known = set(pair_keys(all_pairs, n_movies).tolist())
    want = len(test) * negative_ratio
    negatives = []
    while len(negatives) < want:
        cand = np.stack([rng.integers(0, n_links, want), rng.integers(0, n_movies, want)], 1)
        negatives += [c for c, k in zip(cand, pair_keys(cand, n_movies)) if int(k) not in known]
    negatives = np.asarray(negatives[:want], dtype=np.int32).reshape(-1, 2)
    x = np.concatenate([test, negatives]).astype(np.int32)
    y = np.concatenate([np.ones(len(test)), -np.ones(len(negatives))]).astype(np.float32)
    return {"link": x[:, :1], "movie": x[:, 1:]}, y[:, None]


# ------------------------------------------------------------------------------------------
# the model


def constant_baseline(labels: np.ndarray) -> dict:
    """The best constant prediction: the mean label for MSE; the majority label for accuracy."""
    labels = np.asarray(labels).ravel()
    return {"mse": float(np.var(labels)),
            "accuracy": float(max(np.mean(labels > 0), np.mean(labels < 0)))}


def evaluate_links(model, x, y, batch_size: int = 8192) -> dict:
    """MSE, accuracy (sign of the cosine) and ROC AUC on a fixed set of labelled pairs."""
    from sklearn.metrics import roc_auc_score

    pred = model.predict(x, batch_size=batch_size, verbose=0).ravel()
    y = np.asarray(y).ravel()
    return {"mse": float(np.mean((pred - y) ** 2)),
            "accuracy": float(np.mean(np.sign(pred) == y)),
            "auc": float(roc_auc_score(y > 0, pred))}


def normalized_embeddings(model, layer: str = "movie_embedding") -> np.ndarray:
    weights = model.get_layer(layer).get_weights()[0]
    return weights / np.maximum(np.linalg.norm(weights, axis=1, keepdims=True), 1e-12)


def find_title(names: Sequence[str], query: str) -> int:
    """Index of ``query``: exact match first, then the shortest name that starts with it."""
    if query in names:
        return list(names).index(query)
    hits = [i for i, n in enumerate(names) if n.lower().startswith(query.lower())]
    if not hits:
        raise KeyError(f"{query!r} not found")
    return min(hits, key=lambda i: len(names[i]))


def most_similar(vectors: np.ndarray, names: Sequence[str], query: str, k: int = 10
                 ) -> list[tuple[str, float]]:
    """The ``k`` names whose (normalised) vectors have the highest cosine with ``query``'s."""
    scores = vectors @ vectors[find_title(names, query)]
    best = np.argsort(-scores)[:k]
    return [(names[i], float(scores[i])) for i in best]


# ------------------------------------------------------------------------------------------
# recipe 4.3: a per-user recommender on top of the embeddings


def preference_auc(vectors: np.ndarray, liked: Sequence[int], disliked: Sequence[int],
                   seed: int = 0, train_fraction: float = 0.5) -> float | None:
    """Train a linear SVM on half of one user's liked/disliked movies (as embeddings) and return
    the ROC AUC of its scores on the other half; None when either half lacks a class."""
    from sklearn.metrics import roc_auc_score
    from sklearn.svm import SVC

    rng = np.random.default_rng(seed)
    idx = np.asarray(list(liked) + list(disliked))
    y = np.asarray([1] * len(liked) + [0] * len(disliked))
    order = rng.permutation(len(idx))
    cut = int(len(idx) * train_fraction)
    tr, te = order[:cut], order[cut:]
    if len(set(y[tr])) < 2 or len(set(y[te])) < 2:
        return None
    clf = SVC(kernel="linear").fit(vectors[idx[tr]], y[tr])
    return float(roc_auc_score(y[te], clf.decision_function(vectors[idx[te]])))


def recommend(vectors: np.ndarray, liked: Sequence[int], disliked: Sequence[int]):
    """Fit a linear SVM on all of a user's likes/dislikes; return the score of every movie."""
    from sklearn.svm import SVC

    idx = np.asarray(list(liked) + list(disliked))
    y = np.asarray([1] * len(liked) + [0] * len(disliked))
    return SVC(kernel="linear").fit(vectors[idx], y).decision_function(vectors)


# ------------------------------------------------------------------------------------------
# recipe 4.4: properties from embeddings


def regress_property(vectors: np.ndarray, target: Sequence[float], seed: int = 0,
                     test_fraction: float = 0.2) -> dict:
    """Linear regression from embeddings to one property (rows with a value only), on a random
    80/20 split, against always predicting the training mean."""
    from sklearn.linear_model import Ridge

    target = np.asarray(target, dtype=float)
    rows = np.flatnonzero(~np.isnan(target))
    rng = np.random.default_rng(seed)
    rows = rng.permutation(rows)
    cut = int(len(rows) * (1 - test_fraction))
    tr, te = rows[:cut], rows[cut:]
    # a little ridge keeps the fit stable when there are few movies per dimension
    model = Ridge(alpha=1.0).fit(vectors[tr], target[tr])
    pred = model.predict(vectors[te])
    return {"n_train": int(len(tr)), "n_test": int(len(te)),
            "mse": float(np.mean((pred - target[te]) ** 2)),
            "baseline_mse": float(np.mean((target[tr].mean() - target[te]) ** 2))}
