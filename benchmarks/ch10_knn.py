"""Chapter 10 benchmark: the book's ball tree vs faiss HNSW on the Quick Draw embeddings.

Vectors: Lite0 ``avg_pool`` (1,280-d, unit length) of all 345 x 100 drawings plus the 37 photos,
read from the notebook's cache (``generated/ch10/vectors_345x100_<size>px.npz``, written by a
full-mode run of notebook 10) or embedded here when it is missing. Queries are database
vectors (each finds itself too, as in the notebook). The ball tree is scikit-learn's
``NearestNeighbors(algorithm="ball_tree")``, as in the book; HNSW is faiss ``IndexHNSWFlat``
(inner product) with the smallest ``efSearch`` that reaches recall@10 >= 0.95 against exact
search. Both answer the same queries in one batch.

    DLCB_MIRROR=../shared/mirror .venv/bin/python benchmarks/ch10_knn.py [--queries 300]

Not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))

import numpy as np  # noqa: E402

from cookbook import paths  # noqa: E402
from cookbook.vision import embed, search  # noqa: E402


def load_vectors(size: int | None) -> np.ndarray:
    folder = paths.generated_dir("ch10")
    made = sorted(folder.glob("vectors_345x100_*px.npz"))
    cache = folder / f"vectors_345x100_{size}px.npz" if size or not made else made[0]
    size = size or 96
    if not cache.exists():
        from PIL import Image

        from cookbook.vision import backbone, images, quickdraw

        print(f"{cache.name} missing: embedding 34,500 drawings at {size} px (a few minutes)")
        net = backbone.load_efficientnet_lite0(input_shape=(None, None, 3))
        embedder = embed.Embedder(embed.feature_model(net, "avg_pool"), backbone.preprocess, 64)
        drawings, _, _ = quickdraw.load_drawings()
        photos = [backbone.center_crop_resize(Image.fromarray(p.image), 224)
                  for p in images.photo_collection()]
        started = time.perf_counter()
        vecs = np.concatenate([embedder(quickdraw.to_rgb(drawings[i:i + 2048], size))
                               for i in range(0, len(drawings), 2048)])
        np.savez(cache, photos=embedder(np.stack(photos)), drawings=vecs,
                 seconds=time.perf_counter() - started)
    with np.load(cache) as saved:
        return embed.l2_normalise(np.concatenate([saved["photos"], saved["drawings"]]))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=None,
                        help="drawing size in px (default: the notebook's cache, else 96)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--target", type=float, default=0.95)
    args = parser.parse_args(argv)

    vectors = load_vectors(args.size)
    queries = vectors[np.random.default_rng(0).choice(len(vectors), args.queries, replace=False)]
    _, truth = search.exact_neighbours(vectors, queries, 10)
    print(f"{len(vectors):,} vectors x {vectors.shape[1]}, {len(queries)} queries, k=10")

    tree = search.build_index("ball_tree", vectors)
    tree_qps, found = search.time_queries(tree, queries)
    print(f"ball_tree  build {tree.build_seconds:6.1f} s  {tree_qps:9.1f} queries/s  "
          f"recall@10 {search.recall_at_k(found, truth):.3f}")
    hnsw = search.build_index("hnsw", vectors)
    print(f"hnsw       build {hnsw.build_seconds:6.1f} s (M=32, efConstruction=80)")
    chosen = None
    for ef in (16, 32, 64, 128, 256):
        hnsw.impl.hnsw.efSearch = ef
        search.time_queries(hnsw, queries[:50])  # warm-up
        qps, found = search.time_queries(hnsw, queries)
        recall = search.recall_at_k(found, truth)
        print(f"  efSearch {ef:4d}: {qps:9.0f} queries/s  recall@10 {recall:.3f}")
        if chosen is None and recall >= args.target:
            chosen = {"ef_search": ef, "queries_per_s": qps, "recall": recall}
    if chosen is None:
        raise SystemExit(f"no efSearch reached recall@10 {args.target}")
    ratio = chosen["queries_per_s"] / tree_qps
    print(f"HNSW at recall@10 {chosen['recall']:.3f} (efSearch {chosen['ef_search']}): "
          f"{ratio:.0f}x the ball tree's queries/s")
    return {"ball_tree_qps": tree_qps, **chosen, "ratio": ratio}


if __name__ == "__main__":
    main()
