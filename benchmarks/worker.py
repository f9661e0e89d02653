"""One library's measurements, in a process of its own: `python -m benchmarks.worker --lib NAME ...`.

Started by `benchmarks/run.py` with one BLAS/OpenMP/XLA thread; pins itself to one core, then
for each workload times plain NumPy `f` and the library's gradient in this same process, and
saves the gradient (for the parent's checks) to `--grad-dir`. The srcgrad worker also records
the compile time (first call), the wrapper's per-call overhead, the finite differences, and
times the workload's gradient written by hand (saved too), and counts the lines of both.
Writes a JSON list of per-workload records to `--out`.
"""
import argparse
import importlib
import inspect
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "JAX_PLATFORMS": "cpu",
    "TANGENT_DISK_CACHE": "0",
}

LIBRARIES = ("srcgrad", "autograd", "torch", "jax", "jax_jit", "tangent")
MODULES = {"autograd": "autograd", "torch": "torch", "jax": "jax", "jax_jit": "jax", "tangent": "tangent",
           "srcgrad": "srcgrad"}


def _reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first[:400]


def _save(path: Path, grads: list[list[Any]]) -> None:
    import numpy as np

    np.savez(path, **{f"g{g}_{k}": leaf for g, group in enumerate(grads) for k, leaf in enumerate(group)})


def _preparer(lib: str) -> tuple[Callable, str]:
    """The library's `prepare(name, args, wrt)` and its version."""
    if lib in ("jax", "jax_jit"):
        from benchmarks import jax_workloads as mod

        jit = lib == "jax_jit"
        return (lambda name, args, wrt: mod.prepare(name, args, wrt, jit=jit)), mod.version()
    mod = importlib.import_module(f"benchmarks.{lib}_workloads")
    return mod.prepare, mod.version()


def _clear_srcgrad_caches() -> None:
    """Forget compiled gradients, so that each workload's first call includes its compilation."""
    import srcgrad

    srcgrad.clear_cache()


def run_srcgrad(workload: Any, args: tuple, grad_path: Path, min_time: float, max_time: float) -> dict[str, Any]:
    import srcgrad
    from benchmarks.timing import measure, measure_difference
    from benchmarks.workloads import code_lines, finite_differences, leaves

    _clear_srcgrad_caches()
    df = srcgrad.grad(workload.f, wrt=workload.wrt)
    kinds = tuple(type(a) in (float, int) for a in args)  # as GradientFunction.__call__ keys its cache
    start = time.perf_counter()
    df.compile(kinds)
    compile_time = time.perf_counter() - start
    start = time.perf_counter()
    grads = df(*args)
    first = time.perf_counter() - start
    _save(grad_path, [leaves(g) for g in grads])
    by_hand_path = grad_path.with_name(f"by_hand-{workload.name}.npz")
    _save(by_hand_path, [leaves(g) for g in workload.by_hand(*args)])
    timing = measure(lambda: df(*args), min_time, max_time)
    by_hand = measure(lambda: workload.by_hand(*args), min_time, max_time)  # right after: the same conditions
    generated = df.generated
    raw = measure(lambda: generated(*args), min_time, max_time)
    overhead = measure_difference(lambda: df(*args), lambda: generated(*args), min_time, max_time)
    fd = finite_differences(workload, args)
    return {"grad": timing.to_json(), "generated": raw.to_json(), "first_call": first,
            "compile": compile_time, "wrapper_overhead": overhead, "fd": fd,
            "by_hand": by_hand.to_json(), "by_hand_ratio": timing.median / by_hand.median,
            "by_hand_file": str(by_hand_path), "generated_lines": code_lines(df.source),
            "by_hand_lines": code_lines(inspect.getsource(workload.by_hand))}


def run_library(lib: str, prepare: Callable, workload: Any, args: tuple, grad_path: Path, min_time: float,
                max_time: float) -> dict[str, Any]:
    from benchmarks.timing import measure

    start = time.perf_counter()
    call, to_numpy = prepare(workload.name, args, workload.wrt)
    result = call()
    first = time.perf_counter() - start
    _save(grad_path, to_numpy(result))
    timing = measure(call, min_time, max_time)
    return {"grad": timing.to_json(), "first_call": first}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", required=True, choices=LIBRARIES)
    parser.add_argument("--workloads", required=True, help="comma-separated workload names")
    parser.add_argument("--scale", default="full", choices=("full", "tiny"))
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--max-time", type=float, default=1.0)
    parser.add_argument("--core", type=int, default=None, help="CPU core to pin this process to")
    parser.add_argument("--grad-dir", required=True)
    parser.add_argument("--out", required=True)
    opts = parser.parse_args(argv)

    for key, value in THREAD_ENV.items():
        os.environ.setdefault(key, value)
    if opts.core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {opts.core})

    import numpy as np

    from benchmarks.timing import measure
    from benchmarks.workloads import BY_NAME

    info: dict[str, Any] = {"lib": opts.lib, "pid": os.getpid(), "numpy": np.__version__,
                            "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None}
    records: list[dict[str, Any]] = []
    try:
        if opts.lib == "srcgrad":
            import srcgrad

            prepare, info["version"] = None, srcgrad.__version__
        else:
            prepare, info["version"] = _preparer(opts.lib)
        if opts.lib == "torch":
            import torch

            torch.set_num_threads(1)
            info["torch_threads"] = torch.get_num_threads()
        import_error = None
    except Exception as exc:  # a missing or broken library: every workload is n/a
        import_error = f"import failed: {_reason(exc)}"
        info["import_error"] = import_error

    for name in opts.workloads.split(","):
        workload = BY_NAME[name]
        record: dict[str, Any] = {"workload": name}
        args = workload.make_args(opts.scale)
        record["numpy_f"] = measure(lambda: workload.f(*args), opts.min_time, opts.max_time).to_json()
        if import_error is not None:
            record.update(status="n/a", reason=import_error)
            records.append(record)
            continue
        grad_path = Path(opts.grad_dir) / f"{opts.lib}-{name}.npz"
        try:
            if opts.lib == "srcgrad":
                record.update(run_srcgrad(workload, args, grad_path, opts.min_time, opts.max_time))
            else:
                record.update(run_library(opts.lib, prepare, workload, args, grad_path, opts.min_time,
                                          opts.max_time))
            record["status"] = "ok"
            record["ratio"] = record["grad"]["median"] / record["numpy_f"]["median"]
            record["grad_file"] = str(grad_path)
        except Exception as exc:
            record.update(status="n/a", reason=_reason(exc), traceback=traceback.format_exc(limit=-3))
        records.append(record)
        print(f"[{opts.lib}] {name}: {record['status']}", file=sys.stderr, flush=True)

    Path(opts.out).write_text(json.dumps({"info": info, "records": records}, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
