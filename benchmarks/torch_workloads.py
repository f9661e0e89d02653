"""The workloads in PyTorch (eager, CPU, float64), and how to take their gradients.

Each function is a line-by-line translation of its NumPy original in `workloads.py`.
"""
from collections.abc import Callable
from typing import Any

import numpy as np
import torch


def scalar_recurrence(a, b, x0, steps):
    x = x0
    for i in range(steps):
        x = x * a + torch.sin(x) * b
    return x


def scalar_recurrence_np(a, b, x0, steps):
    x = x0
    for i in range(steps):
        x = torch.exp(-x * x) * a + torch.sin(x) * b
    return x


def rosenbrock(x):
    return torch.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def logistic_regression(w, b, X, y):
    z = X @ w + b
    return torch.mean(torch.logaddexp(torch.zeros((), dtype=z.dtype), -y * z))


def mlp(params, x, y):
    h1 = torch.relu(x @ params["W1"] + params["b1"])
    h2 = torch.relu(h1 @ params["W2"] + params["b2"])
    logits = h2 @ params["W3"] + params["b3"]
    m = torch.amax(logits, dim=1, keepdim=True)
    lse = m[:, 0] + torch.log(torch.sum(torch.exp(logits - m), dim=1))
    return torch.mean(lse - logits[torch.arange(len(y)), y])


def rnn(Wx, Wh, bh, Wy, xs, target):
    h = torch.zeros((xs.shape[1], Wh.shape[0]), dtype=xs.dtype)
    for x in xs:
        h = torch.tanh(x @ Wx + h @ Wh + bh)
    y = h @ Wy
    return torch.mean((y - target) ** 2)


def branchy(w, x, steps):
    h = x
    total = 0.0
    for i in range(steps):
        z = torch.sum(w * h)
        if z > 0:
            h = torch.tanh(h - w)
        else:
            h = torch.tanh(h + w)
        total = total + z * z
    return total


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "scalar_recurrence": scalar_recurrence, "scalar_recurrence_np": scalar_recurrence_np,
    "rosenbrock_1e3": rosenbrock, "rosenbrock_1e5": rosenbrock, "rosenbrock_1e6": rosenbrock,
    "logistic": logistic_regression, "mlp_small": mlp, "mlp_large": mlp, "rnn": rnn, "branchy": branchy,
}


def _to_torch(value: Any, active: bool) -> Any:
    if isinstance(value, dict):
        return {k: _to_torch(v, active) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # loop counts stay Python ints
    tensor = torch.tensor(value, dtype=torch.float64) if isinstance(value, float) else torch.from_numpy(value)
    return tensor.requires_grad_(True) if active else tensor


def _leaves(value: Any) -> list[torch.Tensor]:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return [value]


def prepare(name: str, args: tuple, wrt: tuple[int, ...]) -> tuple[Callable[[], Any], Callable[[Any], list]]:
    """A zero-argument call computing the gradients, and a converter of its result to NumPy leaves."""
    torch.set_num_threads(1)
    f = FUNCTIONS[name]
    targs = tuple(_to_torch(a, i in wrt) for i, a in enumerate(args))
    groups = [_leaves(targs[i]) for i in wrt]
    flat = [t for group in groups for t in group]

    def call() -> tuple[torch.Tensor, ...]:
        return torch.autograd.grad(f(*targs), flat)

    def to_numpy(grads: tuple[torch.Tensor, ...]) -> list[list[np.ndarray]]:
        out, pos = [], 0
        for group in groups:
            out.append([grads[pos + j].detach().numpy().astype(np.float64) for j in range(len(group))])
            pos += len(group)
        return out

    return call, to_numpy


def version() -> str:
    return torch.__version__
