"""Checkpoints: atomic writes, pickle-free files, and resumed runs bitwise equal to uninterrupted ones."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from srcgrad import optim
from srcgrad.errors import NonFiniteError
from srcgrad.train import fit, load_checkpoint, save_checkpoint
from train_models import blobs, init_params, xent_loss, xent_value_and_grad

X, Y = blobs(n=60)
TESTS = Path(__file__).parent


def run(**kw):
    kw.setdefault("optimizer", optim.Adam(optim.warmup(0.05, 5)))
    kw.setdefault("epochs", 3)
    return fit(xent_loss, init_params(), (X, Y), batch_size=8, micro_batch_size=3,
               value_and_grad=xent_value_and_grad, progress=False, **kw)


class Crash(Exception):
    pass


def crash_at(step):
    def callback(state):
        if state.step == step:
            raise Crash

    return callback


def assert_same(a, b):
    for k in a:
        assert a[k].dtype == b[k].dtype
        np.testing.assert_array_equal(a[k], b[k])  # bitwise, not approximately


def test_file_contents_load_without_pickle(tmp_path):
    path = tmp_path / "run.npz"
    params, _ = run(checkpoint=path, epochs=1)
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        assert {"param/0", "param/1", "opt/step", "opt/m/0", "opt/v/1", "meta"} <= set(data.files)
        assert int(data["opt/step"]) == 8
    assert meta["epoch"] == 1 and meta["batch"] == 0 and meta["step"] == 8
    assert meta["rng"]["seed"] == 0 and meta["config"]["batch_size"] == 8
    leaves, opt, meta2 = load_checkpoint(path)
    np.testing.assert_array_equal(leaves[0], params["W"])
    assert os.listdir(tmp_path) == ["run.npz"]  # no temporary files left behind


def test_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "c.npz"
    save_checkpoint(path, [np.ones(2)], {}, {"n_params": 1})

    def broken_savez(f, **arrays):
        f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, [np.zeros(2)], {}, {"n_params": 1})
    leaves, _, _ = load_checkpoint(path)
    np.testing.assert_array_equal(leaves[0], np.ones(2))
    assert os.listdir(tmp_path) == ["c.npz"]


@pytest.mark.parametrize("every, crash", [(1, 11), (3, 11), (None, 13), (1, 8)])
def test_resume_after_a_crash_is_bitwise_identical(tmp_path, every, crash):
    reference, ref_history = run()
    path = tmp_path / "run.npz"
    with pytest.raises(Crash):
        run(checkpoint=path, checkpoint_every=every, callbacks=[crash_at(crash)])
    params, history = run(checkpoint=path, checkpoint_every=every, resume=True)
    assert_same(params, reference)
    assert len(history.loss) == len(ref_history.loss) == 24
    np.testing.assert_array_equal(history.loss, ref_history.loss)
    np.testing.assert_array_equal(history.epoch_loss, ref_history.epoch_loss)


def test_resume_of_a_finished_run_returns_its_result(tmp_path):
    path = tmp_path / "run.npz"
    first, _ = run(checkpoint=path)
    again, history = run(checkpoint=path, resume=True)
    assert_same(again, first)
    assert len(history.epoch_loss) == 3


def test_resume_without_a_file_starts_fresh(tmp_path):
    params, _ = run(checkpoint=tmp_path / "none.npz", resume=True)
    assert_same(params, run()[0])


def test_resume_refuses_different_settings(tmp_path):
    path = tmp_path / "run.npz"
    run(checkpoint=path, epochs=1)
    with pytest.raises(ValueError, match="batch_size: 8 -> 16"):
        fit(xent_loss, init_params(), (X, Y), batch_size=16, checkpoint=path, resume=True,
            value_and_grad=xent_value_and_grad, micro_batch_size=3, optimizer=optim.Adam())
    with pytest.raises(ValueError, match="parameter structure"):
        fit(xent_loss, {"W": init_params()["W"]}, (X, Y), checkpoint=path, resume=True,
            value_and_grad=xent_value_and_grad)


def test_no_checkpoint_is_written_for_a_non_finite_step(tmp_path):
    path = tmp_path / "run.npz"
    calls = {"n": 0}

    def vg(params, x, y):
        calls["n"] += 1
        loss, g = xent_value_and_grad(params, x, y)
        return (np.nan if calls["n"] == 4 else loss), g

    with pytest.raises(NonFiniteError) as info:
        fit(xent_loss, init_params(), (X, Y), batch_size=8, value_and_grad=vg, checkpoint=path,
            checkpoint_every=1, progress=False)
    leaves, opt, meta = load_checkpoint(path)
    assert meta["step"] == 3 and int(opt["step"]) == 3
    np.testing.assert_array_equal(leaves[0], info.value.params["W"])


SCRIPT = """
import sys, time
sys.path.insert(0, {tests!r})
import numpy as np
from srcgrad import optim
from srcgrad.train import fit
from train_models import blobs, init_params, xent_loss, xent_value_and_grad

ckpt, out, hang_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
X, Y = blobs(n=60)

def hang(state):
    if state.step == hang_at:  # the checkpoint of this step is on disk: wait to be killed
        open(ckpt + ".ready", "w").close()
        time.sleep(60)

params, _ = fit(xent_loss, init_params(), (X, Y), batch_size=8, epochs=3, micro_batch_size=3,
                optimizer=optim.Adam(optim.cosine_lr(0.05, 24)), checkpoint=ckpt, checkpoint_every=1,
                resume=True, callbacks=[hang], value_and_grad=xent_value_and_grad, progress=False)
np.savez(out, **params)
"""


def test_killed_training_process_resumes_to_identical_parameters(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SCRIPT.format(tests=str(TESTS))))
    ckpt = str(tmp_path / "run.npz")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS.parent), os.environ.get("PYTHONPATH", "")])}

    def train(ckpt_path, out, hang_at=-1):
        return subprocess.Popen([sys.executable, str(script), ckpt_path, str(out), str(hang_at)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env)

    victim = train(ckpt, tmp_path / "never.npz", hang_at=11)  # epoch 2, batch 3
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(ckpt + ".ready"):
            assert victim.poll() is None, victim.communicate()[1].decode()
            assert time.monotonic() < deadline, "the training process never reached step 11"
            time.sleep(0.02)
        assert os.path.exists(ckpt)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    assert victim.returncode == -signal.SIGKILL
    _, _, meta = load_checkpoint(ckpt)
    assert (meta["epoch"], meta["batch"], meta["step"]) == (1, 3, 11)

    resumed = train(ckpt, tmp_path / "resumed.npz")
    uninterrupted = train(str(tmp_path / "fresh.npz"), tmp_path / "fresh_params.npz")
    for proc in (resumed, uninterrupted):
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    with np.load(tmp_path / "resumed.npz") as a, np.load(tmp_path / "fresh_params.npz") as b:
        assert_same(dict(a), dict(b))
    assert not (tmp_path / "never.npz").exists()
