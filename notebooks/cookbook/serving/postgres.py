"""PostgreSQL for chapter 16: a throw-away server, fast loading, and nearest-neighbour SQL.

* :func:`start` / :func:`temporary_cluster` - a private cluster in a temporary folder (``initdb`` +
  ``pg_ctl``), reachable only through a unix socket in that folder (no TCP port), stopped and deleted
  on exit, after an exception too (context manager), and at interpreter exit (``atexit``). As root
  the server runs as the unprivileged ``postgres`` user (or ``nobody``): PostgreSQL refuses root.
* :func:`connect` - ``$DATABASE_URL`` when a reader has a server of their own, else a cluster.
* :func:`load_vectors` - binary ``COPY`` into a ``float4[]`` staging table, then ``cube`` column.
* :func:`nearest` - ``ORDER BY vec <-> cube(%s) LIMIT k`` with bound parameters only.

Nothing here builds SQL from values by string formatting: values are bound parameters and
table names go through :class:`psycopg.sql.Identifier`.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from . import watchdog

CUBE_MAX_DIM = 100  # compiled into the cube extension


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries were found."""


class UnknownWord(KeyError):
    """The query word is not in the table."""


def bindir() -> Path:
    """The folder with ``initdb``/``pg_ctl``/``postgres``: ``$DLCB_PG_BINDIR``, else
    ``pg_config --bindir``, else the newest ``/usr/lib/postgresql/*/bin`` (Debian), else PATH."""
    candidates = []
    if os.environ.get("DLCB_PG_BINDIR"):
        candidates.append(Path(os.environ["DLCB_PG_BINDIR"]))
    if shutil.which("pg_config"):
        try:
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
            candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                    key=lambda p: [int(x) for x in Path(p).parent.name.split(".") if x.isdigit()])
    candidates += [Path(p) for p in reversed(debian)]
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise PostgresMissing("PostgreSQL server programs (initdb, pg_ctl) not found: install Debian's "
                          "postgresql and postgresql-contrib (make system), set DLCB_PG_BINDIR, "
                          "or point DATABASE_URL at a server of your own")


def _server_user() -> str | None:
    """The unprivileged account to run the server as when we are root (None when not root)."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresMissing("running as root and neither a 'postgres' nor a 'nobody' account exists")


@dataclass
class Cluster:
    """A running throw-away PostgreSQL cluster; :meth:`stop` ends it and deletes its folder."""

    root: Path
    bindir: Path
    user: str | None
    port: int = 5432
    dbname: str = "postgres"
    pid: int | None = None
    started_s: float = 0.0
    _stopped: bool = field(default=False, repr=False)
    _watcher: object = field(default=None, repr=False)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def log(self) -> Path:
        return self.socket_dir / "server.log"

    @property
    def conninfo(self) -> str:
        return f"host={self.socket_dir} port={self.port} user=postgres dbname={self.dbname}"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def connect(self, **kwargs):
        import psycopg

        return psycopg.connect(self.conninfo, **kwargs)

    def running(self) -> bool:
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # a zombie (exited, not yet reaped) or a recycled pid is not our server
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return False
        state = next((line.split()[1] for line in status.splitlines() if line.startswith("State:")), "")
        return "postgres" in status.splitlines()[0] and state not in ("Z", "X")

    def stop(self) -> None:
        """Fast shutdown, then SIGKILL if it lingers; the folder is removed in any case."""
        if self._stopped:
            return
        self._stopped = True
        try:
            if self.data.exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "20", "stop", timeout=30)
        except (OSError, subprocess.SubprocessError):
            pass
        deadline = time.monotonic() + 5
        while self.running() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.running():
            try:
                os.kill(self.pid, signal.SIGKILL)
                time.sleep(0.2)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
        if self._watcher is not None:
            self._watcher.terminate()
            self._watcher.wait(5)
        try:
            atexit.unregister(self.stop)
        except Exception:  # noqa: BLE001
            pass


def start(settings: dict | None = None, port: int = 5432) -> Cluster:
    """Create and start a private cluster in a fresh temporary folder (about 2 s)."""
    binaries = bindir()
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="dlcb-pg-"))
    cluster = Cluster(root, binaries, user, port)
    atexit.register(cluster.stop)
    try:
        started = time.perf_counter()
        for sub in ("data", "sock"):
            (root / sub).mkdir(mode=0o700)
        if user:
            import pwd

            entry = pwd.getpwnam(user)
            os.chmod(root, 0o711)  # the server account must traverse the folder
            for sub in ("data", "sock"):
                os.chown(root / sub, entry.pw_uid, entry.pw_gid)
        init = cluster._run("initdb", "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
                            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", timeout=120)
        if init.returncode:
            raise RuntimeError(f"initdb failed: {init.stderr.strip()[-800:]}")
        options = {"listen_addresses": "''", "unix_socket_directories": f"'{cluster.socket_dir}'",
                   "port": str(port), "fsync": "off", "synchronous_commit": "off",
                   "full_page_writes": "off", "shared_buffers": "128MB",
                   "maintenance_work_mem": "256MB", **(settings or {})}
        opts = " ".join(f"-c {k}={v}" for k, v in options.items())
        run = cluster._run("pg_ctl", "-D", str(cluster.data), "-l", str(cluster.log), "-w",
                           "-t", "60", "-o", opts, "start", timeout=90)
        if run.returncode:
            log = cluster.log.read_text(errors="replace")[-800:] if cluster.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {run.stderr.strip()[-400:]} {log}")
        cluster.pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
        stop_cmd = [str(binaries / "pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "-w", "stop"]
        cluster._watcher = watchdog.spawn({"run": (["runuser", "-u", user, "--"] if user else []) + stop_cmd,
                                           "rmtree": str(root)})
        cluster.started_s = time.perf_counter() - started
        return cluster
    except BaseException:
        cluster.stop()
        raise


@contextmanager
def temporary_cluster(settings: dict | None = None):
    """``with temporary_cluster() as cluster:`` - stopped and deleted on exit, errors included."""
    cluster = start(settings)
    try:
        yield cluster
    finally:
        cluster.stop()


def connect(cluster: Cluster | None = None, **kwargs):
    """A psycopg 3 connection: to ``cluster``, else to ``$DATABASE_URL``."""
    import psycopg

    if cluster is not None:
        return cluster.connect(**kwargs)
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise PostgresMissing("no cluster given and DATABASE_URL is not set")
    return psycopg.connect(url, **kwargs)


# ------------------------------------------------------------------------------------------------
# vectors in tables


def load_vectors(conn, table: str, names: Sequence[str], vectors: np.ndarray,
                 gist: bool = False) -> dict:
    """Create ``table (id int, name text, vec cube)`` from ``vectors`` (at most 100 columns).
    Binary ``COPY`` into an unlogged ``float4[]`` staging table, then ``cube(arr::float8[])`` in
    SQL: the per-value text formatting of a text COPY would take most of the time. Returns
    timings (seconds) and sizes."""
    from psycopg import sql

    vectors = np.asarray(vectors, np.float32)
    if vectors.ndim != 2 or len(vectors) != len(names):
        raise ValueError("need one vector (a row) per name")
    if vectors.shape[1] > CUBE_MAX_DIM:
        raise ValueError(f"cube holds at most {CUBE_MAX_DIM} dimensions, not {vectors.shape[1]}: "
                         "reduce the vectors first (e.g. TruncatedSVD)")
    t, stage = sql.Identifier(table), sql.Identifier(table + "_stage")
    timings = {}
    with conn.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS cube")
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}, {}").format(t, stage))
        cur.execute(sql.SQL("CREATE UNLOGGED TABLE {} (id int4, name text, arr float4[])").format(stage))
        started = time.perf_counter()
        with cur.copy(sql.SQL("COPY {} (id, name, arr) FROM STDIN (FORMAT BINARY)").format(stage)) as copy:
            copy.set_types(["int4", "text", "float4[]"])
            for i, (name, row) in enumerate(zip(names, vectors)):
                copy.write_row((i, str(name), row.tolist()))
        timings["copy_s"] = time.perf_counter() - started
        started = time.perf_counter()
        cur.execute(sql.SQL("CREATE TABLE {} AS SELECT id, name, cube(arr::float8[]) AS vec "
                            "FROM {} ORDER BY id").format(t, stage))
        cur.execute(sql.SQL("DROP TABLE {}").format(stage))
        cur.execute(sql.SQL("CREATE UNIQUE INDEX ON {} (name)").format(t))
        timings["cube_s"] = time.perf_counter() - started
        if gist:
            timings["gist_s"] = create_gist(cur, table)
        cur.execute(sql.SQL("ANALYZE {}").format(t))
        cur.execute("SELECT pg_total_relation_size(%s::regclass)", (t.as_string(conn),))
        timings["bytes"] = cur.fetchone()[0]
    conn.commit()
    return timings


def create_gist(cur, table: str) -> float:
    """``CREATE INDEX <table>_vec_gist ON <table> USING gist (vec)`` on cursor ``cur`` (the caller
    commits); returns the seconds it took."""
    from psycopg import sql

    started = time.perf_counter()
    cur.execute(sql.SQL("CREATE INDEX {} ON {} USING gist (vec)").format(
        sql.Identifier(table + "_vec_gist"), sql.Identifier(table)))
    return time.perf_counter() - started


def vector_of(conn, table: str, name: str) -> list[float]:
    """The stored vector of ``name`` (:class:`UnknownWord` when it is not in the table)."""
    from psycopg import sql

    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT vec::text FROM {} WHERE name = %s").format(sql.Identifier(table)),
                    (name,))
        row = cur.fetchone()
    if row is None:
        raise UnknownWord(name)
    return [float(x) for x in row[0].strip("()").split(",")]


NEAREST_SQL = "SELECT id, name, vec <-> cube(%s::float8[]) AS distance FROM {} ORDER BY vec <-> cube(%s::float8[]) LIMIT %s"


def nearest(conn, table: str, query, k: int = 10) -> list[tuple[int, str, float]]:
    """The ``k`` rows nearest to ``query`` (a vector, or a name stored in the table) by Euclidean
    distance, nearest first: ``(id, name, distance)``."""
    from psycopg import sql

    vec = vector_of(conn, table, query) if isinstance(query, str) else [float(x) for x in query]
    with conn.cursor() as cur:
        cur.execute(sql.SQL(NEAREST_SQL).format(sql.Identifier(table)), (vec, vec, int(k)))
        return [(int(i), n, float(d)) for i, n, d in cur.fetchall()]


def explain(conn, table: str, query, k: int = 10) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of :func:`nearest`'s query, one line per plan row."""
    from psycopg import sql

    vec = vector_of(conn, table, query) if isinstance(query, str) else [float(x) for x in query]
    with conn.cursor() as cur:
        cur.execute(sql.SQL("EXPLAIN (ANALYZE, BUFFERS) " + NEAREST_SQL).format(sql.Identifier(table)),
                    (vec, vec, int(k)))
        return [row[0] for row in cur.fetchall()]


def query_latency(conn, table: str, queries: np.ndarray, k: int = 10) -> tuple[float, list]:
    """Median seconds per :func:`nearest` call over ``queries`` (vectors) and the results."""
    times, results = [], []
    for q in queries:
        started = time.perf_counter()
        results.append(nearest(conn, table, q, k))
        times.append(time.perf_counter() - started)
    return float(np.median(times)), results
