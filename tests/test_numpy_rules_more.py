"""The NumPy rules of rules/numpy_shapes.py, numpy_products.py, numpy_stats.py and numpy_linalg.py
(and where=, initial=, dtype=, matrix norms, dict()) against float64 central finite differences:
several shapes, every keyword form, float32, the conventions at ties and repeated eigenvalues,
forward mode, forward over reverse (hvp) and reverse over reverse (grad of grad).

References never involve srcgrad: finite differences of f, or closed forms. Second derivatives
are compared with central differences of srcgrad's first derivative, itself checked against f.
"""
import inspect
import warnings
from typing import Any, Callable

import numpy as np
import pytest

import srcgrad
from gradcheck import check_grad, is_float_leaf, numeric_grad

RNG = np.random.default_rng(20260101)


def normal(*shape: int) -> np.ndarray:
    return RNG.normal(size=shape)


def spd(n: int, batch: tuple = ()) -> np.ndarray:
    m = RNG.normal(size=batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) / n + np.eye(n)


def float_positions(args: list) -> list[int]:
    return [i for i, a in enumerate(args) if is_float_leaf(a)]


def as32(args: list) -> list:
    return [np.asarray(a, np.float32) if isinstance(a, np.ndarray) and a.dtype == np.float64 else a for a in args]


# ---- first derivatives: reverse and forward ----------------------------------------------------


def check_jvp(f: Callable, args: list, i: int) -> None:
    """srcgrad.jvp along a random direction against the finite-difference gradient."""
    v = np.random.default_rng(1).normal(size=np.shape(args[i]))
    v = float(v) if isinstance(args[i], float) else v
    value, tangent = srcgrad.jvp(f, wrt=i)(*args, v)
    want = float(numeric_grad(f, args, i) @ np.ravel(v))
    assert float(np.sum(tangent)) == pytest.approx(want, rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)


def check(f: Callable, args: list, float32: bool = True, forward: bool = True) -> None:
    """Gradients w.r.t. each float argument (float64, then float32 at a looser tolerance) and tangents."""
    for i in float_positions(args):
        check_grad(f, args, i)
        if forward:
            check_jvp(f, args, i)
        if float32:
            check_grad(f, as32(args), i, rtol=3e-3, atol=3e-4)


# ---- second derivatives ------------------------------------------------------------------------

_DF: Callable = None  # the gradient that the `_along` functions differentiate again


def _along1(p0, v):
    return np.sum(_DF(p0) * v)


def _along2(p0, p1, v):
    return np.sum(_DF(p0, p1) * v)


def _along3(p0, p1, p2, v):
    return np.sum(_DF(p0, p1, p2) * v)


def check_second(f: Callable, args: list, i: int = 0, reverse: bool = True) -> None:
    """H v by forward over reverse (hvp) and by reverse over reverse, against central differences
    of srcgrad's gradient (checked first against differences of f)."""
    global _DF
    check_grad(f, args, i)
    df = srcgrad.grad(f, wrt=i)
    v = np.random.default_rng(2).normal(size=np.shape(args[i]))
    eps = 1e-5

    def moved(step: float) -> list:
        out = list(args)
        out[i] = args[i] + step * v
        return out

    want = (df(*moved(eps)) - df(*moved(-eps))) / (2 * eps)
    np.testing.assert_allclose(srcgrad.hvp(f, i)(*args, v), want, rtol=1e-4, atol=1e-5)
    if reverse:
        _DF = df
        along = (_along1, _along2, _along3)[len(args) - 1]
        np.testing.assert_allclose(srcgrad.grad(along, wrt=i)(*args, v), want, rtol=1e-4, atol=1e-5)


def refuses(f: Callable, args: list, match: str) -> None:
    with pytest.raises(srcgrad.NotDifferentiableError, match=match):
        srcgrad.grad(f)(*args)


# ---- np.roll ---------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, shift, axis", [
    ((5,), 2, None), ((5,), -7, 0), ((3, 4), 5, None), ((3, 4), (1, -2), (0, 1)), ((3, 4), 1, -1),
    ((2, 3, 4), (1, 1), (0, 2)), ((3, 4), [2, 1], [1, 1]),
])
def test_roll(shape: tuple, shift: Any, axis: Any) -> None:
    weights = np.arange(np.prod(shape), dtype=float).reshape(shape)

    def f(x):
        return np.sum(np.roll(x, shift, axis) * weights) + np.sum(np.roll(x, shift, axis=axis) ** 3)

    check(f, [normal(*shape)])
    check_second(f, [normal(*shape)])


# ---- np.pad ----------------------------------------------------------------------------------

PAD_WIDTHS = [2, (1, 2), ((1, 2),), [(0, 1), (2, 0)], ((1, 0), (0, 3))]


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("pad_width", PAD_WIDTHS, ids=str)
def test_pad_modes_and_widths(mode: str, pad_width: Any) -> None:
    def f(x):
        y = np.pad(x, pad_width, mode=mode)
        return np.sum(y ** 3) + np.sum(y * np.arange(y.size).reshape(y.shape))

    check(f, [normal(3, 4)], float32=mode == "edge")
    if mode in ("constant", "reflect"):
        check_second(f, [normal(3, 4)])


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 2, 3)])
def test_pad_constant_values_are_differentiated(shape: tuple) -> None:
    def scalar(x, a):
        return np.sum(np.pad(x, 1, constant_values=a) ** 2 * 1.5)

    def per_axis(x, c):
        return np.sum(np.pad(x, ((1, 2),) + ((2, 1),) * (len(shape) - 1), constant_values=c) ** 3)

    check(scalar, [normal(*shape), 0.7])
    check(per_axis, [normal(*shape), normal(len(shape), 2)])
    check(per_axis, [normal(*shape), normal(2)])  # (before, after) for every axis
    check_second(scalar, [normal(*shape), 0.7], 1)


def test_pad_constant_values_written_as_a_tuple_of_floats() -> None:
    def f(x, a, b):
        return np.sum(np.pad(x, (2, 1), constant_values=(a, b)) ** 3)

    check(f, [normal(3), 0.5, -1.2])


def pad_mean(x):
    return np.sum(np.pad(x, 1, mode="mean"))


def pad_linear_ramp(x):
    return np.sum(np.pad(x, 1, "linear_ramp"))


def pad_odd_reflection(x):
    return np.sum(np.pad(x, 1, mode="reflect", reflect_type="odd"))


@pytest.mark.parametrize("f, match", [(pad_mean, "modes"), (pad_linear_ramp, "modes"),
                                      (pad_odd_reflection, "reflect_type")])
def test_pad_refuses_modes_it_does_not_differentiate(f: Callable, match: str) -> None:
    refuses(f, [normal(3)], match)


# ---- np.diagonal, np.triu, np.tril, np.diff ----------------------------------------------------


@pytest.mark.parametrize("shape, offset, axis1, axis2", [
    ((3, 4), 0, 0, 1), ((3, 4), 2, 0, 1), ((4, 3), -1, 0, 1), ((2, 3, 4), 1, 1, 2), ((2, 3, 4), -1, 2, 0),
])
def test_diagonal(shape: tuple, offset: int, axis1: int, axis2: int) -> None:
    def f(x):
        return np.sum(np.diagonal(x, offset, axis1, axis2) ** 3) + np.sum(np.diagonal(x, offset=offset, axis1=axis1,
                                                                                      axis2=axis2) * 2.0)

    check(f, [normal(*shape)])
    check_second(f, [normal(*shape)])


def test_diagonal_method() -> None:
    def f(x):
        return np.sum(x.diagonal() ** 2) + np.sum(x.diagonal(1) ** 3)

    check(f, [normal(3, 4)])


@pytest.mark.parametrize("k", [-1, 0, 2])
@pytest.mark.parametrize("shape", [(3, 5), (2, 3, 3)])
def test_triu_tril(k: int, shape: tuple) -> None:
    def f(m):
        return np.sum(np.triu(m, k) ** 3) + np.sum(np.tril(m, k=k) * m)

    check(f, [normal(*shape)], float32=False)
    check_second(f, [normal(*shape)])


@pytest.mark.parametrize("n, axis", [(1, -1), (2, -1), (3, 0), (1, 0), (0, -1)])
def test_diff_orders_and_axes(n: int, axis: int) -> None:
    def f(x):
        return np.sum(np.diff(x, n, axis) ** 3) + np.sum(np.diff(x, n=n, axis=axis) * 0.5)

    check(f, [normal(5, 4)])
    check_second(f, [normal(5, 4)])


def test_diff_prepend_and_append_are_differentiated() -> None:
    def scalars(x, a, b):
        return np.sum(np.diff(x, prepend=a, append=b) ** 3)

    def arrays(x, p):
        return np.sum(np.diff(x, 2, axis=0, prepend=p, append=x[:1] * 2.0) ** 3)

    check(scalars, [normal(5), 0.3, -0.4])
    check(arrays, [normal(4, 3), normal(2, 3)])


# ---- products ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sa, sb", [((2, 3), (3,)), ((2,), (2, 2)), ((2, 2, 2), (2,)), ((3,), (2,)), ((2, 3), (3, 2))])
def test_kron(sa: tuple, sb: tuple) -> None:
    def f(a, b):
        return np.sum(np.kron(a, b) ** 2 * 0.5) + np.sum(np.kron(b, a) ** 3)

    check(f, [normal(*sa), normal(*sb)])
    check_second(f, [normal(*sa), normal(*sb)], 0)


@pytest.mark.parametrize("sa, sb, axes", [
    ((3, 4), (4, 2), 1), ((2, 3, 4), (3, 4, 5), 2), ((3,), (4,), 0), ((2, 3, 4), (4, 3), ([1, 2], [1, 0])),
    ((2, 3, 4), (2, 5), (0, 0)), ((3, 4), (3, 4), [[0, 1], [0, 1]]), ((2, 3, 4), (3, 2, 4), ([0, 1], [1, 0])),
])
def test_tensordot(sa: tuple, sb: tuple, axes: Any) -> None:
    def f(a, b):
        return np.sum(np.tensordot(a, b, axes) ** 2) + np.sum(np.tensordot(a, b, axes=axes))

    check(f, [normal(*sa), normal(*sb)])
    check_second(f, [normal(*sa), normal(*sb)], 1)


@pytest.mark.parametrize("n, m", [(5, 3), (3, 5), (4, 4), (1, 3), (6, 2)])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve(n: int, m: int, mode: str) -> None:
    def f(a, v):
        return np.sum(np.convolve(a, v, mode) ** 3) + np.sum(np.convolve(a, v, mode=mode) * 0.5)

    check(f, [normal(n), normal(m)])
    check_second(f, [normal(n), normal(m)], 0)


def cross_default(a, b):
    return np.sum(np.cross(a, b) ** 2) + np.sum(np.cross(b, a))


def cross_axisa(a, b):
    return np.sum(np.cross(a, b, axisa=0) ** 2) + np.sum(np.cross(b, a, axisb=0))


def cross_axisb_axisc(a, b):
    return np.sum(np.cross(a, b, axisb=0, axisc=0) ** 2) + np.sum(np.cross(a, b, -1, 0, 0) * 0.5)


def cross_axis(a, b):
    return np.sum(np.cross(a, b, axis=0) ** 2) + np.sum(np.cross(b, a, axis=0))


@pytest.mark.parametrize("f, sa, sb", [
    (cross_default, (3,), (3,)), (cross_default, (4, 3), (3,)), (cross_axisa, (3, 4), (4, 3)),
    (cross_axisb_axisc, (2, 3), (3, 2)), (cross_axis, (3, 2), (3, 2)),
])
def test_cross(f: Callable, sa: tuple, sb: tuple) -> None:
    check(f, [normal(*sa), normal(*sb)])
    check_second(f, [normal(*sa), normal(*sb)], 0)


def test_cross_refuses_two_vectors() -> None:
    def f(a, b):
        return np.sum(np.cross(a, b))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            f(normal(2), normal(2))
        except ValueError:
            pytest.skip("this NumPy no longer computes cross products of 2-vectors")
        with pytest.raises(srcgrad.NotDifferentiableError, match="3-vectors"):
            srcgrad.grad(f)(normal(2), normal(2))


def test_einsum_implicit_output() -> None:
    def f(a, b):
        return np.sum(np.einsum("ij,jk", a, b) ** 2) + np.einsum("ij,ij", a, a)

    check(f, [normal(3, 4), normal(4, 2)])
    check_second(f, [normal(3, 4), normal(4, 2)], 0)


# ---- weighted means, where=, initial=, dtype= ---------------------------------------------------


@pytest.mark.parametrize("axis, wshape, keepdims", [
    (None, None, False), (0, None, True), (1, (4,), False), (0, (3,), True), (None, (3, 4), False),
    ((0, 1), (3, 4), False), (-1, (4,), False),
])
def test_average(axis: Any, wshape: tuple | None, keepdims: bool) -> None:
    def f(a, w):
        weights = None if wshape is None else w[: int(np.prod(wshape))].reshape(wshape) ** 2 + 0.5
        return np.sum(np.average(a, axis=axis, weights=weights, keepdims=keepdims) ** 3)

    check(f, [normal(3, 4), normal(12)])
    check_second(f, [normal(3, 4), normal(12)], 1 if wshape else 0)


def test_average_refuses_returned() -> None:
    def f(a):
        avg, total = np.average(a, weights=a * a, returned=True)
        return avg

    refuses(f, [normal(3)], "returned")


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 1), False)])
def test_sum_and_mean_where(axis: Any, keepdims: bool) -> None:
    mask = np.arange(12).reshape(3, 4) % 3 != 0

    def f(a):
        return np.sum(np.sum(a ** 3, axis=axis, keepdims=keepdims, where=mask) ** 2) \
            + np.sum(np.mean(a ** 2, axis=axis, keepdims=keepdims, where=mask) ** 2)

    check(f, [normal(3, 4)])
    check_second(f, [normal(3, 4)])


def test_sum_initial_is_differentiated() -> None:
    def f(a, b):
        return np.sum(np.sum(a, axis=1, initial=b) ** 2) + np.sum(a, initial=b) * b

    check(f, [normal(3, 4), 0.3])
    check_second(f, [normal(3, 4), 0.3], 1)


def test_mean_with_a_wider_dtype() -> None:
    def f(a):
        return np.mean(a * a, dtype=np.float64) + np.sum(np.mean(a, axis=0, dtype=np.float64) ** 2)

    a = normal(4, 3)
    check(f, [a])
    got = srcgrad.grad(f)(a.astype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, srcgrad.grad(f)(a), rtol=1e-5, atol=1e-6)


# ---- cumulative products -----------------------------------------------------------------------


@pytest.mark.parametrize("x", [
    np.array([0.5, -1.2, 2.0, 0.7, -0.3]),
    np.array([1.5, 2.0, 0.0, 3.0, 0.5]),  # one zero
    np.array([0.0, 2.0, 1.5, 3.0]),  # at the start
    np.array([1.5, 2.0, 3.0, 0.0]),  # at the end
    np.array([1.5, 0.0, -2.0, 0.0, 0.5]),  # two zeros
    np.array([0.0, 0.0, 0.0]),
], ids=["no-zero", "zero", "first", "last", "two", "all"])
def test_cumprod_is_exact_with_zeros(x: np.ndarray) -> None:
    weights = np.arange(1.0, x.size + 1.0)

    def f(x):
        return np.sum(np.cumprod(x) * weights) + np.sum(np.cumprod(x) ** 2)

    check(f, [x])
    check_second(f, [x])


def test_cumprod_gradient_at_a_zero_is_the_product_of_the_others() -> None:
    # d/dx_2 of sum(cumprod(x)) at x_2 = 0: x0 x1 (1 + x3 + x3 x4), by hand
    x = np.array([1.5, 2.0, 0.0, 3.0, 0.5])
    assert srcgrad.grad(lambda_free_cumprod_sum)(x)[2] == pytest.approx(1.5 * 2.0 * (1 + 3.0 + 1.5))


def lambda_free_cumprod_sum(x):
    return np.sum(np.cumprod(x))


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumprod_axes_and_method(axis: Any) -> None:
    a = normal(3, 4)
    a[1, 2] = 0.0

    def f(a):
        return np.sum(np.cumprod(a, axis) ** 2) + np.sum(a.cumprod(axis) * 0.5)

    check(f, [a])
    check_second(f, [a])


# ---- sorting and quantiles ---------------------------------------------------------------------


@pytest.mark.parametrize("shape, axis", [((6,), -1), ((3, 4), 0), ((3, 4), -1), ((3, 4), None), ((2, 3, 4), 1)])
def test_sort(shape: tuple, axis: Any) -> None:
    def f(a):
        s = np.sort(a, axis)
        return np.sum(s * np.arange(s.size).reshape(s.shape)) + np.sum(np.sort(a, axis=axis, kind="stable") ** 3)

    check(f, [normal(*shape)])
    check_second(f, [normal(*shape)])


def test_sort_ties_share_the_adjoint_evenly() -> None:
    def f(a):
        return np.sum(np.sort(a) * np.array([1.0, 2.0, 4.0, 8.0]))

    got = srcgrad.grad(f)(np.array([3.0, 2.0, 2.0, 1.0]))  # sorted: 1, 2, 2, 3; the 2s share (2 + 4)
    np.testing.assert_allclose(got, [8.0, 3.0, 3.0, 1.0])
    _, tangent = srcgrad.jvp(f)(np.array([3.0, 2.0, 2.0, 1.0]), np.array([0.0, 1.0, 0.0, 0.0]))
    assert tangent == pytest.approx(3.0)  # the tangent agrees: the mean over the tie


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "nearest", "midpoint"])
@pytest.mark.parametrize("q", [0.0, 1.0, [0.1, 0.65], [[0.2], [0.9]]], ids=str)
def test_quantile_methods(method: str, q: Any) -> None:
    def f(a):
        return np.sum(np.quantile(a, q, axis=1, method=method) ** 3) \
            + np.sum(np.percentile(a, np.asarray(q) * 100.0, axis=0, method=method, keepdims=True) ** 2)

    check(f, [normal(4, 5)])


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 2), False), (-1, True)])
def test_median_axes(axis: Any, keepdims: bool) -> None:
    def f(a):
        return np.sum(np.median(a, axis=axis, keepdims=keepdims) ** 3) + np.sum(np.median(a, axis) * 0.5)

    check(f, [normal(2, 4, 3)])
    check_second(f, [normal(2, 4, 3)])


def test_median_of_even_length_and_ties() -> None:
    def f(a):
        return np.median(a) * 2.0

    np.testing.assert_allclose(srcgrad.grad(f)(np.array([4.0, 1.0, 3.0, 2.0])), [0.0, 0.0, 1.0, 1.0])
    # the middle elements tie with a third: the three equal values share the weight of the two middle ones
    three = srcgrad.grad(f)(np.array([2.0, 1.0, 2.0, 2.0, 5.0, 0.0]))
    np.testing.assert_allclose(three, [2 / 3, 0, 2 / 3, 2 / 3, 0, 0])


def test_quantile_and_percentile_in_q() -> None:
    def f(a, q):
        return np.sum(np.quantile(a, q, axis=0) ** 2) + np.sum(np.percentile(a, q * 100.0, axis=1))

    a = normal(5, 6)
    check(f, [a, np.array([0.13, 0.52, 0.91])])
    check_second(f, [a, np.array([0.13, 0.52, 0.91])], 1)
    check_second(f, [a, np.array([0.13, 0.52, 0.91])], 0)


def quantile_weibull(a):
    return np.quantile(a, 0.3, method="weibull")


def quantile_weights(a):
    return np.quantile(a, 0.3, method="inverted_cdf", weights=a * 0.0 + 1.0)


@pytest.mark.parametrize("f, match", [(quantile_weibull, "method"), (quantile_weights, "weights")])
def test_quantile_refuses_other_methods_and_weights(f: Callable, match: str) -> None:
    refuses(f, [normal(4)], match)


# ---- interpolation -----------------------------------------------------------------------------

XP = np.array([-1.0, -0.2, 0.5, 1.4])


@pytest.mark.parametrize("x", [np.array([-0.7, 0.1, 0.9, 1.2]), np.array([-1.6, 0.3, 2.0]), 0.35], ids=str)
def test_interp_in_x_and_fp(x: Any) -> None:
    def f(x, fp):
        return np.sum(np.interp(x, XP, fp) ** 3)

    check(f, [x, normal(4)])
    check_second(f, [x, normal(4)], 1)


def test_interp_in_xp_left_and_right() -> None:
    def f(xp, left, right):
        return np.sum(np.interp(np.array([-2.0, -0.5, 0.3, 0.9, 3.0]), xp, np.array([1.0, -1.0, 2.0, 0.5]),
                                left=left, right=right) ** 3)

    check(f, [XP, 0.3, -0.6])
    check_second(f, [XP, 0.3, -0.6], 0)


def test_interp_at_a_knot_takes_the_segment_on_its_right() -> None:
    def f(x):
        return np.interp(x, np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 3.0]))

    assert srcgrad.grad(f)(1.0) == pytest.approx(2.0)
    assert srcgrad.grad(f)(2.0) == pytest.approx(2.0)  # the last knot: the last segment
    assert srcgrad.grad(f)(2.5) == pytest.approx(0.0)


def test_interp_refuses_period() -> None:
    def f(x):
        return np.interp(x, XP, np.ones(4), period=3.0)

    refuses(f, [0.4], "period")


# ---- nan_to_num --------------------------------------------------------------------------------


def test_nan_to_num_replacements_are_differentiated() -> None:
    nan_mask, pos_mask, neg_mask = np.array([0, 1, 0, 0, 0, 1], bool), np.array([0, 0, 1, 0, 0, 0], bool), \
        np.array([0, 0, 0, 1, 0, 0], bool)

    def f(x, a, b, c):
        y = np.where(nan_mask, np.nan, np.where(pos_mask, np.inf, np.where(neg_mask, -np.inf, x)))
        return np.sum(np.nan_to_num(y, nan=a, posinf=b, neginf=c) ** 2)

    args = [normal(6), 0.2, 1.5, -0.7]
    for i in range(4):
        check_grad(f, args, i)
        check_jvp(f, args, i)
    np.testing.assert_allclose(srcgrad.grad(f)(*args), np.where(nan_mask | pos_mask | neg_mask, 0.0, 2 * args[0]))


# ---- factorizations ----------------------------------------------------------------------------


def test_cholesky_lower_upper_and_batched() -> None:
    def lower(a):
        return np.sum(np.linalg.cholesky(a) ** 3) + np.sum(np.log(np.diagonal(np.linalg.cholesky(a))))

    def upper(a):
        return np.sum(np.linalg.cholesky(a, upper=True) ** 3)

    def batched(a):
        return np.sum(np.linalg.cholesky(a) ** 3) + np.sum(np.log(np.diagonal(np.linalg.cholesky(a), 0, -2, -1)))

    for f, a in [(lower, spd(4)), (upper, spd(3)), (batched, spd(3, (2,)))]:
        check(f, [a])
        check_second(f, [a], reverse=f is not batched)  # grad of grad: no batched matrix products yet
    # the upper triangle is never read: its gradient is zero (the lower one's for upper=True)
    assert np.all(np.triu(srcgrad.grad(lower)(spd(4)), 1) == 0)
    assert np.all(np.tril(srcgrad.grad(upper)(spd(3)), -1) == 0)


def test_cholesky_of_a_symmetric_product_has_the_usual_symmetric_gradient() -> None:
    def f(b):
        return np.sum(np.linalg.cholesky(b @ b.T + np.eye(3)) ** 2)

    check(f, [normal(3, 3)])
    check_second(f, [normal(3, 3)])


@pytest.mark.parametrize("UPLO", ["L", "U"])
def test_eigh_and_eigvalsh(UPLO: str) -> None:
    def f(a):
        w, v = np.linalg.eigh(a, UPLO)
        return np.sum(w ** 3) + np.sum((v * v) @ np.arange(4.0)) + np.sum(np.linalg.eigvalsh(a, UPLO=UPLO) ** 2)

    check(f, [spd(4)])
    check_second(f, [spd(4)])


def test_eigh_batched_and_named_fields() -> None:
    def f(a):
        result = np.linalg.eigh(a)
        return np.sum(result.eigenvalues ** 2) + np.sum(result.eigenvectors ** 2 * np.arange(3.0))

    check(f, [spd(3, (2,))])
    check_second(f, [spd(3, (2,))], reverse=False)  # grad of grad: no batched matrix products yet


def test_eigh_with_repeated_eigenvalues() -> None:
    """The documented limitation: no coupling between equal eigenvalues. Exact for symmetric functions of
    the eigenvalues and for projectors onto whole eigenspaces; not for A = V diag(w) V^T read from both."""
    c = normal(3, 3)
    a = np.diag([1.0, 1.0, 2.0])

    def invariant(a):
        w, v = np.linalg.eigh(a)
        low = v[:, :2]  # the eigenspace of the repeated eigenvalue 1
        return np.sum(w ** 2) + np.sum(np.linalg.eigvalsh(a) ** 3) + np.sum(low @ low.T * c)

    check_grad(invariant, [a], 0)

    def rebuild(a):
        w, v = np.linalg.eigh(a)
        return np.sum((v * w) @ v.T * c)

    full = np.tril(c + c.T) - np.diag(np.diag(c))  # the derivative of sum(a * c) through the lower triangle
    got = srcgrad.grad(rebuild)(a)
    pair = np.zeros((3, 3), bool)
    pair[1, 0] = True  # the coupling inside the repeated pair is the part dropped
    np.testing.assert_allclose(got[~pair], full[~pair], atol=1e-12)
    assert got[1, 0] == 0.0 != full[1, 0]


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 4, 3)])
def test_svd(shape: tuple) -> None:
    def values(a):
        return np.sum(np.linalg.svd(a, compute_uv=False) ** 3)

    def vectors(a):
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        return np.sum(u * u * np.arange(u.shape[-1])) + np.sum(s ** 2) + np.sum(vh * vh * np.arange(shape[-1]))

    for f in (values, vectors):
        check(f, [normal(*shape)])
        check_second(f, [normal(*shape)], reverse=len(shape) == 2)  # grad of grad: no batched matrix products


def test_svd_full_matrices_of_a_square_matrix_and_refusals() -> None:
    def square(a):
        u, s, vh = np.linalg.svd(a)
        return np.sum(u @ np.diag(s ** 2) @ vh)

    check(square, [normal(3, 3)])

    def rectangular(a):
        return np.sum(np.linalg.svd(a)[0] ** 2)

    refuses(rectangular, [normal(4, 3)], "full_matrices")

    def hermitian(a):
        return np.sum(np.linalg.svd(a, hermitian=True)[1])

    refuses(hermitian, [spd(3)], "hermitian")


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3)])
def test_pinv(shape: tuple) -> None:
    def f(a):
        return np.sum(np.linalg.pinv(a) ** 2 * np.arange(np.prod(shape)).reshape(shape[::-1]))

    check(f, [normal(*shape)])
    check_second(f, [normal(*shape)])


def test_pinv_hermitian_reads_the_lower_triangle() -> None:
    def f(a):
        return np.sum(np.linalg.pinv(a, hermitian=True) ** 3)

    check(f, [spd(3)], float32=False)


@pytest.mark.parametrize("shape", [(5, 3), (3, 3), (3, 5), (2, 4, 3)])
def test_qr(shape: tuple) -> None:
    def f(a):
        q, r = np.linalg.qr(a)
        return np.sum(q * q * np.arange(q.shape[-1])) + np.sum(r ** 3) + np.sum(np.linalg.qr(a, mode="r") ** 2)

    check(f, [normal(*shape)])
    check_second(f, [normal(*shape)], reverse=len(shape) == 2)  # grad of grad: no batched matrix products


def test_qr_complete_and_refusals() -> None:
    def complete(a):
        q, r = np.linalg.qr(a, mode="complete")
        return np.sum(q * q * np.arange(q.shape[-1])) + np.sum(r ** 3)

    check(complete, [normal(3, 5)])
    refuses(complete, [normal(5, 3)], "complete")

    def raw(a):
        return np.sum(np.linalg.qr(a, mode="raw")[0])

    refuses(raw, [normal(3, 3)], "raw")


@pytest.mark.parametrize("m, n, k", [(6, 3, None), (6, 3, 2), (3, 5, None), (4, 4, 1)])
def test_lstsq(m: int, n: int, k: int | None) -> None:
    def f(a, b):
        x, res, rank, s = np.linalg.lstsq(a, b, rcond=None)
        return np.sum(x ** 3) + np.sum(res) * 0.5 + np.sum(s ** 2)

    b = normal(m) if k is None else normal(m, k)
    check(f, [normal(m, n), b])
    check_second(f, [normal(m, n), b], 0)
    check_second(f, [normal(m, n), b], 1)


# ---- norms -------------------------------------------------------------------------------------


@pytest.mark.parametrize("ord", [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf], ids=str)
@pytest.mark.parametrize("axis, keepdims", [(None, False), ((2, 0), True)])
def test_matrix_norms(ord: Any, axis: Any, keepdims: bool) -> None:
    shape = (3, 4) if axis is None else (2, 3, 4)

    def f(a):
        n = np.linalg.norm(a, ord, axis, keepdims)
        return np.sum(n ** 2) + np.sum(n)

    check(f, [normal(*shape)])
    check_second(f, [normal(*shape)])


@pytest.mark.parametrize("ord", [None, 1, 2, 3, np.inf, -np.inf, 0.5], ids=str)
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_vector_norms_with_axis(ord: Any, axis: Any) -> None:
    shape = (5,) if axis is None else (3, 4)

    def f(a):
        return np.sum(np.linalg.norm(a, ord, axis) ** 2)

    check(f, [normal(*shape)])
    check_second(f, [normal(*shape)])


# ---- dict() ------------------------------------------------------------------------------------


def test_dict_constructor_forms() -> None:
    def keywords(x, w):
        p = dict(a=x, w=w)
        return np.sum(p["a"] ** 2 * p["w"][0])

    def pairs(x, w):
        p = dict([("a", x), ("a", x * 3.0), ("w", w)])  # the last pair with a key wins
        return np.sum(p["a"] ** 2) + np.sum(p["w"] ** 3)

    def mapping(x, w):
        p = dict({"a": x, "w": w}, w=w * 2.0)  # keywords override the mapping
        q = dict(p)
        return np.sum(q["a"] * q["w"][1]) + np.sum(p["w"] ** 2)

    for f in (keywords, pairs, mapping):
        check(f, [normal(3), normal(2, 3)], float32=False)
        # grad of grad of `d_p += ...` on a dict's adjoint is refused by the core (not dict()'s rule)
        check_second(f, [normal(3), normal(2, 3)], 0, reverse=f is not mapping)


# ---- every helper of the new rules differentiates again ------------------------------------------


def test_every_new_runtime_helper_has_rules() -> None:
    """Helpers that first-order gradient code calls have an adjoint (grad of grad) and a tangent (hvp),
    or carry no derivative; cumprod's second-derivative helpers would matter at third order only."""
    from srcgrad.rules.registry import ADJOINTS, NONDIFFERENTIABLE
    from srcgrad.rules.tangents import TANGENTS
    from srcgrad.rules.tangents.runtime import ZERO_TANGENT
    from srcgrad.runtime import containers, factorizations, order, scans, shapes

    third_order = {scans.cumprod_jvp, scans.cumprod_adjoint_dot}
    helpers = {obj for mod in (containers, factorizations, order, scans, shapes) for name, obj in vars(mod).items()
               if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == mod.__name__}
    no_tangent = sorted(f.__name__ for f in helpers - third_order if f not in TANGENTS and f not in ZERO_TANGENT)
    no_adjoint = sorted(f.__name__ for f in helpers - third_order if f not in ADJOINTS and f not in NONDIFFERENTIABLE)
    assert (no_tangent, no_adjoint) == ([], [])
