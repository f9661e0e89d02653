"""The benchmark workloads: scalar losses written in plain NumPy, as a user would write them.

Each `Workload` names its loss `f`, the arguments differentiated (`wrt`, positional indices),
`make_args(scale)`, which builds the same inputs (float64, fixed seed) in every process, and
`by_hand`: the gradient an expert writes by hand in NumPy (backprop written out, no automatic
differentiation), defined right under its loss. `by_hand(*args)` returns what
`srcgrad.grad(f, wrt=wrt)(*args)` returns: a tuple with one gradient per `wrt` argument, each
of that argument's structure (a float for a float, a dict of arrays for a dict).
The other libraries' translations live in `torch_workloads.py`, `jax_workloads.py`,
`autograd_workloads.py` and `tangent_workloads.py`, one function per workload name.
"""
import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

SCALES = ("full", "tiny")


# --- the losses, each followed by its gradient written by hand ---------------------------------

def scalar_recurrence(a, b, x0, steps):
    """`steps` iterations of a scalar map on Python floats: per-operation overhead dominates."""
    x = x0
    for i in range(steps):
        x = x * a + math.sin(x) * b
    return x


def scalar_recurrence_grad_by_hand(a, b, x0, steps):
    xs = []
    x = x0
    for i in range(steps):
        s = math.sin(x)
        xs.append((x, s))
        x = x * a + s * b
    da = db = 0.0
    dx = 1.0
    for x, s in reversed(xs):
        da += dx * x
        db += dx * s
        dx *= a + math.cos(x) * b
    return da, db


def scalar_recurrence_np(a, b, x0, steps):
    """A scalar map written with `np.exp` and `np.sin` on Python floats (they return np.float64)."""
    x = x0
    for i in range(steps):
        x = np.exp(-x * x) * a + np.sin(x) * b
    return x


def scalar_recurrence_np_grad_by_hand(a, b, x0, steps):
    xs = []
    x = x0
    for i in range(steps):
        e, s = np.exp(-x * x), np.sin(x)
        xs.append((x, e, s))
        x = e * a + s * b
    da = db = 0.0
    dx = 1.0
    for x, e, s in reversed(xs):
        da += dx * e
        db += dx * s
        dx *= np.cos(x) * b - 2.0 * x * e * a
    return float(da), float(db)


def rosenbrock(x):
    """The n-dimensional Rosenbrock function, elementwise."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_grad_by_hand(x):
    head = x[:-1]
    r = x[1:] - head ** 2
    g = np.zeros_like(x)
    g[:-1] = -400.0 * r * head - 2.0 * (1.0 - head)
    g[1:] += 200.0 * r
    return (g,)


def logistic_regression(w, b, X, y):
    """Mean logistic loss of labels y in {-1, +1}."""
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, -y * z))


def logistic_regression_grad_by_hand(w, b, X, y):
    z = X @ w + b
    # d/dz logaddexp(0, -y z) = -y sigmoid(-y z), and sigmoid(-u) = exp(-logaddexp(0, u)) does not overflow
    dz = -y * np.exp(-np.logaddexp(0.0, y * z)) / len(y)
    return X.T @ dz, float(np.sum(dz))


def mlp(params, x, y):
    """A 3-layer ReLU MLP with softmax cross-entropy (log-sum-exp) over integer labels."""
    h1 = np.maximum(x @ params["W1"] + params["b1"], 0.0)
    h2 = np.maximum(h1 @ params["W2"] + params["b2"], 0.0)
    logits = h2 @ params["W3"] + params["b3"]
    m = np.max(logits, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return np.mean(lse - logits[np.arange(len(y)), y])


def mlp_grad_by_hand(params, x, y):
    a1 = x @ params["W1"] + params["b1"]
    h1 = np.maximum(a1, 0.0)
    a2 = h1 @ params["W2"] + params["b2"]
    h2 = np.maximum(a2, 0.0)
    logits = h2 @ params["W3"] + params["b3"]
    p = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    p /= np.sum(p, axis=1, keepdims=True)  # softmax: the gradient of log-sum-exp
    p[np.arange(len(y)), y] -= 1.0
    d3 = p / len(y)
    d2 = (d3 @ params["W3"].T) * (a2 > 0.0)
    d1 = (d2 @ params["W2"].T) * (a1 > 0.0)
    return ({"W1": x.T @ d1, "b1": np.sum(d1, axis=0), "W2": h1.T @ d2, "b2": np.sum(d2, axis=0),
             "W3": h2.T @ d3, "b3": np.sum(d3, axis=0)},)


def rnn(Wx, Wh, bh, Wy, xs, target):
    """A vanilla tanh RNN over xs (time, batch, input), a Python loop over time; MSE of a readout."""
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for x in xs:
        h = np.tanh(x @ Wx + h @ Wh + bh)
    y = h @ Wy
    return np.mean((y - target) ** 2)


def rnn_grad_by_hand(Wx, Wh, bh, Wy, xs, target):
    hs = [np.zeros((xs.shape[1], Wh.shape[0]))]
    for x in xs:
        hs.append(np.tanh(x @ Wx + hs[-1] @ Wh + bh))
    y = hs[-1] @ Wy
    dy = 2.0 * (y - target) / y.size
    dWx, dWh, dbh = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(bh)
    dh = dy @ Wy.T
    for t in range(len(xs) - 1, -1, -1):  # backpropagation through time
        da = dh * (1.0 - hs[t + 1] ** 2)
        dWx += xs[t].T @ da
        dWh += hs[t].T @ da
        dbh += np.sum(da, axis=0)
        dh = da @ Wh.T
    return dWx, dWh, dbh, hs[-1].T @ dy


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


def branchy_grad_by_hand(w, x, steps):
    h = x
    tape = []
    for i in range(steps):
        z = np.sum(w * h)
        if z > 0:
            h_next = np.tanh(h - w)
        else:
            h_next = np.tanh(h + w)
        tape.append((h, z, z > 0, h_next))
        h = h_next
    dw = np.zeros_like(w)
    dh = np.zeros_like(x)  # the final h does not reach the loss
    for h, z, positive, h_next in reversed(tape):
        da = dh * (1.0 - h_next * h_next)
        dw += 2.0 * z * h
        if positive:
            dw -= da
        else:
            dw += da
        dh = da + 2.0 * z * w
    return dw, dh


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
    """A benchmark: the loss `f(*make_args(scale))`, differentiated w.r.t. positional args `wrt`;
    `by_hand(*args)` is its gradient written by hand."""

    name: str
    description: str
    f: Callable[..., Any]
    wrt: tuple[int, ...]
    make_args: Callable[[str], tuple]
    by_hand: Callable[..., tuple]


WORKLOADS: list[Workload] = [
    Workload("scalar_recurrence", "1000 steps of x = x*a + math.sin(x)*b on floats, d/d(a, b)",
             scalar_recurrence, (0, 1), _scalar_args, scalar_recurrence_grad_by_hand),
    Workload("scalar_recurrence_np", "1000 steps of x = np.exp(-x*x)*a + np.sin(x)*b on floats, d/d(a, b)",
             scalar_recurrence_np, (0, 1), _scalar_args, scalar_recurrence_np_grad_by_hand),
    Workload("rosenbrock_1e3", "Rosenbrock, 10^3 elements", rosenbrock, (0,), _rosenbrock_args(1000),
             rosenbrock_grad_by_hand),
    Workload("rosenbrock_1e5", "Rosenbrock, 10^5 elements", rosenbrock, (0,), _rosenbrock_args(100_000),
             rosenbrock_grad_by_hand),
    Workload("rosenbrock_1e6", "Rosenbrock, 10^6 elements", rosenbrock, (0,), _rosenbrock_args(1_000_000),
             rosenbrock_grad_by_hand),
    Workload("logistic", "logistic regression, 256 x 100, d/d(w, b)", logistic_regression, (0, 1), _logistic_args,
             logistic_regression_grad_by_hand),
    Workload("mlp_small", "MLP 784-128-64-10, softmax CE, batch 64, dict params", mlp, (0,),
             _mlp_args(64, (128, 64)), mlp_grad_by_hand),
    Workload("mlp_large", "MLP 784-1024-1024-10, softmax CE, batch 1024 (BLAS-bound)", mlp, (0,),
             _mlp_args(1024, (1024, 1024)), mlp_grad_by_hand),
    Workload("rnn", "tanh RNN, hidden 64, T=50, batch 16, input 32, d/d(Wx, Wh, bh, Wy)", rnn, (0, 1, 2, 3),
             _rnn_args, rnn_grad_by_hand),
    Workload("branchy", "200-step loop with an if on the sign of an intermediate, d/d(w, x)", branchy, (0, 1),
             _branchy_args, branchy_grad_by_hand),
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


# --- lines of code ----------------------------------------------------------------------------

def code_lines(source: str) -> int:
    """The lines of `source` that hold code: not blank, not only a comment, not in a docstring."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    return sum(1 for number, line in enumerate(source.splitlines(), start=1)
               if line.strip() and not line.lstrip().startswith("#") and number not in docstrings)
