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


@pytest.mark.parametrize("f", [prod_along_axis, prod_of_all, norm_of])
def test_second_derivative_of_prod_and_norm(f) -> None:
    assert srcgrad.grad(srcgrad.grad(f))(0.7) == pytest.approx(second_derivative(f, 0.7), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("f", [joined_tuple_in_loop, joined_list_in_loop])
def test_second_derivative_of_a_sequence_join_in_a_loop(f) -> None:
    assert srcgrad.grad(srcgrad.grad(f))(0.3) == pytest.approx(second_derivative(f, 0.3), rel=1e-5)


def test_second_derivative_through_a_helper_that_overwrites_its_parameter() -> None:
    t = np.tanh(0.7)
    assert srcgrad.grad(through_helper)(0.7) == pytest.approx(1.0 - t * t, rel=1e-12)
    assert srcgrad.grad(srcgrad.grad(through_helper))(0.7) == pytest.approx(-2.0 * t * (1.0 - t * t), rel=1e-12)


def test_second_derivative_of_a_loop_over_a_list_read_again() -> None:
    t = np.tanh(0.7)
    assert srcgrad.grad(loop_over_a_list_read_again)(0.7) == pytest.approx(2.0 - t * t, rel=1e-12)
    assert srcgrad.grad(srcgrad.grad(loop_over_a_list_read_again))(0.7) == pytest.approx(-2.0 * t * (1.0 - t * t),
                                                                                        rel=1e-12)


def prod_through_a_zero(a):
    return np.prod(np.array([1.0, 1.0, 2.0]) * a - np.array([0.7, 0.0, 0.0]))


def prod_keepdims(a):
    m = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 1.5]]) * a
    return np.sum(np.sin(np.prod(m, axis=1, keepdims=True)))


def test_second_derivative_of_prod_at_a_zero_element() -> None:
    # (a - 0.7) * a * 2a = 2a^3 - 1.4a^2; at a = 0.7 one factor is exactly zero
    assert srcgrad.grad(srcgrad.grad(prod_through_a_zero))(0.7) == pytest.approx(12 * 0.7 - 2.8, rel=1e-12)


def test_second_derivative_of_prod_with_keepdims() -> None:
    assert srcgrad.grad(srcgrad.grad(prod_keepdims))(0.9) == pytest.approx(second_derivative(prod_keepdims, 0.9),
                                                                          rel=1e-5, abs=1e-6)


def prod_of_a_number(a):
    return np.tanh(np.prod(a - a)) + np.prod(np.sin(a)) ** 2


def test_second_derivative_of_prod_of_a_number():
    # was TypeError inside prod_adjoint_dot (item assignment into a NumPy scalar) at a zero
    for a in (3.71e-05, 0.8):
        assert srcgrad.grad(srcgrad.grad(prod_of_a_number))(a) == pytest.approx(
            second_derivative(prod_of_a_number, a), rel=1e-4, abs=1e-6)


def comprehension_in_helper(u):
    acc = np.tanh(u)
    acc = acc + 0.2 * np.sin(sum([acc for e1 in range(3)]))
    return acc


def through_a_helper_with_a_comprehension(a):
    return np.tanh(comprehension_in_helper(a * 1.5))


def test_second_derivative_through_a_helper_with_a_comprehension():
    # was IndexError (pop from empty list): the backward sweep popped the comprehension's list in place
    f = through_a_helper_with_a_comprehension
    assert srcgrad.grad(srcgrad.grad(f))(0.3) == pytest.approx(second_derivative(f, 0.3), rel=1e-5)


def builds_a_list_in_a_branch(u, go):
    acc = 0.5 * u
    if go:
        hs = [u * 2.0]
        hs.append(np.sin(u))
        acc = acc + np.sum(np.stack(hs))
    return acc


def branch_taken_and_not(a):
    return builds_a_list_in_a_branch(a, True) + builds_a_list_in_a_branch(a * 0.5, False)


def test_second_derivative_through_a_helper_whose_list_is_built_in_an_untaken_branch():
    # was TypeError ('NoneType' object is not iterable) copying the list the branch did not make
    f = branch_taken_and_not
    assert srcgrad.grad(srcgrad.grad(f))(0.4) == pytest.approx(second_derivative(f, 0.4), rel=1e-5)


def early_return(a):
    s0 = a
    if a > 0.5:
        return s0
    a = np.tanh(s0)
    return a * a


@pytest.mark.parametrize("a", [0.2, 0.9])
def test_second_derivative_of_an_early_return(a):
    # fuzz seed 1004: was UnboundLocalError (d_a): the first gradient binds d_a only in the branch not taken,
    # then rebinds it, and the second saved it before that rebinding
    expected = 0.0 if a > 0.5 else 2 * (1 - np.tanh(a) ** 2) * (1 - 3 * np.tanh(a) ** 2)
    assert srcgrad.grad(srcgrad.grad(early_return))(a) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert expected == pytest.approx(second_derivative(early_return, a), rel=1e-5, abs=1e-6)
