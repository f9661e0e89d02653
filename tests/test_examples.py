"""The examples run end to end (shortened) with the real compiler."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
