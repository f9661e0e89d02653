"""Adjoints of products that generated code calls directly (they are on every MLP's hot path)."""
import numpy as np

from srcgrad.runtime.broadcast import unbroadcast


def matmul_adjoint_left(g, x, y):
    """The adjoint of `x` in `x @ y`, given the adjoint `g` of the product, for every rank `@` accepts."""
    if type(y) is np.ndarray and type(x) is np.ndarray and x.ndim == 2 and y.ndim == 2:
        return g @ y.T
    if np.ndim(y) == 1:
        if np.ndim(x) == 1:
            return g * y
        return unbroadcast(np.expand_dims(g, -1) * y, x)
    if np.ndim(x) == 1:
        return unbroadcast(np.matmul(np.expand_dims(g, -2), np.swapaxes(y, -1, -2))[..., 0, :], x)
    return unbroadcast(np.matmul(g, np.swapaxes(y, -1, -2)), x)


def matmul_adjoint_right(g, x, y):
    """The adjoint of `y` in `x @ y`, given the adjoint `g` of the product, for every rank `@` accepts."""
    if type(y) is np.ndarray and type(x) is np.ndarray and x.ndim == 2 and y.ndim == 2:
        return x.T @ g
    if np.ndim(x) == 1:
        if np.ndim(y) == 1:
            return g * x
        return unbroadcast(np.expand_dims(x, -1) * np.expand_dims(g, -2), y)
    if np.ndim(y) == 1:
        return unbroadcast(np.matmul(np.swapaxes(x, -1, -2), np.expand_dims(g, -1))[..., 0], y)
    return unbroadcast(np.matmul(np.swapaxes(x, -1, -2), g), y)
