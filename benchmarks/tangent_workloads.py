"""The workloads for tangent-ad (source-to-source, like srcgrad), and how to take their gradients.

Most are their NumPy originals from `workloads.py` verbatim. Changes tangent requires:
`math.sin` -> `np.sin` (no reverse rule for `math.sin`), and in the RNN the initial state is
`np.zeros_like(xs[0] @ Wx)` (tangent does not differentiate through attribute reads like `.shape`).
The gradient cache on disk is disabled by the worker (`TANGENT_DISK_CACHE=0`).
"""
from collections.abc import Callable
from typing import Any

import numpy as np
import tangent

from benchmarks import workloads


def scalar_recurrence(a, b, x0, steps):
    x = x0
    for i in range(steps):
        x = x * a + np.sin(x) * b
    return x


def rnn(Wx, Wh, bh, Wy, xs, target):
    h = np.zeros_like(xs[0] @ Wx)
    for x in xs:
        h = np.tanh(x @ Wx + h @ Wh + bh)
    y = h @ Wy
    return np.mean((y - target) ** 2)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "scalar_recurrence": scalar_recurrence, "scalar_recurrence_np": workloads.scalar_recurrence_np,
    "rosenbrock_1e3": workloads.rosenbrock, "rosenbrock_1e5": workloads.rosenbrock,
    "rosenbrock_1e6": workloads.rosenbrock, "logistic": workloads.logistic_regression,
    "mlp_small": workloads.mlp, "mlp_large": workloads.mlp, "rnn": rnn, "branchy": workloads.branchy,
}


def prepare(name: str, args: tuple, wrt: tuple[int, ...]) -> tuple[Callable[[], Any], Callable[[Any], list]]:
    """A zero-argument call computing the gradients, and a converter of its result to NumPy leaves."""
    g = tangent.grad(FUNCTIONS[name], wrt=wrt)

    def call() -> Any:
        return g(*args)

    def to_numpy(grads: Any) -> list[list[np.ndarray]]:
        return [workloads.leaves(item) for item in (grads if len(wrt) > 1 else (grads,))]

    return call, to_numpy


def version() -> str:
    from importlib.metadata import version as dist_version

    return dist_version("tangent-ad")
