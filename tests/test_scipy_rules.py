"""SciPy's derivative rules (rules/scipy_special.py, scipy_stats.py, scipy_linalg.py) against float64
central finite differences.

Each rule alone at several shapes, with broadcasting, `axis`/`keepdims`, `lower`/`trans` variants;
float32 inputs; second derivatives (closed forms for the special functions, differences of srcgrad's
first derivative elsewhere); forward mode; three losses written the way SciPy users write them (a
Gaussian-process marginal likelihood, a logistic regression, a mixture model); the calls refused
with an error; and srcgrad without SciPy. Functions are built by small factories so that each case
differentiates a function whose SciPy call is read from a closure cell (resolved at compile time).
"""
import inspect
import subprocess
import sys
import warnings
import zlib
from typing import Any, Callable

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize
import scipy.special
import scipy.stats

import srcgrad
from gradcheck import check_grad
from test_forward import check_jvp

sp, st, la = scipy.special, scipy.stats, scipy.linalg


def rng_for(*key: Any) -> np.random.Generator:
    """A generator seeded by the case, so each parametrized case is reproducible alone."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def spd(rng: np.random.Generator, n: int) -> np.ndarray:
    m = rng.normal(size=(n, n))
    return m @ m.T / n + np.eye(n)


def uniform(rng: np.random.Generator, low: float, high: float, shape: tuple) -> Any:
    value = rng.uniform(low, high, size=shape)
    return float(value) if shape == () else value


def as32(args: list) -> list:
    return [np.float32(a) if isinstance(a, float) else a.astype(np.float32) if isinstance(a, np.ndarray)
            and a.dtype == np.float64 else a for a in args]


F32 = {"rtol": 2e-3, "atol": 2e-4}

# ---- scipy.special: one argument ---------------------------------------------------------------

# name, domain, second derivative in closed form (from the first derivative d1 and the value y)
UNARY = {
    "expit": ((-3.0, 3.0), lambda x: sp.expit(x) * (1 - sp.expit(x)) * (1 - 2 * sp.expit(x))),
    "log_expit": ((-3.0, 3.0), lambda x: -sp.expit(x) * (1 - sp.expit(x))),
    "logit": ((0.1, 0.9), lambda x: (2 * x - 1) / (x * x * (1 - x) ** 2)),
    "gammaln": ((0.3, 4.0), lambda x: sp.polygamma(1, x)),
    "gamma": ((0.3, 3.0), lambda x: sp.gamma(x) * (sp.digamma(x) ** 2 + sp.polygamma(1, x))),
    "digamma": ((0.3, 4.0), lambda x: sp.polygamma(2, x)),
    "erf": ((-2.0, 2.0), lambda x: -4 * x / np.sqrt(np.pi) * np.exp(-x * x)),
    "erfc": ((-2.0, 2.0), lambda x: 4 * x / np.sqrt(np.pi) * np.exp(-x * x)),
    "erfinv": ((-0.9, 0.9), lambda x: 2 * sp.erfinv(x) * (np.sqrt(np.pi) / 2 * np.exp(sp.erfinv(x) ** 2)) ** 2),
    "ndtr": ((-3.0, 3.0), lambda x: -x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)),
    "log_ndtr": ((-6.0, 3.0), lambda x: -x * np.exp(-x * x / 2 - sp.log_ndtr(x)) / np.sqrt(2 * np.pi)
                 - np.exp(-x * x / 2 - sp.log_ndtr(x)) ** 2 / (2 * np.pi)),
    "ndtri": ((0.05, 0.95), lambda x: sp.ndtri(x) * (np.sqrt(2 * np.pi) * np.exp(sp.ndtri(x) ** 2 / 2)) ** 2),
}


def unary_loss(func: Callable) -> Callable:
    def loss(x):
        return np.sum(np.cos(func(x)))  # cos: an adjoint that differs from element to element
    return loss


def unary_sum(func: Callable) -> Callable:
    def loss(x):
        return np.sum(func(x))  # the adjoint of a full sum: one number standing for every element
    return loss


def unary_value(func: Callable) -> Callable:
    def value(x):
        return func(x)
    return value


@pytest.mark.parametrize("shape", [(), (4,), (2, 3)], ids=["scalar", "vector", "matrix"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special(name: str, shape: tuple) -> None:
    (low, high), _ = UNARY[name]
    x = uniform(rng_for(name, shape), low, high, shape)
    check_grad(unary_loss(getattr(sp, name)), [x])
    check_grad(unary_sum(getattr(sp, name)), [x])
    check_jvp(unary_loss(getattr(sp, name)), [x], 0)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special_float32(name: str) -> None:
    (low, high), _ = UNARY[name]
    x = uniform(rng_for(name, "f32"), low, high, (5,)).astype(np.float32)
    check_grad(unary_loss(getattr(sp, name)), [x], **F32)


def test_gammaln_between_the_poles() -> None:
    """gammaln is log|Gamma|: its derivative is digamma on negative non-integers too."""
    check_grad(unary_loss(sp.gammaln), [np.array([-2.7, -2.4, -0.6, -0.3])])


@pytest.mark.parametrize("name", sorted(UNARY))
def test_second_derivative_of_unary_special(name: str) -> None:
    (low, high), closed_form = UNARY[name]
    f = unary_value(getattr(sp, name))
    d2 = srcgrad.grad(srcgrad.grad(f))
    for x in np.linspace(low + 0.05, high - 0.05, 4):
        assert float(d2(float(x))) == pytest.approx(float(closed_form(x)), rel=1e-7, abs=1e-9)


def test_third_derivative_of_gammaln_is_polygamma_2() -> None:
    d3 = srcgrad.grad(srcgrad.grad(srcgrad.grad(unary_value(sp.gammaln))))
    assert float(d3(1.7)) == pytest.approx(float(sp.polygamma(2, 1.7)), rel=1e-10)


def test_polygamma_derivative_is_the_next_polygamma() -> None:
    def f(x):
        return sp.polygamma(2, x)

    assert float(srcgrad.grad(f)(1.3)) == pytest.approx(float(sp.polygamma(3, 1.3)), rel=1e-12)
    assert float(srcgrad.grad(srcgrad.grad(f))(1.3)) == pytest.approx(float(sp.polygamma(4, 1.3)), rel=1e-10)


# ---- scipy.special: two arguments, broadcasting ------------------------------------------------

def polygamma_1(x, y):
    return sp.polygamma(1, x) * y


BINARY = {  # name -> function of (x, y), domains of x and y
    "xlogy": (sp.xlogy, (-2.0, 2.0), (0.3, 3.0)),
    "xlog1py": (sp.xlog1py, (-2.0, 2.0), (-0.7, 3.0)),
    "betaln": (sp.betaln, (0.3, 4.0), (0.3, 4.0)),
    "polygamma": (polygamma_1, (0.3, 4.0), (-1.0, 1.0)),
}
SHAPE_PAIRS = [((), ()), ((4,), ()), ((), (4,)), ((2, 3), (3,)), ((2, 1), (1, 3))]


def binary_loss(name: str) -> Callable:
    func = BINARY[name][0]

    def loss(x, y):
        return np.sum(np.sin(func(x, y)))
    return loss


def binary_sum(name: str) -> Callable:
    func = BINARY[name][0]

    def loss(x, y):
        return np.sum(func(x, y))
    return loss


@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_special(name: str, shapes: tuple) -> None:
    _, (xl, xh), (yl, yh) = BINARY[name]
    rng = rng_for(name, shapes)
    args = [uniform(rng, xl, xh, shapes[0]), uniform(rng, yl, yh, shapes[1])]
    for wrt in (0, 1, (0, 1)):
        check_grad(binary_loss(name), args, wrt)
        check_grad(binary_sum(name), args, wrt)
    check_jvp(binary_loss(name), args, (0, 1))


def test_xlogy_second_derivatives() -> None:
    def f(x, y):
        return sp.xlogy(x, y)

    x, y = 1.5, 0.7
    assert float(srcgrad.grad(srcgrad.grad(f, wrt=1), wrt=1)(x, y)) == pytest.approx(-x / y ** 2, rel=1e-12)
    assert float(srcgrad.grad(srcgrad.grad(f, wrt=0), wrt=1)(x, y)) == pytest.approx(1 / y, rel=1e-12)


def test_betaln_second_derivative() -> None:
    def f(a, b):
        return sp.betaln(a, b)

    a, b = 1.5, 2.5
    want = sp.polygamma(1, a) - sp.polygamma(1, a + b)
    assert float(srcgrad.grad(srcgrad.grad(f))(a, b)) == pytest.approx(float(want), rel=1e-10)


# ---- logsumexp, softmax, log_softmax -----------------------------------------------------------

def logsumexp_loss(axis: Any, keepdims: bool) -> Callable:
    def loss(a, b):
        return np.sum(np.cos(sp.logsumexp(a, axis=axis, b=b, keepdims=keepdims)))
    return loss


def logsumexp_unweighted(axis: Any, keepdims: bool) -> Callable:
    def loss(a):
        return np.sum(np.cos(sp.logsumexp(a, axis=axis, keepdims=keepdims)))
    return loss


AXES = [None, 0, 1, -1, (0, 1)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_logsumexp_axis_keepdims(axis: Any, keepdims: bool) -> None:
    a = rng_for("lse", axis, keepdims).normal(size=(3, 4))
    check_grad(logsumexp_unweighted(axis, keepdims), [a])
    check_jvp(logsumexp_unweighted(axis, keepdims), [a], 0)


@pytest.mark.parametrize("b_shape", [(), (4,), (3, 1), (3, 4), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("axis", [None, 1, -1], ids=str)
def test_logsumexp_weights_broadcast(axis: Any, b_shape: tuple) -> None:
    """`b` broadcasts against `a`, even to a larger shape: SciPy reduces the broadcast pair."""
    rng = rng_for("lse-b", axis, b_shape)
    args = [rng.normal(size=(3, 4)), uniform(rng, 0.3, 2.0, b_shape)]
    for wrt in (0, 1, (0, 1)):
        check_grad(logsumexp_loss(axis, False), args, wrt)
    check_jvp(logsumexp_loss(axis, False), args, (0, 1))


def test_logsumexp_of_a_vector_is_softmax_weighted() -> None:
    def f(a):
        return sp.logsumexp(a)

    a = np.array([0.5, -1.0, 2.0, 700.0])  # no overflow: the rule uses exp(a - logsumexp(a))
    np.testing.assert_allclose(srcgrad.grad(f)(a), sp.softmax(a), rtol=1e-12)


def test_logsumexp_float32() -> None:
    a = rng_for("lse32").normal(size=(3, 4)).astype(np.float32)
    b = rng_for("lse32b").uniform(0.5, 1.5, size=4).astype(np.float32)
    check_grad(logsumexp_loss(1, True), [a, b], (0, 1), **F32)


def softmax_loss(func: Callable, axis: Any) -> Callable:
    def loss(x, w):
        return np.sum(func(x, axis=axis) * w)
    return loss


@pytest.mark.parametrize("shape", [(5,), (3, 4)], ids=str)
@pytest.mark.parametrize("axis", [None, 0, -1], ids=str)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_axis(name: str, axis: Any, shape: tuple) -> None:
    rng = rng_for(name, axis, shape)
    args = [rng.normal(size=shape), rng.normal(size=shape)]
    check_grad(softmax_loss(getattr(sp, name), axis), args)
    check_jvp(softmax_loss(getattr(sp, name), axis), args, 0)
    check_grad(softmax_loss(getattr(sp, name), axis), as32(args), **F32)


# ---- scipy.stats: location-scale families ------------------------------------------------------

# distribution, method, ranges of the shape parameters, range of z = (x - loc) / scale
CONTINUOUS = [
    ("norm", "logpdf", [], (-2.0, 2.0)),
    ("norm", "pdf", [], (-2.0, 2.0)),
    ("norm", "cdf", [], (-2.0, 2.0)),
    ("norm", "logcdf", [], (-6.0, 2.0)),
    ("norm", "sf", [], (-2.0, 2.0)),
    ("norm", "logsf", [], (-2.0, 6.0)),
    ("t", "logpdf", [(1.5, 6.0)], (-3.0, 3.0)),
    ("gamma", "logpdf", [(1.5, 4.0)], (0.2, 3.0)),
    ("beta", "logpdf", [(1.5, 4.0), (1.5, 4.0)], (0.1, 0.9)),
    ("expon", "logpdf", [], (0.1, 3.0)),
    ("laplace", "logpdf", [], (-2.0, 2.0)),
]
# shapes of x, loc, scale; which of x and loc follows from the others (to keep x inside the support)
LAYOUTS = {
    "vector-x": ((5,), (), (), "x"),
    "scalar-x": ((), (4,), (4,), "loc"),
    "matrix-x": ((2, 3), (3,), (2, 1), "x"),
}


def distribution_loss(distribution: str, method: str, n_shapes: int) -> Callable:
    func = getattr(getattr(st, distribution), method)
    if n_shapes == 0:
        def loss(x, loc, scale):
            return np.sum(np.sin(func(x, loc, scale)))
    elif n_shapes == 1:
        def loss(x, s1, loc, scale):
            return np.sum(np.sin(func(x, s1, loc=loc, scale=scale)))
    else:
        def loss(x, s1, s2, loc, scale):
            return np.sum(np.sin(func(x, s1, s2, loc, scale)))
    return loss


def distribution_args(distribution: str, method: str, shapes: list, z_range: tuple, layout: str) -> list:
    x_shape, loc_shape, scale_shape, derived = LAYOUTS[layout]
    rng = rng_for(distribution, method, layout)
    scale = uniform(rng, 0.5, 2.0, scale_shape)
    z = rng.uniform(*z_range, size=np.broadcast_shapes(x_shape, loc_shape, scale_shape))
    if derived == "x":
        loc = uniform(rng, -1.0, 1.0, loc_shape)
        x = loc + scale * z
    else:
        x = uniform(rng, -1.0, 1.0, x_shape)
        loc = x - scale * z
    return [x, *(uniform(rng, low, high, ()) for low, high in shapes), loc, scale]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("distribution, method, shapes, z_range", CONTINUOUS,
                         ids=[f"{d}.{m}" for d, m, _, _ in CONTINUOUS])
def test_continuous_distribution(distribution: str, method: str, shapes: list, z_range: tuple, layout: str) -> None:
    loss = distribution_loss(distribution, method, len(shapes))
    args = distribution_args(distribution, method, shapes, z_range, layout)
    for wrt in [*range(len(args)), tuple(range(len(args)))]:
        check_grad(loss, args, wrt)
    check_jvp(loss, args, tuple(range(len(args))))


@pytest.mark.parametrize("distribution, method, shapes, z_range", CONTINUOUS,
                         ids=[f"{d}.{m}" for d, m, _, _ in CONTINUOUS])
def test_continuous_distribution_float32(distribution: str, method: str, shapes: list, z_range: tuple) -> None:
    loss = distribution_loss(distribution, method, len(shapes))
    args = as32(distribution_args(distribution, method, shapes, z_range, "vector-x"))
    check_grad(loss, args, tuple(range(len(args))), **F32)


def test_norm_logpdf_keyword_defaults_and_scalar_loc() -> None:
    def f(x, mu):
        return np.sum(st.norm.logpdf(x, loc=mu)) + np.sum(st.norm.logpdf(x, scale=2.0))

    x = np.array([0.3, -1.2, 2.0])
    gx, gmu = srcgrad.grad(f, wrt=(0, 1))(x, 0.5)
    np.testing.assert_allclose(gx, -(x - 0.5) - x / 4.0, rtol=1e-12)
    assert gmu == pytest.approx(float(np.sum(x - 0.5)), rel=1e-12)


def test_logcdf_far_in_the_tail_does_not_underflow() -> None:
    def f(x):
        return np.sum(st.norm.logcdf(x))

    x = np.array([-40.0, -10.0])
    g = srcgrad.grad(f)(x)
    np.testing.assert_allclose(g, -x - 1.0 / x, rtol=1e-3)  # phi(x) / Phi(x) ~ -x - 1/x far below the mean


def second_derivative_by_differences(f: Callable, args: list, i: int, eps: float = 1e-5) -> float:
    first = srcgrad.grad(f, wrt=i)

    def at(value: float) -> float:
        moved = list(args)
        moved[i] = value
        return float(first(*moved))

    return (at(args[i] + eps) - at(args[i] - eps)) / (2 * eps)


@pytest.mark.parametrize("distribution, method, shapes, z_range", CONTINUOUS,
                         ids=[f"{d}.{m}" for d, m, _, _ in CONTINUOUS])
def test_continuous_distribution_second_derivative_in_the_scale(distribution: str, method: str, shapes: list,
                                                                z_range: tuple) -> None:
    loss = distribution_loss(distribution, method, len(shapes))
    args = distribution_args(distribution, method, shapes, z_range, "vector-x")
    i = len(args) - 1  # scale, a Python float
    second = float(srcgrad.grad(srcgrad.grad(loss, wrt=i), wrt=i)(*args))
    assert second == pytest.approx(second_derivative_by_differences(loss, args, i), rel=1e-5, abs=1e-6)


# ---- scipy.stats: discrete, with respect to the continuous parameter ---------------------------

def test_poisson_bernoulli_binom_logpmf() -> None:
    k = np.array([0, 1, 3, 4])

    def f(mu, p):
        return np.sum(st.poisson.logpmf(k, mu)) + np.sum(st.bernoulli.logpmf(k % 2, p)) \
            + np.sum(st.binom.logpmf(k, 6, p)) + np.sum(st.poisson.logpmf(k, mu[0], loc=-1))

    mu, p = np.array([0.5, 1.5, 2.5, 3.0]), 0.35
    check_grad(f, [mu, p], (0, 1))
    check_jvp(f, [mu, p], (0, 1))
    gmu, gp = srcgrad.grad(f, wrt=(0, 1))(mu, p)
    want_p = np.sum((k % 2) / p - (1 - k % 2) / (1 - p)) + np.sum(k / p - (6 - k) / (1 - p))
    assert gp == pytest.approx(float(want_p), rel=1e-12)


# ---- scipy.stats.multivariate_normal -----------------------------------------------------------

def mvn_loss(with_mean: bool) -> Callable:
    logpdf = st.multivariate_normal.logpdf
    if not with_mean:
        def loss(x, cov):
            return np.sum(np.sin(logpdf(x, cov=cov)))
    else:
        def loss(x, mean, cov):
            return np.sum(np.sin(logpdf(x, mean, cov)))
    return loss


MVN_CASES = {  # x's shape, mean's shape (or None), cov's shape
    "one-point": ((3,), (3,), (3, 3)),
    "batch": ((6, 3), (3,), (3, 3)),
    "batch-3d": ((2, 4, 3), (3,), (3, 3)),
    "no-mean": ((6, 3), None, (3, 3)),
    "diagonal": ((6, 3), (3,), (3,)),
    "isotropic": ((6, 3), (3,), ()),
    "one-dimensional": ((5,), (), ()),
}


def mvn_args(case: str) -> list:
    x_shape, mean_shape, cov_shape = MVN_CASES[case]
    rng = rng_for("mvn", case)
    cov = spd(rng, 3) if len(cov_shape) == 2 else uniform(rng, 0.5, 2.0, cov_shape)
    args = [rng.normal(size=x_shape)]
    if mean_shape is not None:
        args.append(uniform(rng, -1.0, 1.0, mean_shape))
    return [*args, cov]


@pytest.mark.parametrize("case", sorted(MVN_CASES))
def test_multivariate_normal_logpdf(case: str) -> None:
    loss = mvn_loss(MVN_CASES[case][1] is not None)
    args = mvn_args(case)
    for wrt in [*range(len(args)), tuple(range(len(args)))]:
        check_grad(loss, args, wrt)
    check_jvp(loss, args, tuple(range(len(args))))


def test_multivariate_normal_covariance_gradient_is_on_the_lower_triangle() -> None:
    """SciPy's eigh reads cov's lower triangle only: the upper one gets no gradient, and the symmetric
    gradient is what the lower triangle's folds back into."""
    x, mean, cov = mvn_args("batch")
    g = srcgrad.grad(mvn_loss(True), wrt=2)(x, mean, cov)
    assert np.all(np.triu(g, 1) == 0.0)

    def symmetric(x, mean, cov):
        return np.sum(np.sin(st.multivariate_normal.logpdf(x, mean, 0.5 * (cov + cov.T))))

    gs = srcgrad.grad(symmetric, wrt=2)(x, mean, cov)
    np.testing.assert_allclose(g, np.tril(gs + gs.T) - np.diag(np.diag(gs)), rtol=1e-10, atol=1e-12)


def test_multivariate_normal_float32_and_second_derivative() -> None:
    x, mean, cov = mvn_args("batch")
    check_grad(mvn_loss(True), as32([x, mean, cov]), (0, 1, 2), **F32)

    def f(x, mean, s):
        return np.sum(st.multivariate_normal.logpdf(x, mean, s * cov))

    second = float(srcgrad.grad(srcgrad.grad(f, wrt=2), wrt=2)(x, mean, 1.3))
    assert second == pytest.approx(second_derivative_by_differences(f, [x, mean, 1.3], 2), rel=1e-5)


# ---- scipy.linalg ------------------------------------------------------------------------------

def weights_for(shape: tuple, key: Any) -> np.ndarray:
    return rng_for("weights", key).normal(size=shape)


def cholesky_loss(lower: bool, W: np.ndarray) -> Callable:
    def loss(A):
        return np.sum(la.cholesky(A, lower=lower) * W)  # W is nonzero on the factor's zero triangle too
    return loss


@pytest.mark.parametrize("lower", [False, True])
def test_cholesky(lower: bool) -> None:
    rng = rng_for("chol", lower)
    A, W = spd(rng, 4), rng.normal(size=(4, 4))
    g = check_grad(cholesky_loss(lower, W), [A])
    read = np.tril(np.ones((4, 4))) if lower else np.triu(np.ones((4, 4)))
    assert np.all(g[read == 0] == 0.0)  # SciPy never reads the other triangle
    check_jvp(cholesky_loss(lower, W), [A], 0)
    check_grad(cholesky_loss(lower, W), as32([A]), **F32)


def test_cholesky_matches_the_symmetric_gradient_through_a_symmetric_matrix() -> None:
    """Built from parameters through both triangles, the folded gradient gives the usual total."""
    rng = rng_for("chol-sym")
    M, W = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))

    def f(M):
        return np.sum(la.cholesky(M @ M.T + np.eye(4), lower=True) * W)

    def g(M):
        return np.sum(np.linalg.cholesky(M @ M.T + np.eye(4)) * W)

    check_grad(f, [M])
    if srcgrad.rules.lookup(np.linalg.cholesky) is not None:
        np.testing.assert_allclose(srcgrad.grad(f)(M), srcgrad.grad(g)(M), rtol=1e-10)


def cho_loss(lower: bool, W: np.ndarray, V: np.ndarray) -> Callable:
    def loss(A, b):
        factor = la.cho_factor(A, lower=lower)
        return np.sum(la.cho_solve(factor, b) * W) + np.sum(factor[0] * V)  # both triangles of c
    return loss


@pytest.mark.parametrize("b_shape", [(4,), (4, 2)], ids=str)
@pytest.mark.parametrize("lower", [False, True])
def test_cho_factor_cho_solve(lower: bool, b_shape: tuple) -> None:
    rng = rng_for("cho", lower, b_shape)
    args = [spd(rng, 4), rng.normal(size=b_shape)]
    loss = cho_loss(lower, rng.normal(size=b_shape), rng.normal(size=(4, 4)))
    for wrt in (0, 1, (0, 1)):
        check_grad(loss, args, wrt)
    check_jvp(loss, args, (0, 1))
    check_grad(loss, as32(args), (0, 1), **F32)


def test_cho_solve_with_a_factor_from_cholesky_and_a_shared_factor() -> None:
    """`(L, True)` built by hand, and one factor used by two solves (its tuple's adjoints add up)."""
    def f(A, b):
        L = la.cholesky(A, lower=True)
        factor = (L, True)
        return b @ la.cho_solve(factor, b) + np.sum(la.cho_solve(factor, np.ones(4)) ** 2)

    rng = rng_for("cho-shared")
    check_grad(f, [spd(rng, 4), rng.normal(size=4)], (0, 1))


def solve_triangular_loss(lower: bool, trans: Any, unit: bool, W: np.ndarray) -> Callable:
    def loss(A, b):
        return np.sum(la.solve_triangular(A, b, trans=trans, lower=lower, unit_diagonal=unit) * W)
    return loss


@pytest.mark.parametrize("unit, b_shape", [(False, (4,)), (True, (4, 3))], ids=["vector", "unit-matrix"])
@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"], ids=str)
@pytest.mark.parametrize("lower", [False, True])
def test_solve_triangular(lower: bool, trans: Any, unit: bool, b_shape: tuple) -> None:
    rng = rng_for("tri", lower, trans, unit, b_shape)
    A = rng.normal(size=(4, 4)) + 4.0 * np.eye(4)  # not triangular: SciPy reads one triangle
    args = [A, rng.normal(size=b_shape)]
    loss = solve_triangular_loss(lower, trans, unit, rng.normal(size=b_shape))
    ga, _ = check_grad(loss, args, (0, 1))
    unread = np.triu(np.ones((4, 4)), 1) if lower else np.tril(np.ones((4, 4)), -1)
    if unit:
        unread = unread + np.eye(4)
    assert np.all(ga[unread == 1] == 0.0)
    check_jvp(loss, args, (0, 1))


def solve_loss(options: dict, W: np.ndarray) -> Callable:
    lower, transposed = options.get("lower", False), options.get("transposed", False)
    if "assume_a" not in options:
        def loss(A, b):
            return np.sum(la.solve(A, b, lower=lower, transposed=transposed) * W)
        return loss
    assume_a = options["assume_a"]

    def loss(A, b):
        return np.sum(la.solve(A, b, lower=lower, assume_a=assume_a, transposed=transposed) * W)
    return loss


SOLVES = {
    "default": {}, "gen": {"assume_a": "gen"}, "transposed": {"transposed": True},
    "sym": {"assume_a": "sym"}, "pos": {"assume_a": "pos"}, "pos-lower": {"assume_a": "pos", "lower": True},
    "her-lower": {"assume_a": "her", "lower": True},
}


@pytest.mark.parametrize("b_shape", [(4,), (4, 2)], ids=str)
@pytest.mark.parametrize("case", sorted(SOLVES))
def test_solve(case: str, b_shape: tuple) -> None:
    rng = rng_for("solve", case, b_shape)
    A = spd(rng, 4) if case in ("sym", "pos", "pos-lower", "her-lower") else rng.normal(size=(4, 4)) + 3 * np.eye(4)
    args = [A, rng.normal(size=b_shape)]
    loss = solve_loss(SOLVES[case], rng.normal(size=b_shape))
    for wrt in (0, 1, (0, 1)):
        check_grad(loss, args, wrt)
    check_jvp(loss, args, (0, 1))


INV_TAKES_ASSUME_A = "assume_a" in inspect.signature(la.inv).parameters


@pytest.mark.parametrize("kwargs", [{}, {"assume_a": "pos"}, {"assume_a": "pos", "lower": True}], ids=str)
def test_inv_and_det(kwargs: dict) -> None:
    if kwargs and not INV_TAKES_ASSUME_A:
        pytest.skip("scipy.linalg.inv takes assume_a from SciPy 1.17")
    rng = rng_for("inv", str(kwargs))
    A = spd(rng, 4) if kwargs else rng.normal(size=(4, 4)) + 3 * np.eye(4)
    W = rng.normal(size=(4, 4))
    if kwargs:
        assume_a, lower = kwargs["assume_a"], kwargs.get("lower", False)

        def loss(A):
            return np.sum(la.inv(A, assume_a=assume_a, lower=lower) * W) + np.log(np.abs(la.det(A)))
    else:
        def loss(A):
            return np.sum(la.inv(A) * W) + np.log(np.abs(la.det(A)))

    check_grad(loss, [A])
    check_jvp(loss, [A], 0)
    check_grad(loss, as32([A]), **F32)


@pytest.mark.parametrize("name", ["expm", "logm"])
def test_matrix_functions(name: str) -> None:
    rng = rng_for(name)
    A = 0.5 * rng.normal(size=(3, 3)) if name == "expm" else spd(rng, 3)
    W = rng.normal(size=(3, 3))
    func = getattr(la, name)

    def loss(A):
        return np.sum(func(A) * W)

    check_grad(loss, [A])
    check_jvp(loss, [A], 0)


def test_linear_algebra_second_derivatives() -> None:
    rng = rng_for("linalg-2nd")
    A, b, W = spd(rng, 3), rng.normal(size=3), rng.normal(size=(3, 3))

    def f(s, A, b):
        L = la.cholesky(s * A, lower=True)
        x = la.solve_triangular(L, b, lower=True)
        return x @ x + np.sum(la.inv(s * A) * W) + np.log(la.det(s * A)) + np.sum(la.expm(s * W) * W)

    second = float(srcgrad.grad(srcgrad.grad(f))(1.2, A, b))
    assert second == pytest.approx(second_derivative_by_differences(f, [1.2, A, b], 0), rel=1e-5)
    v = rng.normal(size=(3, 3))
    hv = srcgrad.hvp(f, wrt=1)(1.2, A, b, v)  # forward over reverse, in the matrix
    first = srcgrad.grad(f, wrt=1)
    want = (first(1.2, A + 1e-6 * v, b) - first(1.2, A - 1e-6 * v, b)) / 2e-6
    np.testing.assert_allclose(hv, want, rtol=1e-5, atol=1e-6)


# ---- realistic losses --------------------------------------------------------------------------

def rbf_kernel(log_params, X):
    lengthscale, signal = np.exp(log_params[0]), np.exp(log_params[1])
    d2 = np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1)
    return signal * np.exp(-0.5 * d2 / lengthscale ** 2) + np.exp(log_params[2]) * np.eye(X.shape[0])


def gp_nll_cho_solve(log_params, X, y):
    """The negative log marginal likelihood of a Gaussian process (Rasmussen and Williams, alg. 2.1)."""
    K = rbf_kernel(log_params, X)
    L = scipy.linalg.cholesky(K, lower=True)
    alpha = scipy.linalg.cho_solve((L, True), y)
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L))) + 0.5 * X.shape[0] * np.log(2 * np.pi)


def gp_nll_solve_triangular(log_params, X, y):
    K = rbf_kernel(log_params, X)
    U = scipy.linalg.cholesky(K)  # upper, SciPy's default
    v = scipy.linalg.solve_triangular(U, y, trans="T")
    return 0.5 * v @ v + np.sum(np.log(np.diag(U))) + 0.5 * X.shape[0] * np.log(2 * np.pi)


def gp_nll_cho_factor(log_params, X, y):
    c, lower = scipy.linalg.cho_factor(rbf_kernel(log_params, X))
    return 0.5 * y @ scipy.linalg.cho_solve((c, lower), y) + np.sum(np.log(np.diag(c))) \
        + 0.5 * X.shape[0] * np.log(2 * np.pi)


def gp_nll_numpy(log_params, X, y):
    K = rbf_kernel(log_params, X)
    sign, logdet = np.linalg.slogdet(K)
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * logdet + 0.5 * X.shape[0] * np.log(2 * np.pi)


def gp_data() -> tuple:
    rng = rng_for("gp")
    X = rng.uniform(-2, 2, size=(12, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] + 0.1 * rng.normal(size=12)
    return np.array([0.2, 0.1, np.log(0.05)]), X, y


@pytest.mark.parametrize("nll", [gp_nll_cho_solve, gp_nll_solve_triangular, gp_nll_cho_factor])
def test_gaussian_process_marginal_likelihood(nll: Callable) -> None:
    params, X, y = gp_data()
    assert nll(params, X, y) == pytest.approx(gp_nll_numpy(params, X, y), rel=1e-10)
    g = check_grad(nll, [params, X, y], 0)
    np.testing.assert_allclose(g, srcgrad.grad(gp_nll_numpy)(params, X, y), rtol=1e-8)
    check_grad(nll, [params, X, y], 1)  # the inputs too
    hv = srcgrad.hvp(nll)(params, X, y, np.array([1.0, -0.5, 0.25]))
    first = srcgrad.grad(nll)
    want = (first(params + 1e-6 * np.array([1.0, -0.5, 0.25]), X, y)
            - first(params - 1e-6 * np.array([1.0, -0.5, 0.25]), X, y)) / 2e-6
    np.testing.assert_allclose(hv, want, rtol=1e-5, atol=1e-6)


def test_gaussian_process_hyperparameters_fit_with_scipy_optimize() -> None:
    params, X, y = gp_data()
    value_and_grad = srcgrad.value_and_grad(gp_nll_cho_solve)
    fit = scipy.optimize.minimize(lambda p: value_and_grad(p, X, y), params, jac=True, method="L-BFGS-B")
    assert fit.success and fit.fun < gp_nll_cho_solve(params, X, y)
    assert np.max(np.abs(srcgrad.grad(gp_nll_cho_solve)(fit.x, X, y))) < 1e-3


def logistic_nll(w, X, t):
    z = X @ w
    return -np.sum(t * scipy.special.log_expit(z) + (1 - t) * scipy.special.log_expit(-z))


def logistic_nll_expit(w, X, t):
    p = scipy.special.expit(X @ w)
    return -np.sum(scipy.special.xlogy(t, p) + scipy.special.xlog1py(1 - t, -p))


@pytest.mark.parametrize("nll", [logistic_nll, logistic_nll_expit])
def test_logistic_regression(nll: Callable) -> None:
    rng = rng_for("logistic")
    X, w = rng.normal(size=(30, 4)), rng.normal(size=4)
    t = (rng.uniform(size=30) < scipy.special.expit(X @ np.array([1.0, -2.0, 0.5, 0.0]))).astype(float)
    g = check_grad(nll, [w, X, t], 0)
    np.testing.assert_allclose(g, X.T @ (scipy.special.expit(X @ w) - t), rtol=1e-9)
    H = srcgrad.hessian(nll)(w, X, t)
    s = scipy.special.expit(X @ w)
    np.testing.assert_allclose(H, X.T @ (X * (s * (1 - s))[:, None]), rtol=1e-8)


def mixture_nll(means, log_scales, logit_weights, x):
    weights = scipy.special.softmax(logit_weights)
    logp = scipy.stats.norm.logpdf(x[:, None], means, np.exp(log_scales))  # (points, components)
    return -np.sum(scipy.special.logsumexp(logp, axis=1, b=weights))


def mixture_nll_log_softmax(means, log_scales, logit_weights, x):
    logp = scipy.stats.norm.logpdf(x[:, None], means, np.exp(log_scales))
    return -np.sum(scipy.special.logsumexp(logp + scipy.special.log_softmax(logit_weights), axis=1))


def test_mixture_model() -> None:
    rng = rng_for("mixture")
    x = np.concatenate([rng.normal(-2, 0.5, size=20), rng.normal(1, 1.0, size=30)])
    args = [np.array([-1.5, 0.5, 2.0]), np.array([0.1, -0.2, 0.3]), np.array([0.2, 0.0, -0.4]), x]
    assert mixture_nll(*args) == pytest.approx(mixture_nll_log_softmax(*args), rel=1e-12)
    grads = check_grad(mixture_nll, args, (0, 1, 2))
    for g, h in zip(grads, srcgrad.grad(mixture_nll_log_softmax, wrt=(0, 1, 2))(*args), strict=True):
        np.testing.assert_allclose(g, h, rtol=1e-9, atol=1e-12)
    check_jvp(mixture_nll, args, (0, 1, 2))


# ---- compiled once: the rules are found again for the new bound method of each call -----------

dist = st.norm


def logpdf_of_dist(x):
    return np.sum(dist.logpdf(x, 0.5, 2.0))


def test_distribution_methods_compile_once_and_follow_a_rebound_distribution(monkeypatch) -> None:
    from srcgrad import compiler

    compiled = []
    real = compiler.joint_gradient
    monkeypatch.setattr(compiler, "joint_gradient", lambda *a, **k: compiled.append(1) or real(*a, **k))
    monkeypatch.setitem(globals(), "dist", st.norm)
    g = srcgrad.grad(logpdf_of_dist)
    x = np.array([0.3, -1.0])
    for _ in range(3):
        np.testing.assert_allclose(g(x), -(x - 0.5) / 4.0, rtol=1e-12)
    assert len(compiled) == 1
    monkeypatch.setitem(globals(), "dist", st.laplace)  # the same function rv_continuous.logpdf, another object
    np.testing.assert_allclose(g(x), -np.sign(x - 0.5) / 2.0, rtol=1e-12)
    assert len(compiled) == 2


# ---- refused with an error ---------------------------------------------------------------------

def uses_zeta(x):
    return np.sum(scipy.special.zeta(x, 2.0))


def uses_gumbel(x):
    return np.sum(scipy.stats.gumbel_r.logpdf(x))


def uses_signed_logsumexp(x):
    value, sign = scipy.special.logsumexp(x, return_sign=True)
    return value


def uses_banded_solve(A, b):
    return np.sum(scipy.linalg.solve(A, b, assume_a="banded"))


def uses_logm_disp(A):
    value, error = scipy.linalg.logm(A, disp=False)
    return np.sum(value)


@pytest.mark.parametrize("func, name", [(uses_zeta, "zeta"), (uses_gumbel, "gumbel_r.logpdf")])
def test_a_scipy_function_without_a_rule_is_refused_at_the_users_line(func: Callable, name: str) -> None:
    with pytest.raises(srcgrad.NotDifferentiableError) as info:
        srcgrad.grad(func)(np.array([2.0, 3.0]))
    message = str(info.value)
    assert name in message
    assert __file__ in message and f"line {func.__code__.co_firstlineno + 1}" in message


def test_logsumexp_with_return_sign_is_refused() -> None:
    with pytest.raises(srcgrad.NotDifferentiableError, match="return_sign=True"):
        srcgrad.grad(uses_signed_logsumexp)(np.array([0.5, 1.0]))


def test_solve_with_an_unsupported_structure_is_refused() -> None:
    A, b = np.eye(3) * 2.0, np.ones(3)
    try:
        scipy.linalg.solve(A, b, assume_a="banded")
    except ValueError:
        pytest.skip("this SciPy has no assume_a='banded'")
    with pytest.raises(srcgrad.NotDifferentiableError, match="assume_a='banded'"):
        srcgrad.grad(uses_banded_solve)(A, b)


@pytest.mark.skipif("disp" not in inspect.signature(la.logm).parameters, reason="logm has no disp from SciPy 1.18")
def test_logm_with_disp_false_is_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # `disp` is deprecated from SciPy 1.16
        with pytest.raises(srcgrad.NotDifferentiableError, match="disp=False"):
            srcgrad.grad(uses_logm_disp)(np.eye(2) * 2.0)


# ---- SciPy stays optional ----------------------------------------------------------------------

def run_python(tmp_path, code: str) -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"  # a file: srcgrad reads the source of what it differentiates
    script.write_text(code)
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)


def test_srcgrad_works_without_scipy(tmp_path) -> None:
    done = run_python(tmp_path, (
        "import sys\n"
        "sys.modules['scipy'] = None  # import scipy now raises ImportError\n"
        "import numpy as np, srcgrad\n"
        "def f(x):\n"
        "    return np.sum(np.tanh(x) ** 2)\n"
        "srcgrad.grad(f)(np.ones(3)); srcgrad.jvp(f)(np.ones(3), np.ones(3))\n"
        "print('ok')\n"))
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_import_srcgrad_does_not_import_scipy(tmp_path) -> None:
    done = run_python(tmp_path, "import sys, srcgrad\n"
                                "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))\n")
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr
