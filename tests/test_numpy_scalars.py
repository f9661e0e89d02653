"""NumPy functions of Python floats give NumPy scalars (`np.sin(x)` of a float is an np.float64): the
compiler treats them as scalars, so the gradient of a scalar loop needs no broadcasting bookkeeping.
References: closed forms and central finite differences in float64."""
import math

import numpy as np
import pytest

import srcgrad
from regressions.fuzz_reference import derivative


def recurrence(a, b, x0, n):
    x = x0
    for i in range(n):
        x = x * a + np.sin(x) * b
    return x


def mixed(a):
    s = np.exp(a) + math.cos(a)
    t = np.maximum(s, 1.5) * np.hypot(a, 2.0)
    k = np.floor_divide(7, 2)
    return t * k + np.tanh(t) / (1.0 + np.abs(a))


def repeated_by_a_numpy_integer(a):
    n = np.maximum(2, 1)
    parts = n * (a,)
    return np.sum(np.array(parts) * np.array([3.0, 5.0]))


@pytest.mark.parametrize("n", [1, 5, 200])
def test_a_scalar_recurrence_with_numpy_functions(n):
    grad_a, grad_b = srcgrad.grad(recurrence, wrt=(0, 1))(0.9, 0.1, 0.5, n)
    assert grad_a == pytest.approx(derivative(lambda a: recurrence(a, 0.1, 0.5, n), 0.9), rel=1e-6)
    assert grad_b == pytest.approx(derivative(lambda b: recurrence(0.9, b, 0.5, n), 0.1), rel=1e-6)


def test_the_scalar_recurrence_gradient_has_no_broadcasting_bookkeeping():
    df = srcgrad.grad(recurrence, wrt=(0, 1))
    df(0.9, 0.1, 0.5, 3)
    assert "unbroadcast" not in df.source and "shape_of" not in df.source


@pytest.mark.parametrize("a", [-0.7, 0.2, 1.3])
def test_numpy_functions_of_numbers_mixed_with_math(a):
    value, grad = srcgrad.value_and_grad(mixed)(a)
    assert value == mixed(a)
    assert grad == pytest.approx(derivative(mixed, a), rel=1e-6)


def test_a_numpy_integer_repeats_a_tuple():
    # np.int64(2) * (a,) is (a, a), as with a Python int
    assert repeated_by_a_numpy_integer(1.5) == pytest.approx(12.0)
    assert srcgrad.grad(repeated_by_a_numpy_integer)(1.5) == pytest.approx(8.0, rel=1e-12)
