"""Start and stop a real gunicorn on 127.0.0.1 (a free port) for the notebook, tests and benchmark.

    with service.serve("cookbook.serving.app:from_env()", env={"DLCB_SERVE_MODELS": "emoji"}) as srv:
        requests.post(srv.url + "/text/classify", json={"text": "red heart"})

The server is its own process group; :meth:`Server.stop` sends SIGTERM to the gunicorn master
(graceful: workers finish their request), then SIGKILL to the group if it is still there. It is
also stopped at interpreter exit.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from . import watchdog
from .watchdog import PACKAGE_ROOT, child_pythonpath  # noqa: F401 (public here too: serving.distributed)


def _no_control_socket() -> list[str]:
    """Recent gunicorns open a control socket in ``~/.gunicorn`` by default; several servers at
    once (tests, notebook, benchmark) would share that one path. Older ones have no such option."""
    try:
        from gunicorn import config

        return ["--no-control-socket"] if any(
            s.name == "control_socket_disable" for s in config.KNOWN_SETTINGS) else []
    except ImportError:
        return []


def free_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports on 127.0.0.1 that were free a moment ago (all sockets are held
    open together, so no port comes back twice)."""
    socks = []
    try:
        for _ in range(n):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [s.getsockname()[1] for s in socks]
    finally:
        for sock in socks:
            sock.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    return free_ports(1)[0]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path
    health: dict = field(default_factory=dict)
    ready_s: float = 0.0
    started: float = 0.0
    health_path: str = "/health"
    watcher: object = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout: float = 180) -> "Server":
        """Poll the health route until it answers 200; stop the server and raise if gunicorn
        exits or ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()[-2000:]}")
            try:
                status, body = get_json(self.url + self.health_path, timeout=2)
                if status == 200:
                    self.health, self.ready_s = body, time.perf_counter() - self.started
                    return self
            except (OSError, ValueError):
                pass
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"gunicorn not ready after {timeout:.0f} s:\n{self.log()[-2000:]}")

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(5)
        if self.watcher is not None:
            self.watcher.terminate()
            self.watcher.wait(5)
            self.watcher = None
        try:
            self.log_path.unlink()
        except OSError:
            pass
        try:
            atexit.unregister(self.stop)
        except Exception:  # noqa: BLE001
            pass


def get_json(url: str, timeout: float = 5.0) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def start(app: str = "cookbook.serving.app:from_env()", workers: int = 2,
          env: Mapping[str, str] | None = None, port: int | None = None, timeout_s: int = 30,
          ready_timeout: float = 180, health_path: str = "/health", wait: bool = True) -> Server:
    """Run ``gunicorn -w workers -b 127.0.0.1:PORT app`` and wait until ``health_path`` answers 200
    (``wait=False``: return at once and call :meth:`Server.wait_ready` later, so the workers load
    their models while the caller does other work). ``timeout_s`` is gunicorn's per-request
    limit: a worker stuck longer is killed and replaced."""
    port = port or free_port()
    log = Path(tempfile.mkstemp(prefix="dlcb-gunicorn-", suffix=".log")[1])
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
           "--timeout", str(timeout_s), "--graceful-timeout", "5", "--limit-request-line", "4094",
           "--limit-request-fields", "50", "--access-logfile", "-", "--log-level", "warning",
           *_no_control_socket(), app]
    child_env = {**os.environ, "PYTHONPATH": child_pythonpath(), "TF_CPP_MIN_LOG_LEVEL": "2",
                 **(env or {})}
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=child_env,
                                   cwd=str(PACKAGE_ROOT), start_new_session=True)
    server = Server(process, port, log, started=time.perf_counter(), health_path=health_path)
    atexit.register(server.stop)
    server.watcher = watchdog.spawn({"kill": process.pid, "remove": [str(log)]})
    if wait:
        server.wait_ready(ready_timeout)
    return server


@contextmanager
def serve(app: str = "cookbook.serving.app:from_env()", **kwargs):
    """``with serve(...) as server:`` - a started gunicorn, stopped on exit (errors included)."""
    server = start(app, **kwargs)
    try:
        yield server
    finally:
        server.stop()
