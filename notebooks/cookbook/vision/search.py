"""Inverse image search: a labelled image database, nearest-neighbour indexes and their scores.

* :func:`leave_one_out_precision` - retrieval quality: how many of an item's k nearest neighbours
  share its label (the item itself left out).
* :func:`build_index` - the same ``search(queries, k)`` over scikit-learn's ``ball_tree`` (the
  book's), exact inner-product search (``numpy`` or faiss ``IndexFlatIP``) and faiss HNSW.
* :func:`compare_indexes` - build time, queries per second and recall@k against exact search.
* :class:`ImageIndex` - a small, saved search index (PCA-reduced float16 vectors + manifest) that
  chapter 16's service loads with :func:`load_index`.

All vectors are L2-normalised, so inner product = cosine similarity and Euclidean order = cosine
order (the ball tree sees the same neighbours).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .embed import l2_normalise


def manifest(names: Sequence[str], sources: Sequence[str], labels: Sequence[str]) -> list[dict]:
    """One row per database image: its name, where it comes from and its label."""
    if not len(names) == len(sources) == len(labels):
        raise ValueError("names, sources and labels must have one entry per image")
    return [{"name": str(n), "source": str(s), "label": str(lab)}
            for n, s, lab in zip(names, sources, labels)]


def exact_neighbours(vectors: np.ndarray, queries: np.ndarray, k: int,
                     exclude_self: bool = False, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """(similarities, indices) of the ``k`` largest inner products, in chunks of queries (the
    full 34,500 x 34,500 matrix would need 4.8 GB). ``exclude_self``: queries are ``vectors``
    and each row's own index is skipped."""
    vectors = np.asarray(vectors, np.float32)
    queries = np.asarray(queries, np.float32)
    sims_out, idx_out = [], []
    for start in range(0, len(queries), chunk):
        sims = queries[start:start + chunk] @ vectors.T
        if exclude_self:
            rows = np.arange(len(sims))
            sims[rows, start + rows] = -np.inf
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1)
        idx_out.append(np.take_along_axis(top, order, axis=1))
        sims_out.append(np.take_along_axis(top_sims, order, axis=1))
    return np.concatenate(sims_out), np.concatenate(idx_out)


def leave_one_out_precision(vectors: np.ndarray, labels: Sequence, k: int = 10) -> float:
    """Mean share of each item's ``k`` nearest others (cosine) that carry its label."""
    labels = np.asarray(labels)
    _, idx = exact_neighbours(l2_normalise(np.asarray(vectors, np.float32)),
                              l2_normalise(np.asarray(vectors, np.float32)), k, exclude_self=True)
    return float((labels[idx] == labels[:, None]).mean())


def chance_precision(labels: Sequence) -> float:
    """Expected precision@k of random neighbours: the chance that another item shares a label."""
    _, counts = np.unique(np.asarray(labels), return_counts=True)
    return float((counts * (counts - 1)).sum() / (len(labels) * (len(labels) - 1)))


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    """Share of the exact neighbours (rows of ``truth``) that the index found."""
    hits = [len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth)]
    return float(np.sum(hits) / truth.size)


class Index:
    """``search(queries, k)`` -> (scores, indices) over one back end; ``build_seconds``."""

    def __init__(self, kind: str, search, build_seconds: float, impl=None):
        self.kind, self._search, self.build_seconds, self.impl = kind, search, build_seconds, impl

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self._search(np.ascontiguousarray(queries, np.float32), k)


def build_index(kind: str, vectors: np.ndarray, hnsw_m: int = 32, ef_construction: int = 80,
                ef_search: int = 64) -> Index:
    """``kind``: 'ball_tree' (scikit-learn, the book's), 'brute' (scikit-learn's exact blocked
    distances), 'numpy' (exact matrix product), 'flat' (faiss IndexFlatIP, exact) or 'hnsw' (faiss
    IndexHNSWFlat, approximate)."""
    vectors = np.ascontiguousarray(vectors, np.float32)
    started = time.perf_counter()
    if kind in ("ball_tree", "brute"):
        from sklearn.neighbors import NearestNeighbors

        nn = NearestNeighbors(algorithm=kind).fit(vectors)

        def search(q, k):
            dist, idx = nn.kneighbors(q, n_neighbors=k)
            return 1 - dist ** 2 / 2, idx  # unit vectors: |a-b|^2 = 2 - 2 cos
        impl = nn
    elif kind == "numpy":
        impl = vectors

        def search(q, k):
            return exact_neighbours(vectors, q, k)
    elif kind in ("flat", "hnsw"):
        import faiss

        dim = vectors.shape[1]
        if kind == "flat":
            impl = faiss.IndexFlatIP(dim)
        else:
            impl = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            impl.hnsw.efConstruction = ef_construction
            impl.hnsw.efSearch = ef_search
        impl.add(vectors)

        def search(q, k):
            return impl.search(q, k)
    else:
        raise ValueError(f"unknown index kind {kind!r}: ball_tree, brute, numpy, flat or hnsw")
    return Index(kind, search, time.perf_counter() - started, impl)


def time_queries(index: Index, queries: np.ndarray, k: int = 10) -> tuple[float, np.ndarray]:
    """(queries per second, indices), queries sent one batch at a time."""
    started = time.perf_counter()
    _, idx = index.search(queries, k)
    return len(queries) / (time.perf_counter() - started), idx


def compare_indexes(vectors: np.ndarray, queries: np.ndarray, kinds: Sequence[str], k: int = 10,
                    **hnsw) -> list[dict]:
    """One row per kind: build seconds, queries/s and recall@k against exact (numpy) search."""
    _, truth = exact_neighbours(vectors, queries, k)
    rows = []
    for kind in kinds:
        index = build_index(kind, vectors, **hnsw)
        qps, found = time_queries(index, queries, k)
        rows.append({"index": kind, "build_s": round(index.build_seconds, 3),
                     "queries_per_s": round(qps, 1), f"recall@{k}": recall_at_k(found, truth)})
    return rows


@dataclass
class ImageIndex:
    """A saved search index: PCA-reduced unit vectors (float16) and one manifest row each.
    ``query`` takes full-size embeddings (e.g. Lite0's 1,280-d avg_pool) and projects them."""

    vectors: np.ndarray      # (n, d) float16, unit length after projection
    mean: np.ndarray         # (D,) float32, PCA centre
    components: np.ndarray   # (d, D) float32
    rows: list[dict]         # manifest
    settings: dict

    def project(self, embeddings: np.ndarray) -> np.ndarray:
        x = l2_normalise(np.atleast_2d(np.asarray(embeddings, np.float32)))
        return l2_normalise((x - self.mean) @ self.components.T)

    def query(self, embeddings: np.ndarray, k: int = 10) -> list[list[tuple[dict, float]]]:
        sims, idx = exact_neighbours(self.vectors.astype(np.float32), self.project(embeddings), k)
        return [[(self.rows[j], float(s)) for j, s in zip(ii, ss)] for ii, ss in zip(idx, sims)]


def make_index(embeddings: np.ndarray, rows: list[dict], dim: int = 256, seed: int = 0,
               **settings) -> ImageIndex:
    """Fit PCA on the (normalised) embeddings, keep ``dim`` components, store float16."""
    from sklearn.decomposition import PCA

    x = l2_normalise(np.asarray(embeddings, np.float32))
    pca = PCA(n_components=dim, random_state=seed).fit(x)
    half = lambda a: a.astype(np.float16).astype(np.float32)  # noqa: E731  (as saved)
    index = ImageIndex(np.zeros((0, dim), np.float16), half(pca.mean_), half(pca.components_),
                       list(rows), dict(settings))
    index.vectors = index.project(x).astype(np.float16)
    return index


def save_index(index: ImageIndex, folder: str | Path, name: str) -> Path:
    """One compressed ``<name>.npz``: vectors (float16), PCA centre and components (float16) and
    the manifest with the settings as a JSON string (no pickles: ``allow_pickle=False`` loads it)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.npz"
    meta = json.dumps({"settings": index.settings, "rows": index.rows}, separators=(",", ":"))
    np.savez_compressed(path, vectors=index.vectors, mean=index.mean.astype(np.float16),
                        components=index.components.astype(np.float16), manifest=np.array(meta))
    return path


def load_index(folder: str | Path, name: str) -> ImageIndex:
    """The index :func:`save_index` wrote (chapter 16: ``load_index(zoo.zoo_dir(10), name)``)."""
    path = Path(folder) / f"{name}.npz"
    if not path.is_file():
        raise FileNotFoundError(f"no saved image index {path.name} in {Path(folder).name}/")
    with np.load(path, allow_pickle=False) as arrays:
        vectors, mean, comps = arrays["vectors"], arrays["mean"], arrays["components"]
        meta = json.loads(str(arrays["manifest"]))
    if len(meta["rows"]) != len(vectors):
        raise ValueError(f"{name}: {len(vectors)} vectors but {len(meta['rows'])} manifest rows")
    return ImageIndex(vectors, mean.astype(np.float32), comps.astype(np.float32),
                      meta["rows"], meta["settings"])
