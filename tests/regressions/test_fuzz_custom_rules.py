"""A tangent rule registered alone is used by jvp (it was ignored: found by the fuzz oracles' meta-tests).

README ("Your own rules"): rules registered with @srcgrad.adjoint / @srcgrad.tangent are used
instead of differentiating the function's source. The rule below is deliberately not the
derivative (a constant 100), so whether jvp used it is visible in the number.
"""
# ruff: noqa: F821  (rule templates use d[...], which is never defined)
import numpy as np
import pytest

import srcgrad


def softplus_like(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


@srcgrad.tangent(softplus_like)
def _hundred(y, x):
    d[y] = d[x] * 100.0


def calls_softplus_like(x):
    return softplus_like(x) * 2.0


def test_jvp_uses_a_registered_tangent_rule() -> None:
    value, tangent = srcgrad.jvp(calls_softplus_like)(0.5, 1.0)
    assert value == calls_softplus_like(0.5)
    assert tangent == 200.0
