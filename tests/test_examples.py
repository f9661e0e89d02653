"""The examples run end to end (shortened) with the real compiler."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad import cli

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"


def run_example(name, *args, cwd):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_linear_regression_matches_polyfit(tmp_path):
    out = run_example("linear_regression.py", "--epochs", "5", cwd=tmp_path)
    assert "matches np.polyfit to 1e-6" in out


def test_train_digits_shortened(tmp_path):
    pytest.importorskip("sklearn")
    out = run_example("train_digits.py", "--epochs", "3", "--micro-batch-size", "13", "--log-every", "20",
                      "--plot", "curve.png", cwd=tmp_path)
    accuracy = float(out.split("test accuracy: ")[1].split("%")[0])
    assert accuracy > 90.0, out
    assert "Train Epoch: 1 [640/1437 (45%)]  Loss: " in out
    assert "examples/s" in out and "python -m srcgrad show examples/train_digits.py:loss" in out
    if "loss curve saved" in out:
        assert (tmp_path / "curve.png").stat().st_size > 0


def test_show_the_digits_loss(capsys):
    assert cli.main(["show", f"{EXAMPLES / 'train_digits.py'}:loss", "--wrt", "params"]) == 0
    assert "def " in capsys.readouterr().out


def load_example(name):
    """Import examples/<name>.py as a module (examples/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_char_rnn_shortened(tmp_path):
    out = run_example("char_rnn.py", "--epochs", "1", "--hidden", "16", "--sample-length", "40", cwd=tmp_path)
    before, after = (float(v) for v in out.split("loss over the whole text: ")[1].split(" (")[0].split(" -> "))
    assert after < before - 0.5, out
    sample = out.split("sample (40 characters, temperature 0.7, seed 0):\n")[1]
    assert sample.startswith("It is a ") and len(sample.split("to read the backward code")[0]) >= 48, out


def test_char_rnn_gradient_matches_finite_differences():
    """srcgrad's gradient of the example's loss against float64 central differences of the loss itself."""
    loss = load_example("char_rnn").loss
    rng = np.random.default_rng(1)
    vocab, hidden, batch, steps = 6, 4, 3, 5
    params = {"Wxh": rng.normal(0, 0.7, (vocab, hidden)), "Whh": rng.normal(0, 0.7, (hidden, hidden)),
              "bh": rng.normal(0, 0.3, hidden), "Why": rng.normal(0, 0.7, (hidden, vocab)),
              "by": rng.normal(0, 0.3, vocab)}
    inputs, targets = rng.integers(0, vocab, (batch, steps)), rng.integers(0, vocab, (batch, steps))
    value, grads = srcgrad.value_and_grad(loss, wrt=0)(params, inputs, targets)
    assert value == pytest.approx(loss(params, inputs, targets), rel=1e-12)
    eps = 1e-6
    for name, p in params.items():
        fd = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][i] += eps
            minus[name][i] -= eps
            fd[i] = (loss(plus, inputs, targets) - loss(minus, inputs, targets)) / (2 * eps)
        assert grads[name].shape == p.shape and grads[name].dtype == np.float64
        np.testing.assert_allclose(grads[name], fd, rtol=1e-6, atol=1e-9, err_msg=name)
