"""Compile time as the differentiated function grows: a straight-line loss of N statements (a tanh
layer, elementwise updates, reductions and clipping, repeated), written to a temporary module and
compiled once per size in a fresh `grad`. Linear growth is the target; time per statement shows it.

    python benchmarks/compile_time.py [N ...]        # default 30 100 300 1000
"""
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import srcgrad

_STATEMENTS = ["h = np.tanh(W @ h)", "h = h * 0.9 + 0.1 * np.sin(h)", "s = np.sum(h * h)", "h = h + s * 0.001",
               "h = np.maximum(h, -1.0)", "h = h / (1.0 + np.abs(h))"]


def straight_line_loss(n: int, directory: Path):
    """`loss(W, x)` with n statements, loaded from its own module file (srcgrad reads source)."""
    body = ["    h = x"] + [f"    {_STATEMENTS[i % len(_STATEMENTS)]}" for i in range(n - 2)]
    text = "\n".join(["import numpy as np", "", "", "def loss(W, x):", *body, "    return np.sum(h * h)", ""])
    path = directory / f"straight_line_{n}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.loss


def compile_seconds(n: int, directory: Path) -> float:
    loss = straight_line_loss(n, directory)
    W, x = np.eye(4) * 0.5, np.ones(4)
    start = time.perf_counter()
    srcgrad.grad(loss)(W, x)  # the first call compiles
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [30, 100, 300, 1000]
    print("| statements | compile | per statement |")
    print("|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            seconds = compile_seconds(n, Path(tmp))
            print(f"| {n} | {seconds:.2f} s | {1000 * seconds / n:.1f} ms |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
