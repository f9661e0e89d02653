"""Train the digits MLP with srcgrad (examples/train_digits.py) and with PyTorch, and compare.

    python benchmarks/compare_training.py [--epochs 40] [--core N]

Each runs in its own subprocess with one BLAS/OpenMP thread, pinned to the same core, one
after the other; prints test accuracy, training time and examples/s for both.
"""
import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from benchmarks.run import default_core, worker_env  # noqa: E402

RUNS = {
    "srcgrad": ["examples/train_digits.py", "--plot", ""],
    "torch": ["benchmarks/train_digits_torch.py"],
}


def run_one(name: str, epochs: int, core: int | None, timeout: float) -> dict[str, object]:
    """Run one trainer; its accuracy, time and throughput parsed from its output."""
    cmd = [sys.executable, *RUNS[name], "--epochs", str(epochs)]
    pin = (lambda: os.sched_setaffinity(0, {core})) if core is not None and hasattr(os, "sched_setaffinity") \
        else None
    proc = subprocess.run(cmd, cwd=ROOT, env=worker_env(), capture_output=True, text=True, timeout=timeout,
                          preexec_fn=pin)
    out = proc.stdout
    acc = re.search(r"test accuracy: ([\d.]+)%", out)
    timing = re.search(r"training time: ([\d.]+) s for \d+ epochs \(([\d,]+) examples/s\)", out)
    if proc.returncode != 0 or acc is None or timing is None:
        return {"name": name, "error": (proc.stderr or out).strip().splitlines()[-1:] or [f"exit {proc.returncode}"]}
    return {"name": name, "accuracy": float(acc.group(1)), "seconds": float(timing.group(1)),
            "examples_per_s": float(timing.group(2).replace(",", "")), "output": out}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--core", type=int, default=default_core())
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--only", choices=sorted(RUNS), action="append", help="run only this trainer")
    opts = parser.parse_args(argv)
    results = []
    for name in opts.only or list(RUNS):
        print(f"training with {name} ({opts.epochs} epochs, core {opts.core}) ...", flush=True)
        results.append(run_one(name, opts.epochs, opts.core, opts.timeout))
    print()
    print("| trainer | test accuracy | training time | examples/s |")
    print("|---------|---------------|---------------|------------|")
    for r in results:
        if "error" in r:
            print(f"| {r['name']} | failed: {r['error']} | | |")
        else:
            print(f"| {r['name']} | {r['accuracy']:.2f}% | {r['seconds']:.2f} s | {r['examples_per_s']:,.0f} |")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
