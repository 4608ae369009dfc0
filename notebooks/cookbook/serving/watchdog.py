"""Clean up after a process that dies without cleaning up (a notebook kernel killed by its
runner, a test worker that crashes): a small watcher process per server, started with it, that
waits for its parent to disappear and then stops the server and deletes its files.

    python -m cookbook.serving.watchdog PARENT_PID '{"kill": 1234}'
    python -m cookbook.serving.watchdog PARENT_PID '{"run": ["pg_ctl", ...], "rmtree": "/tmp/..."}'

The normal path (context manager, ``stop()``, ``atexit``) ends the watcher first.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # notebooks/, the folder holding cookbook/


def child_pythonpath() -> str:
    """``PYTHONPATH`` for a child process that imports ``cookbook`` (package root first)."""
    return os.pathsep.join(p for p in (str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")) if p)


def watch(parent: int, action: dict, poll_s: float = 0.5) -> None:
    while True:
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass
        time.sleep(poll_s)
    if action.get("run"):
        try:
            subprocess.run(action["run"], capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            pass
    if action.get("kill"):
        try:
            os.kill(int(action["kill"]), signal.SIGTERM)
        except ProcessLookupError:
            pass
    for path in action.get("remove", []):
        try:
            os.remove(path)
        except OSError:
            pass
    if action.get("rmtree"):
        shutil.rmtree(action["rmtree"], ignore_errors=True)


def spawn(action: dict) -> subprocess.Popen:
    """Start a watcher for the calling process; ``terminate()`` it once cleaned up normally."""
    env = {**os.environ, "PYTHONPATH": child_pythonpath()}
    return subprocess.Popen([sys.executable, "-m", "cookbook.serving.watchdog", str(os.getpid()), json.dumps(action)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, start_new_session=True)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C meant for the parent must not skip the cleanup
    watch(int(sys.argv[1]), json.loads(sys.argv[2]))
