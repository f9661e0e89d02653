"""The workloads in JAX (CPU, float64), taken eagerly (`jax.grad`) or compiled (`jax.jit(jax.grad)`).

Each function is a line-by-line translation of its NumPy original in `workloads.py`, except
that under `jax.jit` a branch on a traced value must be `lax.cond` (`branchy_jit`). Python
loops are unrolled by the tracer; integer loop counts are static arguments.
"""
from collections.abc import Callable
from typing import Any

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402


def scalar_recurrence(a, b, x0, steps):
    x = x0
    for i in range(steps):
        x = x * a + jnp.sin(x) * b
    return x


def scalar_recurrence_np(a, b, x0, steps):
    x = x0
    for i in range(steps):
        x = jnp.exp(-x * x) * a + jnp.sin(x) * b
    return x


def rosenbrock(x):
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def logistic_regression(w, b, X, y):
    z = X @ w + b
    return jnp.mean(jnp.logaddexp(0.0, -y * z))


def mlp(params, x, y):
    h1 = jnp.maximum(x @ params["W1"] + params["b1"], 0.0)
    h2 = jnp.maximum(h1 @ params["W2"] + params["b2"], 0.0)
    logits = h2 @ params["W3"] + params["b3"]
    m = jnp.max(logits, axis=1, keepdims=True)
    lse = m[:, 0] + jnp.log(jnp.sum(jnp.exp(logits - m), axis=1))
    return jnp.mean(lse - logits[jnp.arange(len(y)), y])


def rnn(Wx, Wh, bh, Wy, xs, target):
    h = jnp.zeros((xs.shape[1], Wh.shape[0]))
    for x in xs:
        h = jnp.tanh(x @ Wx + h @ Wh + bh)
    y = h @ Wy
    return jnp.mean((y - target) ** 2)


def branchy(w, x, steps):
    h = x
    total = 0.0
    for i in range(steps):
        z = jnp.sum(w * h)
        if z > 0:
            h = jnp.tanh(h - w)
        else:
            h = jnp.tanh(h + w)
        total = total + z * z
    return total


def branchy_jit(w, x, steps):
    h = x
    total = 0.0
    for i in range(steps):
        z = jnp.sum(w * h)
        h = lax.cond(z > 0, lambda h: jnp.tanh(h - w), lambda h: jnp.tanh(h + w), h)
        total = total + z * z
    return total


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "scalar_recurrence": scalar_recurrence, "scalar_recurrence_np": scalar_recurrence_np,
    "rosenbrock_1e3": rosenbrock, "rosenbrock_1e5": rosenbrock, "rosenbrock_1e6": rosenbrock,
    "logistic": logistic_regression, "mlp_small": mlp, "mlp_large": mlp, "rnn": rnn, "branchy": branchy,
}
JIT_FUNCTIONS: dict[str, Callable[..., Any]] = {**FUNCTIONS, "branchy": branchy_jit}


def _to_jax(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _to_jax(v) for k, v in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return jnp.asarray(value)


def _to_numpy(value: Any) -> list[np.ndarray]:
    if isinstance(value, dict):
        return [np.asarray(value[k], dtype=np.float64) for k in sorted(value)]
    return [np.asarray(value, dtype=np.float64)]


def prepare(name: str, args: tuple, wrt: tuple[int, ...],
            jit: bool = False) -> tuple[Callable[[], Any], Callable[[Any], list]]:
    """A zero-argument call computing the gradients, and a converter of its result to NumPy leaves."""
    f = (JIT_FUNCTIONS if jit else FUNCTIONS)[name]
    jargs = tuple(_to_jax(a) for a in args)
    g = jax.grad(f, argnums=wrt)
    if jit:
        static = tuple(i for i, a in enumerate(args) if isinstance(a, int) and not isinstance(a, bool))
        g = jax.jit(g, static_argnums=static)

    def call() -> Any:
        return jax.block_until_ready(g(*jargs))

    def to_numpy(grads: tuple) -> list[list[np.ndarray]]:
        return [_to_numpy(item) for item in grads]

    return call, to_numpy


def version() -> str:
    return jax.__version__
