"""Wrong results and crashes found while writing the SciPy and NumPy rule tables, each against a closed form."""
# ruff: noqa: F821  (rule templates use d[...], which is never defined)
import numpy as np
import pytest

import srcgrad
from srcgrad.rules.tangents import tangent


def times_column(x):
    return np.sum(x * np.array([[0.0], [1.0], [2.0]]))


def test_unbroadcast_of_an_adjoint_with_fewer_axes_than_its_operand():
    """x (1, 3, 1) times c (3, 1): the adjoint d_z * c has fewer axes than x; it was aligned at the front."""
    np.testing.assert_array_equal(srcgrad.grad(times_column)(np.ones((1, 3, 1))).ravel(), [0.0, 1.0, 2.0])


def first_of_first(*lists):
    return lists[0][0] * 1.0


@srcgrad.adjoint(first_of_first)
def _first_of_first_rule(y, *lists):
    d[lists] = [[d[y], 0.0]]


def list_display_into_star_args(x, z):
    return np.sum(first_of_first([x, z]))


def test_a_list_display_passed_to_a_rules_star_args_gets_its_adjoint():
    d_x, d_z = srcgrad.grad(list_display_into_star_args, wrt=(0, 1))(np.ones(2), np.ones(2))
    np.testing.assert_array_equal(d_x, [1.0, 1.0])
    np.testing.assert_array_equal(d_z, [0.0, 0.0])


def scalar_expanded(A):
    return np.sum((np.sum(A) * 1.0)[..., None, None] * A)


def test_index_of_a_numpy_scalar():
    A = np.arange(4.0).reshape(2, 2)
    np.testing.assert_allclose(srcgrad.grad(scalar_expanded)(A), np.sum(A) + A.sum(), rtol=1e-12)


def scale(x, k):
    return x * k


@srcgrad.adjoint(scale)
def _scale_adjoint(y, x, k):
    d[x] = d[y] * k
    d[k] = np.sum(d[y] * x)


@tangent(scale)
def _scale_tangent(y, x, k):
    t = d[k] * x  # reads the tangent of k, which is a constant below
    d[y] = d[x] * k + t


def scaled_sum(x):
    return np.sum(scale(x, 2.0))


def test_tangent_template_statement_reading_a_zero_tangent():
    assert srcgrad.jvp(scaled_sum)(np.ones(3), np.ones(3)) == (6.0, 6.0)


def _helper(p):
    return np.sum(p["a"] * p["w"][1])


def dict_of_params(x, w):
    p = {"a": x, "w": w}
    return _helper(p) + np.sum(p["w"] ** 2)


def test_second_derivative_through_gradients_kept_in_dicts():
    df = srcgrad.grad(dict_of_params, wrt=1)

    def along(x, w, v):
        return np.sum(df(x, w) * v)

    x, w, v = np.array([0.5, 1.0, 2.0]), np.ones((2, 3)), np.ones((2, 3))
    # d/dw of sum((x * e_1 + 2 w) * v) = 2 v
    np.testing.assert_allclose(srcgrad.grad(along, wrt=1)(x, w, v), 2 * v, rtol=1e-12)
