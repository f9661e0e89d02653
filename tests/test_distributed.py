"""Data-parallel training on Dask (`fit(..., cluster=...)`): equality with single-process
training, a worker killed mid-training, an unreachable scheduler.

One LocalCluster of 2 worker processes on 127.0.0.1 serves the module. The loss is defined in
a "notebook cell": its source is only in the driver's linecache and its module is not
importable, so the workers can compile it only from what srcgrad ships them.
"""
import linecache
import logging
import os
import signal
import socket
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import srcgrad  # noqa: E402
from srcgrad import optim  # noqa: E402
from srcgrad.distributed import ClusterError, engine  # noqa: E402

CELL = '''
def predict(params, x):
    h = np.tanh(x @ params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"]

def loss(params, x, y):
    return srcgrad.losses.softmax_cross_entropy(predict(params, x), y)

def accuracy(params, x, y):
    return np.mean(np.argmax(predict(params, x), axis=1) == y)
'''


def _cell() -> dict:
    filename = "<notebook-cell-srcgrad-test>"
    linecache.cache[filename] = (len(CELL), None, CELL.splitlines(True), filename)
    namespace = {"__name__": "__notebook__", "np": np, "srcgrad": srcgrad}
    exec(compile(CELL, filename, "exec"), namespace)
    return namespace


CELL_NS = _cell()
LOSS, ACCURACY = CELL_NS["loss"], CELL_NS["accuracy"]


def _data(n: int = 300):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 6))
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1)
    return x, y


def _params():
    rng = np.random.default_rng(2)
    return {"W1": 0.5 * rng.normal(size=(6, 16)), "b1": np.zeros(16), "W2": 0.5 * rng.normal(size=(16, 3)),
            "b2": np.zeros(3)}


KW = dict(batch_size=64, epochs=2, seed=3, progress=False, metrics={"accuracy": ACCURACY})


def _close(a, b) -> None:
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       host="127.0.0.1", silence_logs=logging.CRITICAL)
    client = distributed.Client(cluster, timeout=30)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def two_workers(client):
    client.wait_for_workers(2, timeout=30)  # a killed worker is restarted by its nanny
    return client


def test_equals_single_process_training(two_workers):
    single, h1 = srcgrad.fit(LOSS, _params(), _data(), optimizer=optim.Adam(1e-2), micro_batch_size=16, **KW)
    params, h2 = srcgrad.fit(LOSS, _params(), _data(), optimizer=optim.Adam(1e-2), micro_batch_size=16,
                             cluster=two_workers, **KW)
    _close(single, params)
    assert h2.step["size"] == h1.step["size"] and len(h2.loss) == 10
    np.testing.assert_allclose(h2.loss, h1.loss, rtol=1e-12)
    np.testing.assert_allclose(h2.epoch["accuracy"], h1.epoch["accuracy"], rtol=1e-12)
    # Each step: the parameters out to each of 2 shards, their gradients back, plus row numbers and scalars.
    param_bytes = sum(p.nbytes for p in _params().values())
    full = 2 * 2 * param_bytes + 64 * 8 + 2 * 16
    assert h2.step["bytes"][0] == full


def test_batch_source_and_scheduler_address(two_workers):
    x, y = _data(100)

    def batches():
        return [(x[i:i + 32], y[i:i + 32]) for i in range(0, 100, 32)]

    single, _ = srcgrad.fit(LOSS, _params(), batches, epochs=2, optimizer=optim.SGD(0.1, momentum=0.9),
                            progress=False)
    params, history = srcgrad.fit(LOSS, _params(), batches, epochs=2, optimizer=optim.SGD(0.1, momentum=0.9),
                                  progress=False, cluster=two_workers.scheduler.address)
    _close(single, params)
    assert len(history.step["bytes"]) == 8


def test_an_error_in_the_loss_on_a_worker_is_raised_as_is(two_workers):
    namespace = dict(CELL_NS)
    src = "def bad(params, x, y):\n    return np.sum(params['W1'][x.astype(int)] / 0.0) + undefined_name\n"
    filename = "<notebook-cell-srcgrad-test-bad>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    exec(compile(src, filename, "exec"), namespace)
    with pytest.raises(NameError, match="undefined_name"):
        srcgrad.fit(namespace["bad"], _params(), _data(), cluster=two_workers, **{**KW, "metrics": {}})


def test_a_killed_worker_is_survived(two_workers, caplog):
    single, h1 = srcgrad.fit(LOSS, _params(), _data(), optimizer=optim.Adam(1e-2), **KW)
    pids = two_workers.run(os.getpid)
    killed = []

    def kill(state):
        if state.step == 3:
            os.kill(pids[max(pids)], signal.SIGKILL)
            killed.append(max(pids))

    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="srcgrad.distributed"):
        params, h2 = srcgrad.fit(LOSS, _params(), _data(), optimizer=optim.Adam(1e-2), cluster=two_workers,
                                 callbacks=[kill], **KW)
    assert killed and time.monotonic() - start < 30
    assert "a worker was lost" in caplog.text
    _close(single, params)
    np.testing.assert_allclose(h2.epoch["loss"], h1.epoch["loss"], rtol=1e-12)


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    srcgrad.fit(LOSS, _params(), _data(), optimizer=optim.SGD(0.1), checkpoint=path, **{**KW, "epochs": 1})
    before = path.read_bytes()
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", 3.0)
    start = time.monotonic()
    with pytest.raises(ClusterError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}") as info:
        srcgrad.fit(LOSS, _params(), _data(), optimizer=optim.SGD(0.1), checkpoint=path, resume=True,
                    cluster=f"tcp://127.0.0.1:{port}", **KW)
    assert isinstance(info.value, srcgrad.SrcgradError)
    assert time.monotonic() - start < 10
    assert path.read_bytes() == before
