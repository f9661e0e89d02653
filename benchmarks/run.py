"""Run the benchmark suite: `python -m benchmarks` or `python benchmarks/run.py` (from the repo root).

Each library runs in its own subprocess (`benchmarks/worker.py`) with one BLAS/OpenMP/XLA
thread, pinned to one core, and times plain NumPy `f` itself, so every ratio compares two
times taken in the same process; srcgrad's worker also times each workload's gradient written
by hand. The libraries run one after another. Afterwards every library's gradient, and the
one written by hand, is checked against srcgrad's, and all against float64 central finite
differences. Prints a table and writes `benchmarks/results.json`.
"""
import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.worker import LIBRARIES, MODULES, THREAD_ENV  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LABELS = {"srcgrad": "srcgrad", "autograd": "autograd", "torch": "torch", "jax": "jax", "jax_jit": "jax.jit",
          "tangent": "tangent"}


def fmt_time(seconds: float | None) -> str:
    """A duration with a unit: `12.3 µs`, `4.56 ms`, `1.20 s`."""
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_overhead(overhead: float, call: float) -> str:
    """The wrapper's overhead, or `noise` when it is lost in the variation of a long call (< 1%)."""
    if abs(overhead) < 0.01 * call and abs(overhead) > 20e-6:
        return "noise"
    return fmt_time(abs(overhead)) if overhead >= 0 else f"-{fmt_time(-overhead)}"


def worker_env() -> dict[str, str]:
    """The environment of a worker: one thread everywhere, `benchmarks` importable."""
    env = dict(os.environ)
    env.update(THREAD_ENV)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONWARNINGS", "ignore::SyntaxWarning")
    return env


def default_core() -> int | None:
    if not hasattr(os, "sched_getaffinity"):
        return None
    return max(os.sched_getaffinity(0))


def run_worker(lib: str, workloads: list[str], opts: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Run one library's worker; its JSON, or n/a records with the reason it failed."""
    out = tmp / f"{lib}.json"
    cmd = [sys.executable, "-m", "benchmarks.worker", "--lib", lib, "--workloads", ",".join(workloads),
           "--scale", opts.scale, "--min-time", str(opts.min_time), "--max-time", str(opts.max_time),
           "--grad-dir", str(tmp), "--out", str(out)]
    if opts.core is not None:
        cmd += ["--core", str(opts.core)]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=worker_env(), capture_output=True, text=True,
                              timeout=opts.timeout)
        failure = None if proc.returncode == 0 and out.exists() else \
            f"worker exited with {proc.returncode}: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}"
    except subprocess.TimeoutExpired:
        failure = f"worker timed out after {opts.timeout} s"
    if failure is not None:
        return {"info": {"lib": lib, "error": failure},
                "records": [{"workload": w, "status": "n/a", "reason": failure} for w in workloads]}
    data = json.loads(out.read_text())
    data["info"]["seconds"] = time.perf_counter() - start
    return data


def load_grads(path: str) -> list[list[Any]]:
    import numpy as np

    with np.load(path) as data:
        keys = sorted(data.files, key=lambda k: tuple(int(p) for p in k[1:].split("_")))
        out: list[list[Any]] = []
        for key in keys:
            g, k = (int(p) for p in key[1:].split("_"))
            while len(out) <= g:
                out.append([])
            out[g].append(data[key])
        return out


def check(path: str, ref: dict[str, Any], against_srcgrad: bool) -> tuple[bool, str]:
    """Whether the gradients saved at `path` match the finite differences in srcgrad's record `ref` (and, if
    `against_srcgrad`, srcgrad's gradient); what differs."""
    from benchmarks.workloads import check_fd, compare

    grads = load_grads(path)
    ok_fd, why_fd = check_fd(grads, ref["fd"])
    details = [] if ok_fd else [f"finite differences: {why_fd}"]
    ok_ref = True
    if against_srcgrad:
        ok_ref, why_ref = compare(grads, load_grads(ref["grad_file"]))
        if not ok_ref:
            details.append(f"vs srcgrad: {why_ref}")
    return ok_fd and ok_ref, "; ".join(details)


def verify(results: dict[str, dict[str, Any]]) -> None:
    """Mark each record `check: True/False` (with `check_detail`): vs srcgrad and vs finite differences; and
    srcgrad's records `by_hand_check` (with `by_hand_check_detail`) for the gradient written by hand."""
    reference = {r["workload"]: r for r in results.get("srcgrad", {}).get("records", []) if r["status"] == "ok"}
    for lib, data in results.items():
        for rec in data["records"]:
            if rec["status"] != "ok":
                continue
            ref = reference.get(rec["workload"])
            if ref is None:
                rec["check"], rec["check_detail"] = None, "no srcgrad gradient to check against"
                continue
            rec["check"], rec["check_detail"] = check(rec["grad_file"], ref, against_srcgrad=lib != "srcgrad")
            if lib == "srcgrad":
                rec["by_hand_check"], rec["by_hand_check_detail"] = check(rec["by_hand_file"], ref, True)


def cell(rec: dict[str, Any] | None, with_ratio: bool = True) -> str:
    if rec is None:
        return ""
    if rec["status"] != "ok":
        return "n/a"
    mark = {True: " ✓", False: " ✗", None: ""}[rec.get("check")]
    text = fmt_time(rec["grad"]["median"])
    if with_ratio:
        text += f" {rec['ratio']:.3g}x"
    return text + mark


def table(results: dict[str, dict[str, Any]], workloads: list[str], libs: list[str]) -> str:
    """The results as a Markdown table: one row per workload."""
    by = {lib: {r["workload"]: r for r in results[lib]["records"]} for lib in libs if lib in results}
    others = [lib for lib in libs if lib != "srcgrad" and lib in by]
    head = ["workload", "NumPy f", "srcgrad", "ratio", "check", "by hand", "vs hand", "lines (vs hand)", "compile",
            "wrapper"] + [f"{LABELS[lib]} (ratio)" for lib in others]
    rows = [head]
    for w in workloads:
        src = by.get("srcgrad", {}).get(w)
        if src is None:
            row = [w] + [""] * 9
        elif src["status"] != "ok":
            row = [w, fmt_time(src["numpy_f"]["median"]), "n/a"] + [""] * 7
        else:
            mark = {True: "✓", False: "✗", None: "?"}[src.get("check")]
            hand_mark = {True: " ✓", False: " ✗", None: ""}[src.get("by_hand_check")]
            lines = f"{src['generated_lines']} / {src['by_hand_lines']} " \
                    f"({src['generated_lines'] / src['by_hand_lines']:.1f}x)"
            row = [w, fmt_time(src["numpy_f"]["median"]), fmt_time(src["grad"]["median"]), f"{src['ratio']:.3g}x",
                   mark, fmt_time(src["by_hand"]["median"]) + hand_mark, f"{src['by_hand_ratio']:.3g}x", lines,
                   fmt_time(src["compile"]), fmt_overhead(src["wrapper_overhead"], src["grad"]["median"])]
        row += [cell(by[lib].get(w)) for lib in others]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["| " + " | ".join(c.ljust(wd) for c, wd in zip(r, widths)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (wd + 2) for wd in widths) + "|")
    return "\n".join(lines)


def failures(results: dict[str, dict[str, Any]]) -> list[str]:
    out = []
    for lib, data in results.items():
        for rec in data["records"]:
            if rec["status"] != "ok":
                out.append(f"{LABELS[lib]} / {rec['workload']}: n/a: {rec.get('reason')}")
            elif rec.get("check") is False:
                out.append(f"{LABELS[lib]} / {rec['workload']}: gradient check failed: {rec['check_detail']}")
            if rec.get("by_hand_check") is False:
                out.append(f"by hand / {rec['workload']}: gradient check failed: {rec['by_hand_check_detail']}")
    return out


def main(argv: list[str] | None = None) -> int:
    from benchmarks.workloads import WORKLOADS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libs", default=",".join(LIBRARIES),
                        help=f"comma-separated subset of {','.join(LIBRARIES)} (default: all installed)")
    parser.add_argument("--workloads", default=",".join(w.name for w in WORKLOADS),
                        help="comma-separated workload names (default: all)")
    parser.add_argument("--tiny", action="store_const", const="tiny", dest="scale", default="full",
                        help="tiny inputs and short timings: a smoke test of the suite, not a benchmark")
    parser.add_argument("--min-time", type=float, default=None, help="seconds per measurement (default 0.2)")
    parser.add_argument("--max-time", type=float, default=None, help="cap per measurement (default 1.0)")
    parser.add_argument("--core", type=int, default=default_core(), help="CPU core for the workers")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed per library")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"), help="results file")
    opts = parser.parse_args(argv)
    if opts.min_time is None:
        opts.min_time = 0.2 if opts.scale == "full" else 0.002
    if opts.max_time is None:
        opts.max_time = 1.0 if opts.scale == "full" else 0.02

    libs = [lib for lib in opts.libs.split(",") if lib]
    unknown = [lib for lib in libs if lib not in LIBRARIES]
    if unknown:
        parser.error(f"unknown libraries {unknown}; choose from {', '.join(LIBRARIES)}")
    workloads = [w for w in opts.workloads.split(",") if w]
    names = {w.name for w in WORKLOADS}
    if any(w not in names for w in workloads):
        parser.error(f"unknown workloads {[w for w in workloads if w not in names]}; choose from {sorted(names)}")
    if "srcgrad" not in libs:
        libs.insert(0, "srcgrad")  # the reference for every check

    results: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="srcgrad-bench-") as tmp:
        for lib in libs:
            if importlib.util.find_spec(MODULES[lib]) is None:
                skipped[lib] = f"{MODULES[lib]} is not installed"
                print(f"{LABELS[lib]}: skipped ({skipped[lib]})", flush=True)
                continue
            print(f"{LABELS[lib]}: running {len(workloads)} workloads on core {opts.core} ...", flush=True)
            results[lib] = run_worker(lib, workloads, opts, Path(tmp))
        verify(results)
        for data in results.values():
            for rec in data["records"]:
                rec.pop("grad_file", None)
                rec.pop("by_hand_file", None)

    print()
    print(table(results, workloads, [lib for lib in libs if lib in results]))
    print()
    print("Times are medians per call; ratio = gradient time / NumPy f time in the same process; "
          "✓/✗: gradient matches srcgrad's and float64 central differences; by hand = the gradient written "
          "by hand in NumPy (workloads.py); vs hand = srcgrad's time / by hand's, in the same process; "
          "lines = non-blank, non-comment lines of srcgrad's generated code (df.source) / of the one by hand; "
          "compile = srcgrad's parse-transform-compile time (df.compile); wrapper = df(*args) minus "
          "df.generated(*args).")
    problems = failures(results)
    for line in problems:
        print("  " + line)
    for lib, why in skipped.items():
        print(f"  {LABELS[lib]}: skipped: {why}")

    meta = {"argv": sys.argv[1:], "scale": opts.scale, "min_time": opts.min_time, "max_time": opts.max_time,
            "core": opts.core, "python": sys.version.split()[0], "platform": platform.platform(),
            "processor": platform.processor(), "cpu_count": os.cpu_count(), "thread_env": THREAD_ENV,
            "date": time.strftime("%Y-%m-%d %H:%M:%S"), "skipped": skipped}
    payload = {"meta": meta, "workloads": {w.name: w.description for w in WORKLOADS if w.name in workloads},
               "results": results}
    Path(opts.json).write_text(json.dumps(payload, indent=1, default=float, ensure_ascii=False))
    print(f"results written to {opts.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
