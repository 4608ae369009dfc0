"""cookbook.serving.distributed: TF_CONFIG per worker, and two local workers under
MultiWorkerMirroredStrategy following the single-process loss; a failing or hanging worker is
killed and reported instead of blocking."""

import json
import time

import pytest

from cookbook.serving import distributed


def test_tf_config_and_ports():
    ports = distributed.free_ports(3)
    assert len(set(ports)) == 3
    hosts = [f"127.0.0.1:{p}" for p in ports]
    configs = [distributed.tf_config(hosts, i) for i in range(3)]
    assert all(c["cluster"] == {"worker": hosts} for c in configs)
    assert [c["task"] for c in configs] == [{"type": "worker", "index": i} for i in range(3)]
    json.dumps(configs)
    with pytest.raises(ValueError):
        distributed.start(lambda s: {}, strategy="parameter_server")
    with pytest.raises(ValueError):
        distributed.start(lambda s: {}, strategy="default", workers=2)


def _train(strategy, limit=256, epochs=2, batch=32):
    import keras
    import numpy as np
    import tensorflow as tf

    from cookbook.generative import digits

    (x, y), _ = digits.split(*digits.load_digits(), limit=limit)
    keras.utils.set_random_seed(0)
    data = tf.data.Dataset.from_tensor_slices((x.reshape(len(x), -1), y)).batch(batch, drop_remainder=True)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    batches = strategy.experimental_distribute_dataset(data.with_options(options))
    with strategy.scope():
        model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
        opt = keras.optimizers.SGD(0.2)
        opt.build(model.trainable_variables)
    xent = keras.losses.SparseCategoricalCrossentropy(reduction=None)

    @tf.function
    def step(xb, yb):
        def replica(xr, yr):
            with tf.GradientTape() as tape:
                loss = tf.nn.compute_average_loss(xent(yr, model(xr)), global_batch_size=batch)
            opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            return loss
        return strategy.reduce("SUM", strategy.run(replica, (xb, yb)), axis=None)

    return {"loss": [float(np.mean([step(a, b) for a, b in batches])) for _ in range(epochs)]}


def test_two_workers_follow_one_process():
    single = distributed.start(_train, strategy="default", timeout_s=240)
    pair = distributed.start(_train, strategy="multiworker", workers=2, timeout_s=240)
    one, (w0, w1) = single.result()[0], pair.result()
    assert one["replicas"] == 1 and w0["replicas"] == w1["replicas"] == 2
    assert one["loss"][-1] < one["loss"][0]
    assert w0["loss"] == pytest.approx(one["loss"], rel=1e-4)
    assert w1["loss"] == pytest.approx(w0["loss"], rel=1e-6)
    assert w0["pid"] != w1["pid"]


def _boom(strategy):
    raise RuntimeError("worker exploded on purpose")


def _hang(strategy):
    time.sleep(120)


def test_failing_worker_is_reported():
    with pytest.raises(distributed.WorkerFailed, match="exploded on purpose"):
        distributed.run(_boom, timeout_s=120)


def test_hanging_workers_are_killed():
    started = time.monotonic()
    job = distributed.start(_hang, strategy="multiworker", workers=2, timeout_s=3)
    with pytest.raises(distributed.WorkerFailed, match="still running"):
        job.result()
    assert time.monotonic() - started < 30
    assert all(proc.poll() is not None for proc, _ in job.procs)
