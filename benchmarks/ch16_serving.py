"""Chapter 16 benchmark: the model service under load, nearest-neighbour indexes on GloVe 400k,
and PostgreSQL's load and query times. Everything on this machine, loopback only, bounded.

1. **Service.** The same zoo model (chapter 7's emoji-group classifier) behind the same gunicorn
   app (``cookbook.serving.app``, 2 workers, 1 TF thread each), once called the book's way,
   ``model.predict`` per request, and once through a traced ``tf.function``. ``wrk`` (Debian) sends
   ``POST /text/classify`` with 16 connections for ``--seconds`` (≤ 10) per run; both runs back to
   back in one process. Reported: requests/s, p50/p90/p99 latency, the ratio.
2. **kNN.** GloVe 6B 50-d, 400,000 unit vectors, 1,000 random queries, k = 10: scikit-learn's ball
   tree (the book's; a subset of the queries: it is slow), scikit-learn brute force, faiss HNSW
   (M=16, efConstruction=64) with the smallest efSearch reaching recall@10 ≥ 0.95 vs exact search.
3. **Postgres.** The same 400,000 vectors into a throw-away cluster: binary COPY + cube column,
   GiST build, median query latency (10 query words) without and with the index.

    DLCB_MIRROR=../shared/mirror nice -n 10 .venv/bin/python benchmarks/ch16_serving.py [--seconds 10]

Not a test: timings depend on the machine and its load (wrk shares the CPU with the server).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))

import numpy as np  # noqa: E402

from cookbook.serving import knn, postgres, service  # noqa: E402

BODY = '{"text": "smiling face with open mouth and smiling eyes"}'
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(text: str) -> dict:
    """requests/s and the latency percentiles (ms) of ``wrk --latency`` output."""
    out = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))}
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M):
        out[f"p{pct}_ms"] = round(float(value) * UNITS[unit], 2)
    total = re.search(r"(\d+) requests in", text)
    out["requests"] = int(total.group(1)) if total else None
    errors = re.search(r"Socket errors: (.*)", text)
    out["socket_errors"] = errors.group(1).strip() if errors else ""
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    return out


def load_test(call: str, seconds: int, connections: int, workers: int) -> dict:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (Debian package 'wrk'; make system)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                     f"wrk.body = '{BODY}'\n")
    try:
        with service.serve(workers=workers, env={"DLCB_SERVE_MODELS": "emoji", "DLCB_SERVE_CALL": call},
                           timeout_s=30) as server:
            subprocess.run([wrk, "-t2", "-c4", "-d2s", "-s", script.name, server.url + "/text/classify"],
                           capture_output=True, timeout=30)  # warm-up: first calls trace/compile
            run = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
                                  "--latency", "-s", script.name, server.url + "/text/classify"],
                                 capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script.name)
    result = parse_wrk(run.stdout)
    result.update(call=call, workers=workers, connections=connections, seconds=seconds)
    return result


def knn_benchmark(tree_queries: int, n_queries: int) -> dict:
    words, vectors = knn.glove()
    queries = vectors[np.random.default_rng(0).choice(len(vectors), n_queries, replace=False)]
    _, truth = knn.exact_neighbours(vectors, queries, 10)
    rows = {}
    for kind in ("ball_tree", "brute", "hnsw"):
        index = knn.make_index(kind, vectors, hnsw_m=16, ef_construction=64)
        if kind == "hnsw":
            tuned = knn.tune_hnsw(index, queries, truth, target=0.95)
            qps, recall, ef = tuned[-1]["queries_per_s"], tuned[-1]["recall@10"], tuned[-1]["efSearch"]
        else:
            q = queries[:tree_queries] if kind == "ball_tree" else queries
            qps, found = knn.time_queries(index, q, 10)
            recall, ef = knn.recall_at_k(found, truth[:len(q)]), None
        rows[kind] = {"build_s": round(index.build_seconds, 1), "queries_per_s": round(qps, 1),
                      "recall@10": round(recall, 4), **({"efSearch": ef} if ef else {})}
        print(f"  {kind:10s} {rows[kind]}", flush=True)
    rows["hnsw_vs_ball_tree"] = round(rows["hnsw"]["queries_per_s"] / rows["ball_tree"]["queries_per_s"], 1)
    rows["vectors"] = len(vectors)
    return rows


def postgres_benchmark() -> dict:
    words, vectors = knn.glove()
    probe = [words.index(w) for w in ("king", "espresso", "paris", "python", "violin", "germany",
                                      "frog", "computer", "happy", "river")]
    with postgres.temporary_cluster() as cluster, cluster.connect() as conn:
        load = postgres.load_vectors(conn, "words", words, vectors)
        seq, results = postgres.query_latency(conn, "words", vectors[probe])
        with conn.cursor() as cur:
            gist_build = postgres.create_gist(cur, "words")
        conn.commit()
        gist, _ = postgres.query_latency(conn, "words", vectors[probe])
    _, truth = knn.exact_neighbours(vectors, vectors[probe], 10)
    recall = knn.recall_at_k(np.array([[i for i, _, _ in r] for r in results]), truth)
    return {"rows": len(words), "copy_s": round(load["copy_s"], 1), "cube_s": round(load["cube_s"], 1),
            "load_s": round(load["copy_s"] + load["cube_s"], 1), "table_mb": round(load["bytes"] / 1e6),
            "seq_scan_ms": round(seq * 1000, 1), "gist_build_s": round(gist_build, 1),
            "gist_ms": round(gist * 1000, 1), "recall_vs_numpy": recall}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, choices=range(1, 11), metavar="1..10")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tree-queries", type=int, default=100)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--only", choices=("service", "knn", "postgres"), action="append")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    parts = args.only or ["service", "knn", "postgres"]
    results = {}
    if "service" in parts:
        print("service: wrk against gunicorn on 127.0.0.1 (emoji-group classifier)", flush=True)
        runs = {call: load_test(call, args.seconds, args.connections, args.workers)
                for call in ("predict", "function")}
        for call, r in runs.items():
            print(f"  {call:9s} {r['requests_per_s']:8.1f} req/s  p50 {r.get('p50_ms')} ms  "
                  f"p90 {r.get('p90_ms')} ms  p99 {r.get('p99_ms')} ms  non-2xx {r['non_2xx']}  "
                  f"socket errors: {r['socket_errors'] or 'none'}", flush=True)
        ratio = runs["function"]["requests_per_s"] / max(runs["predict"]["requests_per_s"], 1e-9)
        print(f"  tf.function / model.predict: {ratio:.1f}x requests per second")
        results["service"] = {**runs, "ratio": round(ratio, 1)}
    if "knn" in parts:
        print(f"kNN: GloVe 400k x 50, {args.queries} queries (ball tree: {args.tree_queries}), k=10", flush=True)
        results["knn"] = knn_benchmark(args.tree_queries, args.queries)
        print(f"  HNSW / ball tree: {results['knn']['hnsw_vs_ball_tree']}x queries per second")
    if "postgres" in parts:
        print("Postgres: 400,000 GloVe vectors as cube", flush=True)
        results["postgres"] = postgres_benchmark()
        print(f"  {results['postgres']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
