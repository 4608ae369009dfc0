"""cookbook.vision.search: exact and approximate neighbours, precision, the saved index."""

import numpy as np
import pytest

from cookbook.vision import search
from cookbook.vision.embed import l2_normalise


@pytest.fixture(scope="module")
def clusters():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(8, 64))
    labels = np.repeat(np.arange(8), 30)
    vectors = l2_normalise((centres[labels] + 0.3 * rng.normal(size=(240, 64))).astype(np.float32))
    return vectors, labels


def test_exact_neighbours_match_a_full_sort(clusters):
    vectors, _ = clusters
    sims, idx = search.exact_neighbours(vectors, vectors[:17], 5, chunk=4)
    full = np.argsort(-(vectors[:17] @ vectors.T), axis=1)[:, :5]
    assert (idx == full).all() and (idx[:, 0] == np.arange(17)).all()
    assert np.all(np.diff(sims, axis=1) <= 1e-6)
    _, others = search.exact_neighbours(vectors, vectors, 3, exclude_self=True, chunk=50)
    assert not (others == np.arange(len(vectors))[:, None]).any()


def test_precision_beats_chance_and_chance_is_exact(clusters):
    vectors, labels = clusters
    assert search.chance_precision(labels) == pytest.approx(29 / 239)
    assert search.leave_one_out_precision(vectors, labels, k=10) > 0.95
    shuffled = np.random.default_rng(1).permutation(labels)
    assert search.leave_one_out_precision(vectors, shuffled, k=10) < 0.3


def test_every_index_kind_agrees_with_exact_search(clusters):
    vectors, _ = clusters
    rows = {r["index"]: r for r in search.compare_indexes(
        vectors, vectors[:40], ["ball_tree", "numpy", "flat", "hnsw"], k=10)}
    for kind in ("ball_tree", "numpy", "flat"):
        assert rows[kind]["recall@10"] == pytest.approx(1.0), kind
    assert rows["hnsw"]["recall@10"] > 0.9 and rows["hnsw"]["queries_per_s"] > 0
    sims, _ = search.build_index("ball_tree", vectors).search(vectors[:3], 1)
    assert sims[:, 0] == pytest.approx(1.0, abs=1e-5)  # distances turned back into cosines
    with pytest.raises(ValueError, match="unknown index kind"):
        search.build_index("kd_forest", vectors)


def test_recall_counts_shared_neighbours():
    assert search.recall_at_k(np.array([[1, 2], [3, 4]]), np.array([[2, 1], [3, 5]])) == 0.75


def test_manifest_needs_one_row_per_image():
    rows = search.manifest(["a", "b"], ["s", "s"], ["cat", "dog"])
    assert rows[1] == {"name": "b", "source": "s", "label": "dog"}
    with pytest.raises(ValueError):
        search.manifest(["a"], ["s", "s"], ["cat"])


def test_saved_index_round_trips(clusters, tmp_path):
    vectors, labels = clusters
    embeddings = vectors * 3.0  # any scale: the index normalises
    rows = search.manifest([f"img{i}" for i in range(len(vectors))], ["test"] * len(vectors),
                           [str(label) for label in labels])
    index = search.make_index(embeddings, rows, dim=16, model="toy")
    path = search.save_index(index, tmp_path, "toy_index")
    loaded = search.load_index(tmp_path, "toy_index")
    assert loaded.rows == rows and loaded.settings == {"model": "toy"}
    assert loaded.vectors.dtype == np.float16 and loaded.vectors.shape == (240, 16)
    np.testing.assert_allclose(loaded.project(embeddings[:5]), index.project(embeddings[:5]),
                               atol=1e-6)
    hits = loaded.query(embeddings[[3, 100]], k=3)
    assert [h[0][0]["name"] for h in hits] == ["img3", "img100"]
    assert all(r["label"] == rows[3]["label"] for r, _ in hits[0])
    assert path.stat().st_size < 100_000
    with pytest.raises(FileNotFoundError, match="no saved image index"):
        search.load_index(tmp_path, "missing")
