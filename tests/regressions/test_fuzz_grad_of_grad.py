"""grad(grad(f)) through functions the README lists as differentiable (fuzz oracle grad(grad))."""
import numpy as np
import pytest

import srcgrad

from fuzz_reference import second_derivative


def prod_along_axis(a):
    return np.tanh(np.prod(a + np.zeros(3), axis=0))


def prod_of_all(a):
    return np.prod(a + np.zeros(3))


def norm_of(a):
    return np.linalg.norm(a * np.array([1.0, 2.0]))


def squash(u):
    u = np.tanh(u)
    return u


def through_helper(a):
    return squash(a)


def loop_over_a_list_read_again(a):
    hs = [a]
    for h in hs:
        b = np.tanh(h)
    return b + hs[0]


def joined_tuple_in_loop(a):
    for i in range(3):
        a = np.tanh(np.sum(np.tanh(np.hstack((a,) + (a,)))))
    return a


def joined_list_in_loop(a):
    for i in range(3):
        a = np.tanh(np.sum(np.stack([a] + [a * 0.5])))
    return a


_NO_PROD_RULE = pytest.mark.xfail(strict=True, raises=srcgrad.NotDifferentiableError,
                                  reason="NotDifferentiableError: no derivative rule for prod_adjoint "
                                  "(the helper the first gradient calls)")


@pytest.mark.parametrize("f", [pytest.param(prod_along_axis, marks=_NO_PROD_RULE),
                               pytest.param(prod_of_all, marks=_NO_PROD_RULE), norm_of])
def test_second_derivative_of_prod_and_norm(f) -> None:
    assert srcgrad.grad(srcgrad.grad(f))(0.7) == pytest.approx(second_derivative(f, 0.7), rel=1e-5, abs=1e-6)


@pytest.mark.xfail(strict=True, raises=srcgrad.NotDifferentiableError,
                   reason="NotDifferentiableError: 'a `+` joined a tuple (a list) that srcgrad could not tell apart "
                   "from an array' when differentiating the gradient of a loop over np.hstack((a,) + (a,)) or "
                   "np.stack([a] + [b]); the same joins outside a loop work")
@pytest.mark.parametrize("f", [joined_tuple_in_loop, joined_list_in_loop])
def test_second_derivative_of_a_sequence_join_in_a_loop(f) -> None:
    assert srcgrad.grad(srcgrad.grad(f))(0.3) == pytest.approx(second_derivative(f, 0.3), rel=1e-5)


@pytest.mark.xfail(strict=True, raises=IndexError, reason="IndexError: pop from empty list in the generated "
                   "squash_fwd, when the helper assigns its own parameter (u = np.tanh(u)); first order is right")
def test_second_derivative_through_a_helper_that_overwrites_its_parameter() -> None:
    t = np.tanh(0.7)
    assert srcgrad.grad(through_helper)(0.7) == pytest.approx(1.0 - t * t, rel=1e-12)
    assert srcgrad.grad(srcgrad.grad(through_helper))(0.7) == pytest.approx(-2.0 * t * (1.0 - t * t), rel=1e-12)


def test_second_derivative_of_a_loop_over_a_list_read_again() -> None:
    t = np.tanh(0.7)
    assert srcgrad.grad(loop_over_a_list_read_again)(0.7) == pytest.approx(2.0 - t * t, rel=1e-12)
    assert srcgrad.grad(srcgrad.grad(loop_over_a_list_read_again))(0.7) == pytest.approx(-2.0 * t * (1.0 - t * t),
                                                                                        rel=1e-12)
