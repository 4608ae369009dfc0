"""cookbook.serving.postgres: a real throw-away PostgreSQL server (one per module), nearest
neighbours in SQL equal to numpy's exact top-k on real GloVe vectors, parameters only (an
injection string is just a word), and nothing left behind after a failure."""

import os

import numpy as np
import pytest

from cookbook.serving import knn, postgres


def _has_postgres() -> bool:
    try:
        postgres.bindir()
        return True
    except postgres.PostgresMissing:
        return False


pytestmark = pytest.mark.skipif(not _has_postgres() and not os.environ.get("CI"),
                                reason="PostgreSQL server programs not installed (make system)")


@pytest.fixture(scope="module")
def cluster():
    with postgres.temporary_cluster() as running:
        yield running
    assert not running.running() and not running.root.exists()


@pytest.fixture(scope="module")
def glove_table(cluster):
    words, vectors = knn.glove(5000)
    with cluster.connect() as conn:
        timings = postgres.load_vectors(conn, "words", words, vectors, gist=True)
    return words, vectors, timings


def test_server_listens_on_a_unix_socket_only(cluster):
    assert cluster.running() and cluster.socket_dir.is_dir()
    with cluster.connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW listen_addresses")
        assert cur.fetchone()[0] == ""
        cur.execute("SELECT current_setting('unix_socket_directories')")
        assert cur.fetchone()[0] == str(cluster.socket_dir)
    if os.geteuid() == 0:  # as root the server runs as an unprivileged account
        assert cluster.user in ("postgres", "nobody")
        assert os.stat(cluster.data).st_uid != 0


def test_nearest_equals_numpy_exact_top_k(cluster, glove_table):
    words, vectors, timings = glove_table
    assert timings["bytes"] > 0 and "gist_s" in timings
    probe = [words.index(w) for w in ("king", "paris", "music", "water", "red", "computer")]
    _, truth = knn.exact_neighbours(vectors, vectors[probe], 10)
    with cluster.connect() as conn:
        found = [[i for i, _, _ in postgres.nearest(conn, "words", vectors[p], 10)] for p in probe]
        by_name = postgres.nearest(conn, "words", "king", 3)
        plan = "\n".join(postgres.explain(conn, "words", "king"))
    assert knn.recall_at_k(np.array(found), truth) >= 0.99
    assert by_name[0][1] == "king" and by_name[0][2] == pytest.approx(0.0, abs=1e-6)
    assert "Index Scan using words_vec_gist" in plan


@pytest.mark.parametrize("attack", ["'; DROP TABLE words; --", "king' OR '1'='1", "x\\'; SELECT pg_sleep(5); --"])
def test_an_injection_string_is_only_a_word(cluster, glove_table, attack):
    with cluster.connect() as conn:
        with pytest.raises(postgres.UnknownWord):
            postgres.nearest(conn, "words", attack, 5)
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM words")
            assert cur.fetchone()[0] == len(glove_table[0])


def test_a_table_name_is_quoted_as_an_identifier(cluster):
    with cluster.connect() as conn:
        postgres.load_vectors(conn, 'odd "name"; --', ["a", "b"], np.eye(2, dtype=np.float32))
        assert [n for _, n, _ in postgres.nearest(conn, 'odd "name"; --', "a", 2)] == ["a", "b"]


def test_cube_refuses_more_than_100_dimensions(cluster):
    with cluster.connect() as conn:
        with pytest.raises(ValueError, match="at most 100"):
            postgres.load_vectors(conn, "wide", ["a"], np.zeros((1, 101), np.float32))


def test_a_failure_leaves_no_server_and_no_folder():
    with pytest.raises(ZeroDivisionError):
        with postgres.temporary_cluster() as doomed:
            root = doomed.root
            assert doomed.running() and root.exists()
            1 / 0
    assert not doomed.running() and not root.exists()
    doomed.stop()  # a second stop is harmless


def test_a_failed_start_cleans_up(monkeypatch):
    created = []
    real_mkdtemp = postgres.tempfile.mkdtemp
    monkeypatch.setattr(postgres.tempfile, "mkdtemp",
                        lambda **kw: created.append(real_mkdtemp(**kw)) or created[-1])
    with pytest.raises(RuntimeError, match="pg_ctl start failed|initdb failed"):
        postgres.start(settings={"shared_buffers": "not-a-size"})
    assert len(created) == 1 and not os.path.exists(created[0])


def test_connect_needs_a_cluster_or_database_url(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(postgres.PostgresMissing, match="DATABASE_URL"):
        postgres.connect()


def test_a_killed_owner_leaves_no_server_behind(tmp_path):
    """The owner process dies without any cleanup (SIGKILL): the watcher stops the server."""
    import subprocess
    import sys
    import time

    script = ("import sys, time\nfrom cookbook.serving import postgres\n"
              "c = postgres.start()\nprint(c.pid, c.root, flush=True)\ntime.sleep(600)\n")
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pid, root = owner.stdout.readline().split()
    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and os.path.exists(root):
        time.sleep(0.2)
    assert not os.path.exists(root)
    probe = postgres.Cluster(root=tmp_path, bindir=postgres.bindir(), user=None, pid=int(pid))
    assert not probe.running()
