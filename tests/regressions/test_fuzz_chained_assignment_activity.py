"""`u = scale = np.tanh(scale)` in a helper where u varies and scale does not (fuzz oracles jvp and grad).

The chained assignment was normalized to `u = np.tanh(scale); scale = u`, which made scale vary wherever
u does (activity is flow-insensitive), after the normalizer had left `scale if u > 0.5 else scale` as an
expression that cannot vary: srcgrad refused it ("cannot differentiate the expression IfExp").
References: finite differences.
"""
import numpy as np
import pytest

import srcgrad

from fuzz_reference import derivative


def squash(u, scale=0.5):
    acc = 0.5 * u
    if u > 0.5:
        u = scale = np.tanh(scale)
        u = np.tanh(u)
    else:
        u = np.tanh(u)
    return acc + (scale if u > 0.5 else scale)


def through_squash(a):
    return np.tanh(squash(a))


@pytest.mark.parametrize("a", [7.42e-05, 0.9])
def test_gradient_and_jvp_through_a_chained_assignment_of_a_constant(a):
    expected = derivative(through_squash, a)
    assert srcgrad.grad(through_squash)(a) == pytest.approx(expected, rel=1e-6)
    value, tangent = srcgrad.jvp(through_squash)(a, 1.0)
    assert value == pytest.approx(through_squash(a), rel=1e-12)
    assert tangent == pytest.approx(expected, rel=1e-6)
