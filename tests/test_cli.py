"""`python -m srcgrad show FILE.py:FUNCTION`: output, options and clean usage errors."""
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import srcgrad
from srcgrad import cli
from srcgrad.errors import UnsupportedSyntaxError

ROOT = Path(__file__).parent.parent


@pytest.fixture
def model_file(tmp_path):
    (tmp_path / "helpers_for_cli.py").write_text("SCALE = 3.0\n")
    path = tmp_path / "model_for_cli.py"
    path.write_text(textwrap.dedent("""
        import numpy as np
        from helpers_for_cli import SCALE

        def loss(params, x):
            return np.sum(np.tanh(x @ params["W"])) * SCALE

        def two(a, b):
            return a * b

        def uses_a_while(a):
            while a < 10.0:
                a = a * 2.0
            return a

        not_a_function = 1.0
    """))
    return path


def run_main(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


class FakeShow:
    """Stands in for srcgrad.show to test the command's own logic."""

    def __init__(self, exc=None):
        self.calls, self.exc = [], exc

    def __call__(self, f, **kwargs):
        self.calls.append((f.__name__, kwargs))
        if self.exc is not None:
            raise self.exc
        print("def grad_loss(params, x):\n    return d_params")


def test_parse_wrt():
    assert cli.parse_wrt("1") == 1
    assert cli.parse_wrt("0,1") == (0, 1)
    assert cli.parse_wrt("params") == "params"
    assert cli.parse_wrt("a, b") == ("a", "b")
    with pytest.raises(cli.UsageError):
        cli.parse_wrt("x-y")


def test_show_passes_wrt_and_loads_the_files_imports(model_file, capsys, monkeypatch):
    fake = FakeShow()
    monkeypatch.setattr(srcgrad, "show", fake, raising=False)
    code, out, err = run_main(["show", f"{model_file}:loss", "--wrt", "params"], capsys)
    assert (code, err) == (0, "")
    assert out == "def grad_loss(params, x):\n    return d_params\n"
    assert fake.calls == [("loss", {"wrt": "params"})]  # reverse mode: no `mode` passed


def test_forward_mode_is_passed_and_reported_when_unsupported(model_file, capsys, monkeypatch):
    fake = FakeShow(TypeError("show() got an unexpected keyword argument 'mode'"))
    monkeypatch.setattr(srcgrad, "show", fake, raising=False)
    code, out, err = run_main(["show", f"{model_file}:two", "--wrt", "0,1", "--mode", "forward"], capsys)
    assert code == 2 and out == ""
    assert fake.calls == [("two", {"wrt": (0, 1), "mode": "forward"})]
    assert "forward mode is not available yet" in err and "Traceback" not in err


def test_srcgrad_errors_become_exit_2_messages(model_file, capsys, monkeypatch):
    monkeypatch.setattr(srcgrad, "show", FakeShow(UnsupportedSyntaxError("while loops are not supported",
                                                                          hint="unroll it")), raising=False)
    code, out, err = run_main(["show", f"{model_file}:uses_a_while"], capsys)
    assert code == 2 and out == ""
    assert err == "srcgrad: error: while loops are not supported\nunroll it\n"


def test_highlights_only_on_a_terminal(model_file, monkeypatch):
    pytest.importorskip("pygments")
    monkeypatch.setattr(srcgrad, "show", FakeShow(), raising=False)

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    assert cli.main(["show", f"{model_file}:loss"]) == 0
    assert "\x1b[" in tty.getvalue() and "grad_loss" in tty.getvalue()


@pytest.mark.parametrize("target, message", [
    ("missing.py:loss", "no such file: missing.py"),
    ("{file}:nope", "defines no function 'nope' (it defines: loss, two, uses_a_while)"),
    ("{file}:not_a_function", "is a float, not a function"),
    ("{file}", "expected FILE.py:FUNCTION"),
])
def test_usage_errors(model_file, capsys, target, message):
    code, out, err = run_main(["show", target.format(file=model_file)], capsys)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_a_file_that_fails_to_import(tmp_path, capsys):
    bad = tmp_path / "broken_for_cli.py"
    bad.write_text("import numpy as np\nraise RuntimeError('boom')\n")
    code, _, err = run_main(["show", f"{bad}:f"], capsys)
    assert code == 2 and "RuntimeError: boom" in err


def test_python_dash_m_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "srcgrad", "show", str(tmp_path / "none.py") + ":f"],
                          capture_output=True, text=True, timeout=30, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert proc.stderr == f"srcgrad: error: no such file: {tmp_path / 'none.py'}\n"


# -- with the real compiler ---------------------------------------------------------------------

def test_show_prints_the_generated_code(model_file, capsys):
    code, out, err = run_main(["show", f"{model_file}:loss", "--wrt", "params"], capsys)
    assert (code, err) == (0, "")
    assert "def " in out and "tanh" in out
    compile(out, "<generated>", "exec")  # plain Python


def test_show_reports_a_rejected_function(model_file, capsys):
    code, out, err = run_main(["show", f"{model_file}:not_a_function"], capsys)
    assert code == 2
    code, out, err = run_main(["show", f"{model_file}:two", "--wrt", "c"], capsys)
    assert code == 2 and err.startswith("srcgrad: error: ") and "Traceback" not in err
