"""Module-level functions for tests/test_call_errors.py: importable by name, as pickling by reference and a
spawned multiprocessing worker need."""
import numpy as np

import srcgrad


@srcgrad.grad
def grad_of_cubes(x):
    return np.sum(x ** 3)


def cubes(x, scale=1.0):
    return scale * np.sum(x ** 3)


def scaled(x, y, z=3.0):
    return np.sum(np.sin(x) * y) + z * y


class Quadratic:
    """A model whose method is differentiated through a functools.partial."""

    def __init__(self, k: float):
        self.k = k

    def loss(self, w, x):
        return self.k * np.sum((w * x) ** 2)

    def __call__(self, w):
        return np.sum(w ** 3)


def descend(x, n):
    if n == 0:
        return x
    return descend(x, n - 1) * 1.001
