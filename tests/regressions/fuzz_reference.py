"""Independent references for the fuzz-found regression tests (test_fuzz_*.py): float64 differences.

Those tests are minimized programs from tests/fuzz, one test per distinct srcgrad bug, written out
as ordinary Python with inputs and an independent reference (finite differences, a closed form, or
f's own value). While a bug stands its test is `xfail(strict=True)` with the observed behaviour;
fixing the bug makes it XPASS and fail, and the fixer removes the mark and the bug's entry in
tests/fuzz/known.py.
"""
from typing import Callable

import numpy as np


def derivative(f: Callable[[float], float], a: float, h: float = 1e-6) -> float:
    """df/da by central differences."""
    return (f(a + h) - f(a - h)) / (2 * h)


def second_derivative(f: Callable[[float], float], a: float, h: float = 1e-4) -> float:
    """d2f/da2 by second differences."""
    return (f(a + h) - 2 * f(a) + f(a - h)) / (h * h)


def gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The gradient of f at array x by central differences, entry by entry."""
    g = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x, dtype=np.float64)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g
