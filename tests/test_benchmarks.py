"""Smoke test of the benchmark suite (benchmarks/): tiny inputs, no timing assertions.

The suite runs each library in a subprocess; here srcgrad and autograd run every workload,
and PyTorch and JAX (eager and jit) one of them, each only if installed. tangent-ad is left
out (its import alone takes seconds). Each workload's gradient written by hand is checked
here, at the tiny scale, against float64 central differences in every coordinate and against
srcgrad's gradient.
"""
import importlib.util
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `benchmarks` is a folder of the checkout, not an installed package


def run_suite(tmp_path: Path, *args: str) -> tuple[str, dict]:
    out = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--tiny", "--json", str(out), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, json.loads(out.read_text())


def installed(*names: str) -> list[str]:
    modules = {"jax_jit": "jax"}
    return [n for n in names if importlib.util.find_spec(modules.get(n, n)) is not None]


def test_every_workload_with_srcgrad_and_autograd(tmp_path):
    from benchmarks.workloads import WORKLOADS

    libs = installed("autograd")
    stdout, data = run_suite(tmp_path, "--libs", ",".join(["srcgrad", *libs]))
    assert set(data["results"]) == {"srcgrad", *libs}
    for lib, result in data["results"].items():
        records = {r["workload"]: r for r in result["records"]}
        assert set(records) == {w.name for w in WORKLOADS}
        for name, rec in records.items():
            assert rec["status"] == "ok", (lib, name, rec.get("reason"), rec.get("traceback"))
            assert rec["check"] is True, (lib, name, rec["check_detail"])
            assert rec["grad"]["median"] > 0 and rec["numpy_f"]["median"] > 0
    for rec in data["results"]["srcgrad"]["records"]:
        assert {"compile", "wrapper_overhead", "fd", "by_hand", "by_hand_ratio"} <= set(rec)
        assert rec["by_hand_check"] is True, (rec["workload"], rec["by_hand_check_detail"])
        assert rec["generated_lines"] > 0 and rec["by_hand_lines"] > 0
    assert "vs hand" in stdout and "lines (vs hand)" in stdout
    for w in WORKLOADS:
        assert f"| {w.name}" in stdout
    table = [line for line in stdout.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(WORKLOADS) and not any("✗" in line for line in table)


def test_other_libraries_on_one_workload(tmp_path):
    libs = installed("torch", "jax", "jax_jit")
    if not libs:
        pytest.skip("neither torch nor jax is installed")
    _, data = run_suite(tmp_path, "--libs", ",".join(libs), "--workloads", "branchy")
    for lib in libs:
        for rec in data["results"][lib]["records"]:
            assert rec["status"] == "ok" and rec["check"] is True, (lib, rec)


def test_unknown_workload_is_an_error(tmp_path):
    proc = subprocess.run([sys.executable, "benchmarks/run.py", "--tiny", "--workloads", "nope",
                           "--json", str(tmp_path / "r.json")], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "unknown workloads" in proc.stderr


# --- the gradients written by hand --------------------------------------------------------------

def workload_names() -> list[str]:
    from benchmarks.workloads import WORKLOADS

    return [w.name for w in WORKLOADS]


def central_differences(workload, args: tuple) -> list[list[np.ndarray]]:
    """The whole gradient by float64 central differences, leaf by leaf (as `workloads.leaves` lists them)."""
    from benchmarks.workloads import leaves, perturbed

    out = []
    for arg in workload.wrt:
        group = []
        for k, leaf in enumerate(leaves(args[arg])):
            fd = np.zeros(leaf.size)
            for i, x in enumerate(leaf.reshape(-1)):
                h = 1e-6 * max(1.0, abs(float(x)))
                up = float(workload.f(*perturbed(args, arg, k, i, h)))
                down = float(workload.f(*perturbed(args, arg, k, i, -h)))
                fd[i] = (up - down) / (2 * h)
            group.append(fd.reshape(leaf.shape))
        out.append(group)
    return out


def structure(value):
    """What a gradient looks like, without its numbers: dict keys, array shapes and dtypes, number types."""
    if isinstance(value, dict):
        return {key: structure(value[key]) for key in sorted(value)}
    if isinstance(value, (tuple, list)):
        return type(value), [structure(item) for item in value]
    if isinstance(value, np.ndarray):
        return "array", value.shape, value.dtype
    return type(value)


@pytest.mark.parametrize("name", workload_names())
def test_gradient_by_hand_matches_finite_differences(name):
    from benchmarks.workloads import BY_NAME, leaves

    workload = BY_NAME[name]
    args = workload.make_args("tiny")
    by_hand = [leaves(g) for g in workload.by_hand(*args)]
    fd = central_differences(workload, args)
    assert len(by_hand) == len(fd) == len(workload.wrt)
    scale = max(1.0, abs(float(workload.f(*args))))
    for got_group, want_group in zip(by_hand, fd, strict=True):
        for got, want in zip(got_group, want_group, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8 * scale, err_msg=name)


@pytest.mark.parametrize("name", workload_names())
def test_gradient_by_hand_matches_srcgrad(name):
    import srcgrad
    from benchmarks.workloads import BY_NAME, compare, leaves

    workload = BY_NAME[name]
    args = workload.make_args("tiny")
    by_hand = workload.by_hand(*args)
    reference = srcgrad.grad(workload.f, wrt=workload.wrt)(*args)
    assert structure(by_hand) == structure(reference)
    ok, why = compare([leaves(g) for g in by_hand], [leaves(g) for g in reference], rtol=1e-10)
    assert ok, why


def test_code_lines_skips_blanks_comments_and_docstrings():
    from benchmarks.workloads import code_lines, rosenbrock

    source = 'def f(x):\n    """Doc\n    string."""\n\n    # why\n    y = x  # kept\n    return y\n'
    assert code_lines(source) == 3
    assert code_lines(inspect.getsource(rosenbrock)) == 2
