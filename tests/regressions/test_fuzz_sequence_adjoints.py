"""A list read by two np.stack calls collects both adjoints (fuzz oracles value_and_grad and grad(grad)).

np.stack's adjoint is a list of per-item adjoints; the two were added with the list `+`, which joins
them, so the second read's adjoint was dropped: a silent wrong gradient. References: finite differences.
"""
import numpy as np
import pytest

import srcgrad

from fuzz_reference import derivative, second_derivative


def stacked_twice(a):
    hs = [a + np.zeros(3)]
    a = np.tanh(a)
    a = np.tanh(a + np.mean(np.stack(hs)))
    return a + np.sum(np.stack(hs))


def stacked_in_a_loop_and_after(a):
    hs = [a + np.zeros(3)]
    for h in hs:
        a = a + 0.3 * np.sum(np.tanh(h))
    return a + np.sum(np.stack(hs))


def split_twice(a):
    parts = [a * np.ones(2), np.sin(a) * np.ones(3)]
    joined = np.concatenate(parts)
    again = np.hstack(parts)
    return np.sum(joined * np.arange(5.0)) + np.sum(np.tanh(again))


@pytest.mark.parametrize("f", [stacked_twice, stacked_in_a_loop_and_after, split_twice])
@pytest.mark.parametrize("x", [3.71e-05, 0.6])
def test_a_list_read_twice_collects_both_adjoints(f, x):
    assert srcgrad.grad(f)(x) == pytest.approx(derivative(f, x), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("f", [stacked_twice, stacked_in_a_loop_and_after])
def test_and_its_second_derivative(f):
    assert srcgrad.grad(srcgrad.grad(f))(0.6) == pytest.approx(second_derivative(f, 0.6), rel=1e-4, abs=1e-6)


def reversed_pieces(a):
    x = np.array([1.0, 2.0, 3.0, 4.0]) * a
    parts = [x[:2], x[2:3], x[3:]]
    return np.sum(np.concatenate(parts[::-1]) * np.arange(4.0)) ** 2


def test_second_derivative_through_a_slice_of_a_list():
    # was TypeError (unhashable slice) in the adjoint of the first gradient's list slice
    assert srcgrad.grad(reversed_pieces)(0.7) == pytest.approx(derivative(reversed_pieces, 0.7), rel=1e-6)
    assert srcgrad.grad(srcgrad.grad(reversed_pieces))(0.7) == pytest.approx(
        second_derivative(reversed_pieces, 0.7), rel=1e-4)


def test_a_dense_sequence_adjoint_into_a_sparse_ones_place_keeps_its_items():
    # unbroadcast(list, Grads) summed every item into one number
    from srcgrad.runtime.broadcast import unbroadcast
    from srcgrad.runtime.structure import Grads

    out = unbroadcast([np.ones(2), 2.0 * np.ones(3)], Grads({1: np.zeros(3)}))
    assert set(out) == {1} and np.array_equal(out[1], 2.0 * np.ones(3))
