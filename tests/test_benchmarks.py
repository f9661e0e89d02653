"""Smoke test of the benchmark suite (benchmarks/): tiny inputs, no timing assertions.

The suite runs each library in a subprocess; here srcgrad and autograd run every workload,
and PyTorch and JAX (eager and jit) one of them, each only if installed. tangent-ad is left
out (its import alone takes seconds).
"""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

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
        assert {"compile", "wrapper_overhead", "fd"} <= set(rec)
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
