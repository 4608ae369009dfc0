"""Scaling out (chapter 16, part 2): run a training function under a ``tf.distribute`` strategy in
fresh worker processes on this machine.

    results = distributed.run(train, strategy="multiworker", workers=2)

``train(strategy) -> dict`` is pickled by value (cloudpickle, so a function defined in a notebook
travels too) and called in each worker, after the worker has set up what the strategy needs:

* ``"default"``: one process, no distribution (the baseline);
* ``"mirrored"``: one process, ``MirroredStrategy`` over ``logical_cpus`` logical CPU devices
  (logical devices must be declared before TensorFlow starts, hence the fresh process);
* ``"multiworker"``: ``workers`` processes, each with its own ``TF_CONFIG`` naming the whole
  cluster (``127.0.0.1`` and free ports) and its own index, running ``MultiWorkerMirroredStrategy``.

Every worker has a deadline; if one fails or hangs, all of them are killed (a collective op would
otherwise wait for the missing peer forever) and the error carries the failing worker's log.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from .service import PACKAGE_ROOT, child_pythonpath, free_ports  # noqa: F401 (free_ports: public here too)

STRATEGIES = ("default", "mirrored", "multiworker")


class WorkerFailed(RuntimeError):
    """A worker exited with an error or ran past its deadline."""


def tf_config(hosts: list[str], index: int, role: str = "worker") -> dict:
    """The ``TF_CONFIG`` of worker ``index``: the same cluster list everywhere, a different task.
    On a real cluster ``hosts`` are the machines' ``host:port`` (one line per host)."""
    return {"cluster": {role: list(hosts)}, "task": {"type": role, "index": index}}


class Job:
    """Worker processes started by :func:`start`; :meth:`result` waits for them (and cleans up)."""

    def __init__(self, procs, tmp: tempfile.TemporaryDirectory, timeout_s: float):
        self.procs, self._tmp, self.timeout_s = procs, tmp, timeout_s
        self.deadline = time.monotonic() + timeout_s

    def result(self) -> list[dict]:
        folder = Path(self._tmp.name)
        try:
            _wait_all(self.procs, folder, self.deadline, self.timeout_s)
            return [json.loads((folder / f"result{i}.json").read_text()) for i in range(len(self.procs))]
        finally:
            self.kill()
            self._tmp.cleanup()

    def kill(self) -> None:
        for proc, log in self.procs:
            _kill(proc)
            log.close()


def start(fn: Callable, *, strategy: str = "default", workers: int = 1, logical_cpus: int = 2,
          threads: int | None = None, timeout_s: float = 300, env: dict | None = None) -> Job:
    """Start ``fn(strategy_object)`` in fresh worker processes and return at once; several jobs
    can run side by side. ``threads`` caps TensorFlow's op threads per worker (default: the
    machine's cores shared among the workers)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    if strategy != "multiworker" and workers != 1:
        raise ValueError(f"strategy {strategy!r} runs in one process (workers=1)")
    threads = threads or max(1, (os.cpu_count() or 1) // workers)
    hosts = [f"127.0.0.1:{p}" for p in free_ports(workers)] if strategy == "multiworker" else []
    holder = tempfile.TemporaryDirectory(prefix="dlcb-workers-")
    tmp = Path(holder.name)
    (tmp / "fn.pkl").write_bytes(_pickle(fn))
    procs = []
    try:
        for i in range(workers):
            child_env = {**os.environ, **(env or {}), "TF_CPP_MIN_LOG_LEVEL": "3",
                         "PYTHONPATH": child_pythonpath()}
            child_env.pop("TF_CONFIG", None)
            if hosts:
                child_env["TF_CONFIG"] = json.dumps(tf_config(hosts, i))
            log = open(tmp / f"worker{i}.log", "wb")
            cmd = [sys.executable, "-m", "cookbook.serving.distributed", str(tmp / "fn.pkl"),
                   str(tmp / f"result{i}.json"), strategy, str(logical_cpus), str(threads)]
            procs.append((subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=child_env,
                                           cwd=str(PACKAGE_ROOT), start_new_session=True), log))
    except BaseException:
        Job(procs, holder, timeout_s).kill()
        holder.cleanup()
        raise
    return Job(procs, holder, timeout_s)


def _pickle(fn: Callable) -> bytes:
    """Pickle ``fn`` by value unless it lives in the cookbook package (which workers can import):
    a function from a notebook, a script or a test module travels with its code."""
    import cloudpickle

    module = sys.modules.get(getattr(getattr(fn, "func", fn), "__module__", "") or "")
    by_value = module is not None and module.__name__ not in ("__main__", "builtins") \
        and not module.__name__.startswith("cookbook")
    if by_value:
        cloudpickle.register_pickle_by_value(module)
    try:
        return cloudpickle.dumps(fn)
    finally:
        if by_value:
            cloudpickle.unregister_pickle_by_value(module)


def run(fn: Callable, **kwargs) -> list[dict]:
    """:func:`start` and wait: each worker's result (a JSON-serialisable dict), worker 0 first."""
    return start(fn, **kwargs).result()


def _wait_all(procs, tmp: Path, deadline: float, timeout_s: float) -> None:
    while True:
        codes = [p.poll() for p, _ in procs]
        for i, code in enumerate(codes):
            if code not in (None, 0):
                raise WorkerFailed(f"worker {i} exited with {code}:\n{_tail(tmp / f'worker{i}.log')}")
        if all(code == 0 for code in codes):
            return
        if time.monotonic() > deadline:
            raise WorkerFailed(f"workers still running after {timeout_s:.0f} s (killed); worker 0 log:\n"
                               f"{_tail(tmp / 'worker0.log')}")
        time.sleep(0.2)


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)


def make_strategy(kind: str, logical_cpus: int = 2):
    """The strategy object of ``kind``; call before anything else has started TensorFlow."""
    import tensorflow as tf

    if kind == "mirrored":
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(logical_cpus)])
        return tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(logical_cpus)])
    if kind == "multiworker":
        options = tf.distribute.experimental.CommunicationOptions(
            implementation=tf.distribute.experimental.CommunicationImplementation.RING)
        return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    return tf.distribute.get_strategy()


def _worker_main(argv: list[str]) -> None:
    fn_path, result_path, kind, logical_cpus, threads = argv
    import cloudpickle

    from cookbook import env

    env.quiet_tensorflow()
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(int(threads))
    tf.config.threading.set_inter_op_parallelism_threads(int(threads))
    strategy = make_strategy(kind, int(logical_cpus))
    fn = cloudpickle.loads(Path(fn_path).read_bytes())
    started = time.perf_counter()
    result = dict(fn(strategy) or {})
    result.setdefault("seconds", time.perf_counter() - started)
    result.setdefault("replicas", strategy.num_replicas_in_sync)
    result.setdefault("pid", os.getpid())
    Path(result_path).write_text(json.dumps(result))


if __name__ == "__main__":
    _worker_main(sys.argv[1:])
