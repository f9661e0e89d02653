"""Failures of `fit` name the user's file, argument or function and say what to do; nothing is lost.

Damaged checkpoints, a checkpoint directory that does not exist, temporary files of a killed
writer, a list where a tuple was meant, Ctrl-C, an optimizer that differs from the checkpoint's,
and on Dask: a malformed address, a killed scheduler, a loss module the workers cannot import.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad import optim
from srcgrad.errors import CheckpointError, SrcgradError
from srcgrad.train import fit, load_checkpoint, save_checkpoint
from srcgrad.train.checkpoint import remove_stale_temporaries
from train_models import blobs, init_params, xent_loss, xent_value_and_grad

X, Y = blobs(n=60)
TESTS = Path(__file__).parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS.parent), str(TESTS), os.environ.get("PYTHONPATH", "")])}


def run(**kw):
    kw.setdefault("optimizer", optim.Adam(0.05))
    kw.setdefault("epochs", 1)
    kw.setdefault("data", (X, Y))
    kw.setdefault("value_and_grad", xent_value_and_grad)
    return fit(xent_loss, init_params(), kw.pop("data"), batch_size=8, progress=False, **kw)


def counting(calls):
    """xent_value_and_grad, counting its calls in `calls`."""
    def vg(params, x, y):
        calls.append(len(x))
        return xent_value_and_grad(params, x, y)

    return vg


def same(a, b):
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


# -- 1. damaged checkpoints ----------------------------------------------------------------

def _damage(good: bytes, how: str) -> bytes:
    if how == "truncated":
        return good[:len(good) // 2]
    if how == "empty":
        return b""
    if how == "garbage":
        return np.random.default_rng(0).bytes(500)
    where = {"flip-param": 100, "flip-meta": len(good) // 2, "flip-directory": len(good) - 60}[how]
    flipped = bytearray(good)
    flipped[where] ^= 0xFF
    return bytes(flipped)


@pytest.mark.parametrize("how", ["truncated", "empty", "garbage", "flip-param", "flip-meta", "flip-directory"])
def test_a_damaged_checkpoint_is_named_and_left_alone(tmp_path, how):
    path = tmp_path / "run.npz"
    run(checkpoint=path)
    path.write_bytes(_damage(path.read_bytes(), how))
    before = path.read_bytes()
    params, calls = init_params(), []
    with pytest.raises(CheckpointError) as info:
        fit(xent_loss, params, (X, Y), batch_size=8, epochs=2, checkpoint=path, resume=True,
            value_and_grad=counting(calls), optimizer=optim.Adam(0.05), progress=False)
    message = str(info.value)
    assert isinstance(info.value, SrcgradError) and isinstance(info.value, ValueError)
    assert f"checkpoint {path} is damaged" in message
    assert "earlier copy" in message and "delete it" in message and "resume=False" in message
    assert "pickle" not in message.lower()  # never the advice to unpickle a corrupt file
    assert info.value.__cause__ is None and info.value.__suppress_context__  # nor NumPy's, in the chain
    assert path.read_bytes() == before and calls == []
    same(params, init_params())


def test_every_flipped_byte_is_an_error_or_changes_nothing(tmp_path):
    path = tmp_path / "run.npz"
    run(checkpoint=path, optimizer=optim.SGD(0.1, momentum=0.9))
    good = path.read_bytes()
    leaves, opt, meta = load_checkpoint(path)
    positions = sorted(set(range(0, len(good), 13)) | set(range(len(good) - 500, len(good))))
    errors = 0
    for i in positions:  # the zip directory at the end holds the names: a changed name must not lose an entry
        flipped = bytearray(good)
        flipped[i] ^= 0xFF
        path.write_bytes(bytes(flipped))
        try:
            leaves2, opt2, meta2 = load_checkpoint(path)
        except CheckpointError:
            errors += 1
            continue
        assert meta2 == meta and opt2.keys() == opt.keys(), i
        for a, b in zip([*leaves, *opt.values()], [*leaves2, *opt2.values()], strict=True):
            np.testing.assert_array_equal(a, b)
    assert errors > 0.8 * len(positions)


def test_a_file_that_is_not_a_srcgrad_checkpoint(tmp_path):
    path = tmp_path / "weights.npz"
    np.savez(path, W=np.ones(3))
    with pytest.raises(CheckpointError, match=r"weights.npz is not a srcgrad checkpoint.*holds: W"):
        run(checkpoint=path, resume=True)
    assert sorted(np.load(path).files) == ["W"]


# -- 2. the checkpoint's directory, and temporary files of a killed writer --------------------

def test_a_missing_checkpoint_directory_fails_before_training(tmp_path):
    calls = []
    path = tmp_path / "runs" / "run.npz"
    with pytest.raises(CheckpointError) as info:
        run(checkpoint=path, value_and_grad=counting(calls))
    message = str(info.value)
    assert f"checkpoint={str(path)!r}: the directory {str(tmp_path / 'runs')!r} does not exist" in message
    assert f"os.makedirs({str(tmp_path / 'runs')!r}, exist_ok=True)" in message and "Nothing was trained" in message
    assert ".tmp" not in message and calls == []
    with pytest.raises(CheckpointError, match="is a directory, not a file"):
        run(checkpoint=tmp_path)
    assert os.listdir(tmp_path) == []


KILLED_WRITER = """
import sys, time
import numpy as np
from srcgrad.train import save_checkpoint

def half_written(f, **arrays):
    f.write(b"PK half a checkpoint")
    f.flush()
    print("writing", flush=True)
    time.sleep(60)

np.savez = half_written
save_checkpoint(sys.argv[1], [np.zeros(3)], {}, {"n_params": 1})
"""


def test_temporary_files_of_a_killed_writer_are_removed_by_the_next_save(tmp_path):
    path = tmp_path / "run.npz"
    run(checkpoint=path)
    before = path.read_bytes()
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=ENV, text=True)
    try:
        assert writer.stdout.readline() == "writing\n", writer.stderr.read()
        temporary = [n for n in os.listdir(tmp_path) if n != "run.npz"]
        assert len(temporary) == 1 and temporary[0].startswith(f".run.npz.{writer.pid}.")
        assert remove_stale_temporaries(path) == []  # its writer is still running: kept
    finally:
        writer.kill()
        writer.wait(timeout=10)
    assert path.read_bytes() == before  # the killed writer's checkpoint is the previous one, whole
    assert sorted(os.listdir(tmp_path)) == sorted(["run.npz", *temporary])
    run(checkpoint=path, resume=True, epochs=2)
    assert os.listdir(tmp_path) == ["run.npz"]


# -- 3. a list where a tuple was meant --------------------------------------------------------

def loss_xy(params, x, y):
    return srcgrad.losses.softmax_cross_entropy(x @ params["W"] + params["b"], y)


def loss_x(params, x):
    z = x @ params["W"] + params["b"]
    return np.mean(z * z)


def test_a_list_of_arrays_for_a_loss_of_x_and_y_is_refused_before_training():
    params = init_params()
    with pytest.raises(TypeError) as info:
        fit(loss_xy, params, [X, Y], batch_size=8, progress=False)
    message = str(info.value)
    assert message.startswith("data is a list, which fit reads as a stream of ready-made batches")
    assert "a single array of shape (60, 4)" in message
    assert f"loss_xy(params, x, y) ({__file__}, line" in message and "takes 2 data arguments" in message
    assert "data=(X, Y), not [X, Y]" in message and "[(x1, y1), (x2, y2), ...]" in message
    assert "<srcgrad" not in message  # not a TypeError from the generated code
    same(info.value.params, init_params())
    same(params, init_params())


def test_a_list_holding_one_array_warns_that_batch_size_is_not_used():
    with pytest.warns(UserWarning) as record:
        trained, history = fit(loss_x, init_params(), [X], batch_size=8, progress=False, optimizer=optim.SGD(0.1))
    message = str(record[0].message)
    assert record[0].filename == __file__  # the warning points at the call of fit
    assert "a single array of 60 examples, is one whole batch, so batch_size=8 and shuffle do not apply" in message
    assert "data=(X,), not [X]" in message and "[(x,) for x in batches]" in message
    assert history.step["size"] == [60]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(loss_x, init_params(), [(X[:30],), (X[30:],)], batch_size=8, progress=False)  # batch tuples: silent
        fit(loss_x, init_params(), [X[:8], X[8:16]], batch_size=8, progress=False)  # small batches: plausible


def test_wrong_number_of_arrays_and_a_list_for_val_data():
    calls = []
    with pytest.raises(TypeError, match=r"each batch of data holds 1 array, but loss_xy\(params, x, y\) \(.*line "
                                        r"\d+\) takes 2 data arguments"):
        fit(loss_xy, init_params(), (X,), value_and_grad=None, progress=False)
    with pytest.raises(TypeError, match=r"^val_data is a list, which fit reads as a stream"):
        fit(loss_xy, init_params(), (X, Y), val_data=[X, Y], value_and_grad=counting(calls), progress=False)
    assert calls == []  # refused before the first step, not after an epoch


# -- 4. Ctrl-C ----------------------------------------------------------------------------------

def test_ctrl_c_carries_the_parameters_reached(tmp_path):
    path = tmp_path / "run.npz"
    calls = []

    def vg(params, x, y):
        calls.append(1)
        if len(calls) == 6:
            signal.raise_signal(signal.SIGINT)  # as Ctrl-C: KeyboardInterrupt in the middle of step 6
        return xent_value_and_grad(params, x, y)

    params = init_params()
    # a process started in the background by a shell inherits SIGINT ignored: Ctrl-C needs Python's handler
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt) as info:
            fit(xent_loss, params, (X, Y), batch_size=8, epochs=3, value_and_grad=vg, optimizer=optim.Adam(0.05),
                checkpoint=path, checkpoint_every=4, progress=False)
    finally:
        signal.signal(signal.SIGINT, previous)
    err = info.value
    stopped, history = run(epochs=3, callbacks=[lambda state: setattr(state, "stop", state.step == 5)])
    same(err.params, stopped)  # the 5 steps done, bitwise; step 6 is not half applied
    assert len(err.history.loss) == 5 and err.history.loss == history.loss
    if sys.version_info >= (3, 11):
        assert "params = err.params" in "\n".join(err.__notes__)
    same(params, init_params())
    leaves, _, meta = load_checkpoint(path)  # the checkpoint of step 4 is whole
    assert meta["step"] == 4


# -- 5. resuming with other optimizer settings -----------------------------------------------------

def test_resuming_sgd_with_momentum_names_the_setting_and_the_file(tmp_path):
    path = tmp_path / "run.npz"
    run(checkpoint=path, optimizer=optim.SGD(0.1))
    before = path.read_bytes()
    with pytest.raises(CheckpointError) as info:
        run(checkpoint=path, resume=True, epochs=2, optimizer=optim.SGD(0.1, momentum=0.9))
    message = str(info.value)
    assert f"cannot resume from checkpoint {path}: it was saved with SGD(momentum=0.0) and this run has " \
           "SGD(momentum=0.9), so its optimizer state has no momentum buffers to continue from" in message
    assert "pass the optimizer it was saved with, SGD(momentum=0.0)" in message and "was it saved" not in message
    assert path.read_bytes() == before

    run(checkpoint=path, optimizer=optim.SGD(0.1, momentum=0.9, nesterov=True))
    with pytest.raises(CheckpointError, match=r"saved with SGD\(momentum=0.9, nesterov=True\) and this run has "
                                              r"SGD\(momentum=0.0, nesterov=False\), so its optimizer state has "
                                              r"momentum buffers"):
        run(checkpoint=path, resume=True, epochs=2, optimizer=optim.SGD(0.1))


@pytest.mark.parametrize("saved, resumed, differs", [
    (optim.SGD(0.1, momentum=0.9), optim.SGD(0.1, momentum=0.5), "SGD(momentum=0.9) and this run has SGD(momentum=0.5)"),
    (optim.SGD(0.1, momentum=0.9), optim.SGD(0.1, momentum=0.9, nesterov=True),
     "SGD(nesterov=False) and this run has SGD(nesterov=True)"),
    (optim.SGD(0.1), optim.SGD(0.1, weight_decay=0.01), "SGD(weight_decay=0.0) and this run has SGD(weight_decay=0.01)"),
    (optim.Adam(0.01), optim.Adam(0.02), "Adam(lr=0.01) and this run has Adam(lr=0.02)"),
])
def test_resuming_with_other_optimizer_settings_of_the_same_state_is_refused(tmp_path, saved, resumed, differs):
    path = tmp_path / "run.npz"
    run(checkpoint=path, optimizer=saved)
    before = path.read_bytes()
    with pytest.raises(CheckpointError) as info:
        run(checkpoint=path, resume=True, epochs=2, optimizer=resumed)
    assert f"cannot resume from checkpoint {path} exactly: it was saved with {differs}" in str(info.value)
    assert "Pass the optimizer it was saved with" in info.value.hint and path.read_bytes() == before
    run(checkpoint=path, resume=True, epochs=2, optimizer=type(saved)(**{k: v for k, v in vars(saved).items()
                                                                         if k in ("lr", "momentum")}))


def test_a_checkpoint_without_recorded_settings_still_says_what_differs(tmp_path):
    path = tmp_path / "run.npz"
    run(checkpoint=path, optimizer=optim.SGD(0.1))
    leaves, opt, meta = load_checkpoint(path)
    del meta["optimizer"], meta["format"]  # as written before the settings were recorded
    save_checkpoint(path, leaves, opt, meta)
    with pytest.raises(CheckpointError, match=rf"{path}: it was saved with SGD settings other than this run's "
                                              r"SGD\(lr=0.1, .*momentum=0.9.*no momentum buffers"):
        run(checkpoint=path, resume=True, epochs=2, optimizer=optim.SGD(0.1, momentum=0.9))


# -- 6. Dask -------------------------------------------------------------------------------------

MALFORMED = """
import sys
import srcgrad
from train_models import blobs, init_params, xent_loss
X, Y = blobs(n=60)
srcgrad.fit(xent_loss, init_params(), (X, Y), cluster="locall", progress=False)
"""


def test_a_malformed_cluster_address_fails_at_once_and_exits_at_once():
    pytest.importorskip("distributed")
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", MALFORMED], capture_output=True, text=True, env=ENV, timeout=120)
    elapsed = time.monotonic() - start
    assert proc.returncode == 1
    assert "ClusterError: cluster='locall' is not a Dask scheduler address (missing port number" in proc.stderr
    assert "Did you mean cluster='local'?" in proc.stderr
    assert "__del__" not in proc.stderr and "timed out" not in proc.stderr, proc.stderr
    assert elapsed < 30  # was 60 s: the half-built Client's __del__ waited for its event loop


@pytest.fixture
def scheduler(tmp_path):
    """A Dask scheduler and one worker, as processes of their own; the worker runs in an empty directory."""
    pytest.importorskip("distributed")
    from srcgrad.distributed import engine

    file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard", "--scheduler-file", str(file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() or not file.read_text().strip():
            assert time.monotonic() < deadline and procs[0].poll() is None, "the scheduler did not start"
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        empty = tmp_path / "worker"
        empty.mkdir()
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                       "--no-nanny", "--no-dashboard"], cwd=empty, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        engine_timeout = engine.CONNECT_TIMEOUT
        engine.CONNECT_TIMEOUT = 20.0
        yield address, procs[0]
    finally:
        if "engine_timeout" in locals():
            engine.CONNECT_TIMEOUT = engine_timeout
        for proc in procs:
            proc.kill()
            proc.wait(timeout=10)


CELL = '''
def loss(params, x, y):
    return srcgrad.losses.softmax_cross_entropy(x @ params["W"] + params["b"], y)
'''


def test_a_killed_scheduler_is_named_at_once(scheduler, tmp_path):
    address, process = scheduler
    namespace = {"__name__": "__notebook__", "srcgrad": srcgrad}
    filename = "<notebook-cell-srcgrad-killed-scheduler>"
    import linecache

    linecache.cache[filename] = (len(CELL), None, CELL.splitlines(True), filename)
    exec(compile(CELL, filename, "exec"), namespace)
    path = tmp_path / "run.npz"

    def kill(state):
        if state.step == 3:
            process.send_signal(signal.SIGKILL)

    start = time.monotonic()
    with pytest.raises(srcgrad.distributed.ClusterError) as info:
        fit(namespace["loss"], init_params(), (X, Y), batch_size=8, epochs=3, optimizer=optim.SGD(0.1),
            cluster=address, checkpoint=path, checkpoint_every=1, callbacks=[kill], progress=False)
    assert time.monotonic() - start < 20  # was 30 s after the kill, then "no workers left"
    message = str(info.value)
    assert f"lost the Dask scheduler at {address} during step 4" in message
    assert "no workers" not in message and "resume=True" in message and "err.params" in message
    leaves, _, meta = load_checkpoint(path)
    assert meta["step"] == 3
    same(info.value.params, {"W": leaves[0], "b": leaves[1]})


MODULE = '''
import srcgrad

def module_loss(params, x, y):
    return srcgrad.losses.softmax_cross_entropy(x @ params["W"] + params["b"], y)
'''


def test_a_loss_module_the_workers_cannot_import_says_how_to_fix_it(scheduler, tmp_path, monkeypatch):
    address, _ = scheduler
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "srcgrad_user_losses.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(mods))  # importable here, not on the worker (started before, elsewhere)
    import srcgrad_user_losses

    path = tmp_path / "run.npz"
    with pytest.raises(srcgrad.distributed.ClusterError) as info:
        fit(srcgrad_user_losses.module_loss, init_params(), (X, Y), batch_size=8, cluster=address, checkpoint=path,
            progress=False)
    message = str(info.value)
    assert ("the Dask workers cannot import module 'srcgrad_user_losses', where module_loss is defined "
            f"({mods / 'srcgrad_user_losses.py'} here)") in message
    assert f"add {mods} to the workers' Python path" in message
    assert f"client.upload_file({str(mods / 'srcgrad_user_losses.py')!r})" in message
    assert "register_pickle_by_value(srcgrad_user_losses)" in message
    assert not path.exists()
    same(info.value.params, init_params())
    sys.modules.pop("srcgrad_user_losses", None)
