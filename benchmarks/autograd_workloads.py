"""The workloads in autograd (`autograd.numpy`), and how to take their gradients.

Each function is its NumPy original from `workloads.py` with `np` bound to `autograd.numpy`;
`math.sin` becomes `np.sin`, since autograd traces only its own wrapped functions.
"""
from collections.abc import Callable
from typing import Any

import autograd
import autograd.numpy as np
import numpy as onp


def scalar_recurrence(a, b, x0, steps):
    x = x0
    for i in range(steps):
        x = x * a + np.sin(x) * b
    return x


def scalar_recurrence_np(a, b, x0, steps):
    x = x0
    for i in range(steps):
        x = np.exp(-x * x) * a + np.sin(x) * b
    return x


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def logistic_regression(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, -y * z))


def mlp(params, x, y):
    h1 = np.maximum(x @ params["W1"] + params["b1"], 0.0)
    h2 = np.maximum(h1 @ params["W2"] + params["b2"], 0.0)
    logits = h2 @ params["W3"] + params["b3"]
    m = np.max(logits, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return np.mean(lse - logits[np.arange(len(y)), y])


def rnn(Wx, Wh, bh, Wy, xs, target):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for x in xs:
        h = np.tanh(x @ Wx + h @ Wh + bh)
    y = h @ Wy
    return np.mean((y - target) ** 2)


def branchy(w, x, steps):
    h = x
    total = 0.0
    for i in range(steps):
        z = np.sum(w * h)
        if z > 0:
            h = np.tanh(h - w)
        else:
            h = np.tanh(h + w)
        total = total + z * z
    return total


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "scalar_recurrence": scalar_recurrence, "scalar_recurrence_np": scalar_recurrence_np,
    "rosenbrock_1e3": rosenbrock, "rosenbrock_1e5": rosenbrock, "rosenbrock_1e6": rosenbrock,
    "logistic": logistic_regression, "mlp_small": mlp, "mlp_large": mlp, "rnn": rnn, "branchy": branchy,
}


def _to_numpy(value: Any) -> list[onp.ndarray]:
    if isinstance(value, dict):
        return [onp.asarray(value[k], dtype=onp.float64) for k in sorted(value)]
    return [onp.asarray(value, dtype=onp.float64)]


def prepare(name: str, args: tuple, wrt: tuple[int, ...]) -> tuple[Callable[[], Any], Callable[[Any], list]]:
    """A zero-argument call computing the gradients, and a converter of its result to NumPy leaves."""
    g = autograd.grad(FUNCTIONS[name], argnum=wrt if len(wrt) > 1 else wrt[0])

    def call() -> Any:
        return g(*args)

    def to_numpy(grads: Any) -> list[list[onp.ndarray]]:
        return [_to_numpy(item) for item in (grads if len(wrt) > 1 else (grads,))]

    return call, to_numpy


def version() -> str:
    from importlib.metadata import version as dist_version

    return dist_version("autograd")
