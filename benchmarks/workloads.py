"""The benchmark workloads: scalar losses written in plain NumPy, as a user would write them.

Each `Workload` names its loss `f`, the arguments differentiated (`wrt`, positional indices)
and `make_args(scale)`, which builds the same inputs (float64, fixed seed) in every process.
The other libraries' translations live in `torch_workloads.py`, `jax_workloads.py`,
`autograd_workloads.py` and `tangent_workloads.py`, one function per workload name.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

SCALES = ("full", "tiny")


# --- the losses -------------------------------------------------------------------------------

def scalar_recurrence(a, b, x0, steps):
    """`steps` iterations of a scalar map on Python floats: per-operation overhead dominates."""
    x = x0
    for i in range(steps):
        x = x * a + math.sin(x) * b
    return x


def rosenbrock(x):
    """The n-dimensional Rosenbrock function, elementwise."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def logistic_regression(w, b, X, y):
    """Mean logistic loss of labels y in {-1, +1}."""
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, -y * z))


def mlp(params, x, y):
    """A 3-layer ReLU MLP with softmax cross-entropy (log-sum-exp) over integer labels."""
    h1 = np.maximum(x @ params["W1"] + params["b1"], 0.0)
    h2 = np.maximum(h1 @ params["W2"] + params["b2"], 0.0)
    logits = h2 @ params["W3"] + params["b3"]
    m = np.max(logits, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return np.mean(lse - logits[np.arange(len(y)), y])


def rnn(Wx, Wh, bh, Wy, xs, target):
    """A vanilla tanh RNN over xs (time, batch, input), a Python loop over time; MSE of a readout."""
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for x in xs:
        h = np.tanh(x @ Wx + h @ Wh + bh)
    y = h @ Wy
    return np.mean((y - target) ** 2)


def branchy(w, x, steps):
    """A loop whose body branches on the sign of an intermediate value."""
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


# --- the inputs -------------------------------------------------------------------------------

def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _scalar_args(scale: str) -> tuple:
    return (0.6, 0.3, 0.5, 1000 if scale == "full" else 20)


def _rosenbrock_args(n: int) -> Callable[[str], tuple]:
    def make(scale: str) -> tuple:
        size = n if scale == "full" else min(n, 10 if n <= 1000 else 100)
        return (_rng(1).uniform(-1.2, 1.2, size),)
    return make


def _logistic_args(scale: str) -> tuple:
    n, d = (256, 100) if scale == "full" else (8, 5)
    rng = _rng(2)
    X = rng.normal(size=(n, d))
    w_true = rng.normal(size=d)
    y = np.where(X @ w_true + 0.3 * rng.normal(size=n) > 0, 1.0, -1.0)
    return (0.1 * rng.normal(size=d), 0.1, X, y)


def mlp_params(sizes: tuple[int, ...], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """He-uniform weights, small random biases, for layer widths `sizes`."""
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        limit = math.sqrt(6.0 / fan_in)
        params[f"W{i}"] = rng.uniform(-limit, limit, size=(fan_in, fan_out))
        params[f"b{i}"] = 0.01 * rng.normal(size=fan_out)
    return params


def _mlp_args(batch: int, hidden: tuple[int, int]) -> Callable[[str], tuple]:
    def make(scale: str) -> tuple:
        sizes, n = ((784, *hidden, 10), batch) if scale == "full" else ((20, 8, 6, 10), 4)
        rng = _rng(3)
        params = mlp_params(sizes, rng)
        x = rng.uniform(0.0, 1.0, size=(n, sizes[0]))
        y = rng.integers(0, 10, size=n)
        return (params, x, y)
    return make


def _rnn_args(scale: str) -> tuple:
    T, batch, n_in, hidden, n_out = (50, 16, 32, 64, 8) if scale == "full" else (3, 2, 4, 5, 2)
    rng = _rng(4)
    Wx = rng.normal(size=(n_in, hidden)) / math.sqrt(n_in)
    Wh = rng.normal(size=(hidden, hidden)) / math.sqrt(hidden)
    bh = 0.1 * rng.normal(size=hidden)
    Wy = rng.normal(size=(hidden, n_out)) / math.sqrt(hidden)
    xs = rng.normal(size=(T, batch, n_in))
    target = rng.normal(size=(batch, n_out))
    return (Wx, Wh, bh, Wy, xs, target)


def _branchy_args(scale: str) -> tuple:
    rng = _rng(5)
    n = 16 if scale == "full" else 4
    return (rng.uniform(-1.0, 1.0, size=n), rng.uniform(-1.0, 1.0, size=n), 200 if scale == "full" else 10)


# --- the registry -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Workload:
    """A benchmark: the loss `f(*make_args(scale))`, differentiated w.r.t. positional args `wrt`."""

    name: str
    description: str
    f: Callable[..., Any]
    wrt: tuple[int, ...]
    make_args: Callable[[str], tuple]


WORKLOADS: list[Workload] = [
    Workload("scalar_recurrence", "1000 steps of x = x*a + sin(x)*b on floats, d/d(a, b)",
             scalar_recurrence, (0, 1), _scalar_args),
    Workload("rosenbrock_1e3", "Rosenbrock, 10^3 elements", rosenbrock, (0,), _rosenbrock_args(1000)),
    Workload("rosenbrock_1e6", "Rosenbrock, 10^6 elements", rosenbrock, (0,), _rosenbrock_args(1_000_000)),
    Workload("logistic", "logistic regression, 256 x 100, d/d(w, b)", logistic_regression, (0, 1), _logistic_args),
    Workload("mlp_small", "MLP 784-128-64-10, softmax CE, batch 64, dict params", mlp, (0,),
             _mlp_args(64, (128, 64))),
    Workload("mlp_large", "MLP 784-1024-1024-10, softmax CE, batch 1024 (BLAS-bound)", mlp, (0,),
             _mlp_args(1024, (1024, 1024))),
    Workload("rnn", "tanh RNN, hidden 64, T=50, batch 16, input 32, d/d(Wx, Wh, bh, Wy)", rnn, (0, 1, 2, 3),
             _rnn_args),
    Workload("branchy", "200-step loop with an if on the sign of an intermediate, d/d(w, x)", branchy, (0, 1),
             _branchy_args),
]

BY_NAME: dict[str, Workload] = {w.name: w for w in WORKLOADS}


# --- pytrees of gradients ---------------------------------------------------------------------

def leaves(value: Any) -> list[np.ndarray]:
    """The float64 arrays of an argument or gradient: a number, an array, or a dict (sorted keys)."""
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in leaves(value[key])]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in leaves(item)]
    return [np.asarray(value, dtype=np.float64)]


def perturbed(args: tuple, arg: int, leaf: int, index: int, delta: float) -> tuple:
    """A copy of `args` with flat entry `index` of leaf `leaf` of argument `arg` moved by `delta`."""
    args = list(args)
    value = args[arg]
    if isinstance(value, dict):
        keys = sorted(value)
        value = dict(value)
        array = np.array(value[keys[leaf]], dtype=np.float64)
        array.reshape(-1)[index] += delta
        value[keys[leaf]] = array
    elif isinstance(value, float):
        value = value + delta
    else:
        value = np.array(value, dtype=np.float64)
        value.reshape(-1)[index] += delta
    args[arg] = value
    return tuple(args)


def finite_differences(workload: Workload, args: tuple, n_coords: int = 4,
                       seed: int = 0) -> list[dict[str, Any]]:
    """Float64 central differences of `f` at a few random coordinates of the `wrt` arguments.

    Returns one record per coordinate: `{"grad": g, "leaf": k, "index": i, "fd": value, "tol": t}`
    where g indexes `wrt`, k the leaf of that argument and i the flat index in the leaf; `tol`
    bounds the rounding error of the difference quotient.
    """
    rng = np.random.default_rng(seed)
    f0 = abs(float(workload.f(*args)))
    out = []
    for _ in range(n_coords):
        g = int(rng.integers(len(workload.wrt)))
        arg = workload.wrt[g]
        arg_leaves = leaves(args[arg])
        k = int(rng.integers(len(arg_leaves)))
        i = int(rng.integers(arg_leaves[k].size))
        x = float(arg_leaves[k].reshape(-1)[i])
        h = 1e-6 * max(1.0, abs(x))
        up = float(workload.f(*perturbed(args, arg, k, i, h)))
        down = float(workload.f(*perturbed(args, arg, k, i, -h)))
        fd = (up - down) / (2 * h)
        tol = 1e-5 * abs(fd) + 8 * np.finfo(np.float64).eps * max(f0, 1.0) / h + 1e-9
        out.append({"grad": g, "leaf": k, "index": i, "fd": fd, "tol": tol})
    return out


def check_fd(grads: list[list[np.ndarray]], fd: list[dict[str, Any]]) -> tuple[bool, str]:
    """Whether gradients (per wrt argument, a list of leaves) match the finite differences."""
    worst = ""
    ok = True
    for rec in fd:
        got = float(grads[rec["grad"]][rec["leaf"]].reshape(-1)[rec["index"]])
        if not abs(got - rec["fd"]) <= rec["tol"]:
            ok = False
            worst = f"arg {rec['grad']} leaf {rec['leaf']} [{rec['index']}]: got {got:.8g}, fd {rec['fd']:.8g}"
    return ok, worst


def compare(grads: list[list[np.ndarray]], reference: list[list[np.ndarray]],
            rtol: float = 1e-6) -> tuple[bool, str]:
    """Whether gradients match the reference ones leaf by leaf (atol scaled by each leaf's size)."""
    if len(grads) != len(reference):
        return False, f"{len(grads)} gradients, expected {len(reference)}"
    for g, (got, want) in enumerate(zip(grads, reference)):
        if len(got) != len(want):
            return False, f"gradient {g} has {len(got)} leaves, expected {len(want)}"
        for k, (a, b) in enumerate(zip(got, want)):
            if a.shape != b.shape:
                return False, f"gradient {g} leaf {k} has shape {a.shape}, expected {b.shape}"
            scale = float(np.max(np.abs(b))) if b.size else 0.0
            if not np.allclose(a, b, rtol=rtol, atol=rtol * scale + 1e-12):
                err = float(np.max(np.abs(a - b)))
                return False, f"gradient {g} leaf {k}: max abs difference {err:.3g} (max |ref| {scale:.3g})"
    return True, ""
