"""cookbook.serving.knn: 16.1's indexes on real GloVe vectors, HNSW tuned to a recall target,
joblib persistence."""

import numpy as np
import pytest

from cookbook.serving import knn


@pytest.fixture(scope="module")
def glove():
    return knn.glove(8000)


def test_glove_vectors_are_unit_length_and_aligned(glove):
    words, vectors = glove
    assert len(words) == len(vectors) == 8000 and vectors.shape[1] == 50
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert words[:3] == ["the", ",", "."]


def test_exact_indexes_agree_and_hnsw_reaches_its_target(glove):
    _, vectors = glove
    queries = vectors[np.random.default_rng(0).choice(len(vectors), 100, replace=False)]
    _, truth = knn.exact_neighbours(vectors, queries, 10)
    for kind in ("ball_tree", "brute"):
        _, found = knn.time_queries(knn.make_index(kind, vectors), queries, 10)
        assert knn.recall_at_k(found, truth) >= 0.99, kind
    hnsw = knn.make_index("hnsw", vectors, hnsw_m=16, ef_construction=64)
    rows = knn.tune_hnsw(hnsw, queries, truth, target=0.95)
    assert rows[-1]["recall@10"] >= 0.95
    assert [r["efSearch"] for r in rows] == sorted(r["efSearch"] for r in rows)


def test_joblib_round_trip_gives_the_same_neighbours(glove, tmp_path):
    from sklearn.neighbors import NearestNeighbors

    words, vectors = glove
    nn = NearestNeighbors(algorithm="ball_tree").fit(vectors[:2000])
    assert knn.save(tmp_path / "index.joblib", nbrs=nn, names=words[:2000]) > 0
    back = knn.load(tmp_path / "index.joblib")
    first = knn.neighbours_by_name(nn, vectors, words[:2000], "king", 5)
    assert first == knn.neighbours_by_name(back["nbrs"], vectors, back["names"], "king", 5)
    assert first[0] == ("king", pytest.approx(1.0, abs=1e-5))
    with pytest.raises(KeyError):
        knn.neighbours_by_name(nn, vectors, words[:2000], "no-such-word", 5)
