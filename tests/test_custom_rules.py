"""User-defined derivative rules, non-differentiable marks, stop_gradient and gradient hooks.

References are closed forms and float64 central finite differences.
"""
import numpy as np
import pytest

import srcgrad
from srcgrad.rules.registry import ADJOINTS

# ruff: noqa: F821  (rule templates use d[...], which is never defined)


def naive_softplus(x):
    return np.log(1.0 + np.exp(x))


def stable_softplus(x):
    """log(1 + e^x), with a registered rule instead of differentiating this (overflowing) source."""
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@srcgrad.adjoint(stable_softplus)
def _stable_softplus_rule(y, x):
    d[x] = d[y] * sigmoid(x)


def uses_softplus(x):
    return np.sum(stable_softplus(x))


def uses_naive(x):
    return np.sum(naive_softplus(x))


def test_custom_rule_is_used_instead_of_the_source() -> None:
    x = np.array([-800.0, -1.0, 0.0, 2.0, 800.0])
    g = srcgrad.grad(uses_softplus)(x)
    np.testing.assert_allclose(g, sigmoid(x), rtol=1e-12)
    assert "sigmoid" in srcgrad.grad(uses_softplus).source  # the rule's template, inlined
    with np.errstate(over="ignore", invalid="ignore"):
        naive = srcgrad.grad(uses_naive)(x)
    assert not np.isfinite(naive[-1])  # differentiating the naive source overflows at x = 800


def test_a_rule_for_a_function_without_source() -> None:
    cube = np.frompyfunc(lambda v: v ** 3, 1, 1)

    @srcgrad.adjoint(cube)
    def _cube_rule(y, x):
        d[x] = d[y] * 3.0 * x * x

    try:
        def f(a):
            return float(cube(a)) * 2.0

        assert srcgrad.grad(f)(1.5) == pytest.approx(6.0 * 1.5 ** 2)
    finally:
        ADJOINTS.pop(cube, None)


def rounds(x):
    return np.sum(np.round(x * 3.0) * x)


def test_nondifferentiable_and_stop_gradient() -> None:
    x = np.array([0.2, 0.9])
    np.testing.assert_allclose(srcgrad.grad(rounds)(x), np.round(x * 3.0))

    def stopped(a, b):
        return srcgrad.stop_gradient(a * b) * a

    assert srcgrad.grad(stopped)(2.0, 3.0) == pytest.approx(6.0)


def clipped_rnn(W, xs):
    h = np.zeros(W.shape[0])
    total = 0.0
    for x in xs:
        h = np.tanh(W @ h + x)
        with srcgrad.insert_grad_of(h) as g:
            g = np.clip(g, -0.01, 0.01)
        total = total + np.sum(h)
    return total


def clipped_backprop_by_hand(W: np.ndarray, xs: np.ndarray, bound: float = 0.01) -> np.ndarray:
    """The gradient of clipped_rnn written out: at each step h's adjoint (from this step's sum and
    the next step's W @ h) is clipped, then flows through tanh into W and the previous h."""
    hs = [np.zeros(W.shape[0])]
    for x in xs:
        hs.append(np.tanh(W @ hs[-1] + x))
    d_W, d_h = np.zeros_like(W), np.zeros(W.shape[0])
    for t in range(len(xs), 0, -1):
        d_h = np.clip(d_h + 1.0, -bound, bound)
        d_pre = d_h * (1.0 - hs[t] ** 2)
        d_W += np.outer(d_pre, hs[t - 1])
        d_h = W.T @ d_pre
    return d_W


def test_insert_grad_of_runs_on_the_adjoint_in_the_backward_pass() -> None:
    rng = np.random.default_rng(0)
    W, xs = rng.normal(size=(3, 3)), rng.normal(size=(6, 3))
    g = srcgrad.grad(clipped_rnn)(W, xs)
    np.testing.assert_allclose(g, clipped_backprop_by_hand(W, xs), rtol=1e-12, atol=1e-15)
    # the clip is active here: without it the gradient is a different one
    assert not np.allclose(g, clipped_backprop_by_hand(W, xs, bound=np.inf))
    source = srcgrad.grad(clipped_rnn).source
    assert "np.clip(g, -0.01, 0.01)" in source
    assert np.isfinite(clipped_rnn(W, xs))  # called as plain Python, the hook runs harmlessly


def test_insert_grad_of_without_change_leaves_the_gradient_exact() -> None:
    def f(a):
        b = a * a
        with srcgrad.insert_grad_of(b) as g:
            g = g * 1.0
        return b * 3.0

    assert srcgrad.grad(f)(2.0) == pytest.approx(12.0)
