"""The worker side of data-parallel training: the compiled program cache and the step task.

These functions run in Dask worker processes. They are imported by reference, so srcgrad
must be installed on the workers (the user's own code need not be: see `shipping`).
"""
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from srcgrad.distributed.shipping import Located, Sources, register_sources, restore_filenames
from srcgrad.optim.tree import unflatten
from srcgrad.train.batching import Batch
from srcgrad.train.step import batch_value_and_grad


@dataclass
class Program:
    """What a worker runs each step: the gradient function and the metrics, compiled once."""

    value_and_grad: Callable
    metrics: dict[str, Callable]


class WorkerImportError(ImportError):
    """A worker could not unpickle the program: a module it is pickled by reference from is not importable there.

    The driver turns it into a ClusterError saying how to make the module importable (engine._missing_module).
    """


_PROGRAMS: dict[str, Program] = {}
_LOCK = threading.Lock()


def make_blob(loss: Callable, value_and_grad: Callable | None, metrics: dict[str, Callable], sources: Sources,
              located: Located) -> bytes:
    """Serialize the program on the driver: ("compile", loss, wrt) or ("call", vg), metrics, sources."""
    import cloudpickle

    from srcgrad.api import GradientFunction

    if value_and_grad is None:
        spec: tuple = ("compile", loss, 0)
    elif isinstance(value_and_grad, GradientFunction) and value_and_grad.with_value:
        spec = ("compile", value_and_grad.func, value_and_grad.wrt)
    else:
        spec = ("call", value_and_grad, None)
    # `located` in the same pickle as the functions: unpickling gives the very same objects.
    return pickle.dumps((sources, cloudpickle.dumps((spec, metrics, located))))


def load_program(key: str, blob: bytes) -> Program:
    """The program for `key`, unpickled and compiled on first use in this worker process."""
    with _LOCK:
        program = _PROGRAMS.get(key)
        if program is None:
            sources, payload = pickle.loads(blob)
            register_sources(sources)  # before compiling: srcgrad reads the functions' source
            try:
                (kind, fn, wrt), metrics, located = pickle.loads(payload)
            except ImportError as exc:
                raise WorkerImportError(str(exc), name=exc.name) from None
            restore_filenames(located)
            if kind == "compile":
                import srcgrad

                fn = srcgrad.value_and_grad(fn, wrt=wrt)
            program = _PROGRAMS[key] = Program(fn, metrics)
        return program


def forget_program(key: str) -> None:
    """Drop a finished run's program from this worker's cache."""
    with _LOCK:
        _PROGRAMS.pop(key, None)


def step_task(key: str, blob: bytes, shard: tuple[int, tuple[np.ndarray, ...]] | None, rows: Any,
              leaves: list[np.ndarray], treedef: Any, micro_batch_size: int | None,
              with_metrics: bool) -> tuple[float, list[np.ndarray], dict[str, float]]:
    """Mean loss, gradient leaves and metrics over this worker's share of one batch.

    With a `shard` (start, arrays) held on this worker, `rows` are global example numbers in it;
    without one, `rows` is the tuple of arrays of the share itself (a batch source).
    """
    program = load_program(key, blob)
    if shard is not None:
        start, arrays = shard
        local = np.asarray(rows) - start
        batch = Batch(0, len(local), arrays, local)
    else:
        batch = Batch(0, len(rows[0]), tuple(rows))
    tree = unflatten(treedef, leaves)
    value, grads = batch_value_and_grad(program.value_and_grad, tree, leaves, batch, micro_batch_size)
    logs = {}
    if with_metrics and program.metrics:
        arrays = batch.take()
        logs = {name: float(fn(tree, *arrays)) for name, fn in program.metrics.items()}
    return value, grads, logs
