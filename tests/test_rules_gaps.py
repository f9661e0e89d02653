"""Rules for functions real loss code calls that srcgrad refused (the realistic corpus): np.take_along_axis,
np.split / array_split / hsplit / vsplit / dsplit, ufunc.outer, scipy.stats halfcauchy / halfnorm / cauchy /
lognorm / invgamma logpdf, scipy.signal convolve / correlate / fftconvolve / convolve2d / correlate2d.

Gradients are checked against float64 central finite differences (gradcheck.check_grad), tangents against
central differences along them (test_forward.check_jvp), and second derivatives against central
differences of srcgrad's first derivative, which the first-order cases check on their own. Functions are
built by small factories, so each case differentiates a function whose NumPy call and constants are read
from closure cells (resolved at compile time).
"""
import zlib
from typing import Any, Callable

import numpy as np
import pytest
import scipy.signal
import scipy.special
import scipy.stats

import srcgrad
from gradcheck import check_grad
from srcgrad.rules.outer import outer_rules
from srcgrad.rules.registry import ADJOINTS, lookup
from test_forward import check_jvp


def rng_for(*key: Any) -> np.random.Generator:
    """A generator seeded by the case, so each parametrized case is reproducible alone."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def weights(shape: tuple) -> np.ndarray:
    """Distinct weights for the entries of a result, so that a misplaced adjoint shows."""
    return np.linspace(0.5, 2.0, int(np.prod(shape))).reshape(shape)


def squared_gradient(f: Callable, wrt: Any = 0) -> Callable:
    """x -> sum(grad f(x) ** 2): its gradient is a second derivative of f (grad of grad)."""
    df = srcgrad.grad(f, wrt=wrt)

    def h(x):
        return np.sum(df(x) ** 2)

    return h


def squared_gradient2(f: Callable, wrt: Any = (0, 1)) -> Callable:
    """(x, y) -> the sum of the squares of f's gradients w.r.t. both."""
    df = srcgrad.grad(f, wrt=wrt)

    def h(x, y):
        gx, gy = df(x, y)
        return np.sum(gx ** 2) + np.sum(gy ** 3)

    return h


# ---- np.take_along_axis ------------------------------------------------------------------------


def gather(indices: Any, axis: Any) -> Callable:
    def f(arr):
        picked = np.take_along_axis(arr, indices, axis)
        return np.sum(np.sin(picked) * weights(np.shape(picked)))

    return f


TAKE_CASES = [
    pytest.param((4, 3), np.array([[2], [0], [2], [1]]), 1, id="focal-loss-column"),
    pytest.param((4, 3), np.array([[2], [0], [2], [1]]), -1, id="negative-axis"),
    pytest.param((4, 3), np.array([[1, 1, 0, 1]]), 1, id="indices-broadcast-over-rows"),
    pytest.param((4, 3), np.array([[3, 0, 3]]), 0, id="axis0-repeated"),
    pytest.param((1, 3), np.array([[2, 2], [0, 1], [1, 1]]), 1, id="arr-broadcast-over-rows"),
    pytest.param((2, 3, 4), np.array([[[2, 0, 1, 1]], [[0, 0, 2, 1]]]), -2, id="3d-negative-axis"),
    pytest.param((2, 3, 4), np.array([[[3, 3], [0, 1], [2, 2]], [[1, 0], [0, 0], [3, 1]]]), 2, id="3d-last-axis"),
    pytest.param((3, 4), np.array([5, 5, 0, 11, -1]), None, id="axis-none-flat"),
    pytest.param((5,), np.array([4, -1, 0, 0]), 0, id="vector-negative-indices"),
]


@pytest.mark.parametrize("shape, indices, axis", TAKE_CASES)
def test_take_along_axis(shape: tuple, indices: np.ndarray, axis: Any) -> None:
    f = gather(indices, axis)
    arr = rng_for("take", shape, axis).normal(size=shape)
    check_grad(f, [arr], 0)
    check_jvp(f, [arr], 0)


@pytest.mark.parametrize("shape, indices, axis", TAKE_CASES[:1] + TAKE_CASES[3:6])
def test_take_along_axis_second_derivative(shape: tuple, indices: np.ndarray, axis: Any) -> None:
    arr = rng_for("take2", shape, axis).normal(size=shape)
    check_grad(squared_gradient(gather(indices, axis)), [arr], 0, rtol=1e-4)


def focal_loss(W, X, y, gamma=2.0):
    logits = X @ W
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    log_pt = np.take_along_axis(log_p, y[:, None], axis=1)[:, 0]
    return -np.mean((1 - np.exp(log_pt)) ** gamma * log_pt)


def argmax_gather(W):
    """Indices computed inside the function (argmax): they carry no derivative."""
    return np.sum(np.take_along_axis(W, np.argmax(W, axis=0)[None, :], axis=0) ** 2)


def test_take_along_axis_in_a_loss() -> None:
    rng = rng_for("focal")
    W, X, y = rng.normal(size=(3, 4)), rng.normal(size=(6, 3)), np.array([0, 3, 3, 1, 2, 0])
    check_grad(focal_loss, [W, X, y], (0, 1))
    check_jvp(focal_loss, [W, X, y], (0, 1))
    check_grad(argmax_gather, [rng.normal(size=(4, 3))], 0)


def test_take_along_axis_float32_gradient_is_float32() -> None:
    arr = rng_for("take32").normal(size=(4, 3)).astype(np.float32)
    grad = srcgrad.grad(gather(np.array([[2], [0], [2], [1]]), 1))(arr)
    assert grad.dtype == np.float32
    check_grad(gather(np.array([[2], [0], [2], [1]]), 1), [arr], 0, rtol=2e-3, atol=2e-4)


def put_along_axis_into(x):
    a = np.zeros((2, 3))
    np.put_along_axis(a, np.array([[1], [0]]), x, 1)
    return np.sum(a)


def test_put_along_axis_stays_refused() -> None:
    with pytest.raises(srcgrad.UnsupportedSyntaxError, match="in-place operation"):
        srcgrad.grad(put_along_axis_into)(np.ones((2, 1)))


# ---- np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit -----------------------------------


def pieces_of(split: Callable, *args: Any) -> Callable:
    """A loss weighting each piece of split(x, *args) differently (empty pieces weigh nothing)."""
    def total(pieces):
        out = 0.0
        k = 1.0
        for piece in pieces:
            out = out + k * np.sum(np.sin(piece) * piece)
            k = k + 1.0
        return out

    if len(args) == 1:
        (sections,) = args

        def f(x):
            return total(split(x, sections))
    else:
        sections, axis = args

        def f(x):
            return total(split(x, sections, axis))

    return f


SPLIT_CASES = [
    pytest.param((6,), np.split, (3,), id="split-vector-sections"),
    pytest.param((4, 3), np.split, (2,), id="split-rows"),
    pytest.param((4, 3), np.split, ([1, 2], -1), id="split-indices-negative-axis"),
    pytest.param((5, 2), np.split, ([3, 1],), id="split-overlapping-indices"),
    pytest.param((5, 2), np.split, ([0, 2, 9],), id="split-empty-pieces"),
    pytest.param((7,), np.array_split, (3,), id="array-split-uneven"),
    pytest.param((4, 3), np.array_split, (2, 1), id="array-split-columns-uneven"),
    pytest.param((3,), np.array_split, (5,), id="array-split-more-sections-than-items"),
    pytest.param((2, 3, 5), np.array_split, (2, -1), id="array-split-3d-negative-axis"),
    pytest.param((6,), np.hsplit, (2,), id="hsplit-vector"),
    pytest.param((2, 4), np.hsplit, ([1],), id="hsplit-matrix"),
    pytest.param((4, 3), np.vsplit, ([1, 3],), id="vsplit"),
    pytest.param((2, 3, 4), np.dsplit, (2,), id="dsplit"),
]


@pytest.mark.parametrize("shape, split, args", SPLIT_CASES)
def test_split_family(shape: tuple, split: Callable, args: tuple) -> None:
    f = pieces_of(split, *args)
    x = rng_for("split", shape, split.__name__, repr(args)).normal(size=shape)
    check_grad(f, [x], 0)
    check_jvp(f, [x], 0)


@pytest.mark.parametrize("shape, split, args", [SPLIT_CASES[2], SPLIT_CASES[3], SPLIT_CASES[6]])
def test_split_second_derivative(shape: tuple, split: Callable, args: tuple) -> None:
    x = rng_for("split2", shape, split.__name__).normal(size=shape)
    check_grad(squared_gradient(pieces_of(split, *args)), [x], 0, rtol=1e-4)


def mdn_heads(out, y):
    """The mixture density network's three heads (the corpus's mdn_nll)."""
    logits, mu, log_sigma = np.split(out, 3, axis=1)
    log_pi = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    z = (y - mu) / np.exp(log_sigma)
    return -np.sum(log_pi - 0.5 * z ** 2 - log_sigma)


def one_piece_used(x):
    first, second, third = np.split(x, 3)  # first and third get no adjoint: zeros there
    return np.sum(second ** 3)


def pieces_joined_again(x):
    parts = np.split(x, [2, 3])
    return np.sum(np.concatenate([parts[2], parts[1], parts[0]]) * weights((6,))) + np.sum(parts[0] * parts[2][:2])


def pieces_stacked_and_read(x):
    parts = np.array_split(x, 2)
    return np.sum(np.stack(parts) ** 2 * weights((2, 3))) + np.sum(np.sin(parts[1]))


@pytest.mark.parametrize("f", [one_piece_used, pieces_joined_again, pieces_stacked_and_read])
def test_split_pieces_used_sparsely_and_as_lists(f: Callable) -> None:
    x = rng_for(f.__name__).normal(size=6)
    check_grad(f, [x], 0)
    check_jvp(f, [x], 0)
    check_grad(squared_gradient(f), [x], 0, rtol=1e-4)


def test_split_in_a_mixture_density_loss() -> None:
    rng = rng_for("mdn")
    out, y = rng.normal(size=(4, 6)), rng.normal(size=(4, 1))
    check_grad(mdn_heads, [out, y], (0, 1))
    check_jvp(mdn_heads, [out, y], (0, 1))


def test_split_float32_gradient_is_float32() -> None:
    x = rng_for("split32").normal(size=(4, 3)).astype(np.float32)
    f = pieces_of(np.array_split, 3)
    assert srcgrad.grad(f)(x).dtype == np.float32
    check_grad(f, [x], 0, rtol=2e-3, atol=2e-4)


# ---- ufunc.outer ----------------------------------------------------------------------------------

# ufunc -> (domain of the first operand, of the second)
OUTER_DOMAINS = {
    np.add: ("real", "real"), np.subtract: ("real", "real"), np.multiply: ("real", "real"),
    np.divide: ("real", "nonzero"), np.power: ("positive", "real"), np.arctan2: ("real", "nonzero"),
    np.hypot: ("nonzero", "nonzero"), np.maximum: ("real", "real"), np.fmax: ("real", "real"),
    np.minimum: ("real", "real"), np.fmin: ("real", "real"), np.logaddexp: ("real", "real"),
    np.logaddexp2: ("real", "real"), np.mod: ("real", "positive"), np.fmod: ("real", "positive"),
}


def draw(rng: np.random.Generator, shape: tuple, domain: str) -> np.ndarray:
    if domain == "positive":
        return rng.uniform(0.5, 2.0, size=shape)
    if domain == "nonzero":
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)
    return rng.normal(size=shape)


def outer_of(ufunc: np.ufunc) -> Callable:
    def f(a, b):
        y = ufunc.outer(a, b)
        return np.sum(np.sin(y) * weights(np.shape(y)))

    return f


@pytest.mark.parametrize("ufunc", list(OUTER_DOMAINS), ids=lambda u: u.__name__)
@pytest.mark.parametrize("shapes", [((2, 3), (4,)), ((3,), (3,)), ((), (2, 2))], ids=str)
def test_ufunc_outer(ufunc: np.ufunc, shapes: tuple) -> None:
    rng = rng_for("outer", ufunc.__name__, shapes)
    first, second = OUTER_DOMAINS[ufunc]
    a, b = draw(rng, shapes[0], first), draw(rng, shapes[1], second)
    a = float(a) if shapes[0] == () else a
    f = outer_of(ufunc)
    check_grad(f, [a, b], (0, 1))
    check_jvp(f, [a, b], (0, 1))
    check_jvp(f, [a, b], 1)


@pytest.mark.parametrize("ufunc", list(OUTER_DOMAINS), ids=lambda u: u.__name__)
def test_ufunc_outer_second_derivative(ufunc: np.ufunc) -> None:
    rng = rng_for("outer2", ufunc.__name__)
    first, second = OUTER_DOMAINS[ufunc]
    a, b = draw(rng, (3,), first), draw(rng, (2,), second)
    check_grad(squared_gradient2(outer_of(ufunc)), [a, b], (0, 1), rtol=1e-4, atol=1e-5)


def pairwise_logistic(w, X, rel):
    """The corpus's ranking loss: the same scores as both operands of np.subtract.outer."""
    s = X @ w
    d = np.subtract.outer(s, s)
    mask = np.subtract.outer(rel, rel) > 0
    return np.sum(np.log1p(np.exp(-d[mask])))


def outer_with_constants(x):
    return np.sum(np.multiply.outer(2.5, x) * np.subtract.outer(x, 0.5)) + np.sum(np.maximum.outer(x, [0.0, 1.0]))


def test_ufunc_outer_of_one_array_with_itself_and_constants() -> None:
    rng = rng_for("pairwise")
    w, X, rel = rng.normal(size=3), rng.normal(size=(5, 3)), np.array([2, 0, 1, 2, 0])
    check_grad(pairwise_logistic, [w, X, rel], (0, 1))
    check_jvp(pairwise_logistic, [w, X, rel], (0, 1))
    check_grad(outer_with_constants, [rng.normal(size=3)], 0)
    check_grad(squared_gradient(outer_with_constants), [rng.normal(size=3)], 0, rtol=1e-4)


def special_outers(x, y):
    return np.sum(scipy.special.xlogy.outer(x, y) + scipy.special.betaln.outer(x, y)) \
        + np.sum(scipy.special.xlog1py.outer(y, x) ** 2)


def test_scipy_special_ufunc_outer() -> None:
    rng = rng_for("special outer")
    x, y = rng.uniform(0.5, 2.0, size=3), rng.uniform(0.5, 2.0, size=(2, 2))
    check_grad(special_outers, [x, y], (0, 1))
    check_jvp(special_outers, [x, y], (0, 1))
    check_grad(squared_gradient2(special_outers), [x, y], (0, 1), rtol=1e-4)


def outer_with_dtype(x):
    return np.sum(np.subtract.outer(x, x, dtype=np.float64))


def test_ufunc_outer_rules_are_derived_from_the_ufuncs_own() -> None:
    rule = lookup(np.subtract.outer)
    assert rule.name == "subtract.outer" and rule.where == f"{lookup(np.subtract).where} (.outer)"
    assert lookup(np.remainder.outer) is lookup(np.mod.outer)
    with pytest.raises(ValueError, match="not an elementwise two-argument ufunc"):
        outer_rules(ADJOINTS, np.sin)
    with pytest.raises(ValueError, match="not an elementwise two-argument ufunc"):
        outer_rules(ADJOINTS, np.matmul)
    with pytest.raises(srcgrad.NotDifferentiableError, match="does not accept this call"):
        srcgrad.grad(outer_with_dtype)(np.ones(3))


# ---- scipy.stats: halfcauchy, halfnorm, cauchy, lognorm, invgamma --------------------------------

halfcauchy, halfnorm, cauchy = scipy.stats.halfcauchy, scipy.stats.halfnorm, scipy.stats.cauchy
lognorm, invgamma = scipy.stats.lognorm, scipy.stats.invgamma


def halfcauchy_positional(x, loc, scale):
    return np.sum(halfcauchy.logpdf(x, loc, scale))


def halfnorm_keywords(x, loc, scale):
    return np.sum(halfnorm.logpdf(x, loc=loc, scale=scale))


def cauchy_positional(x, loc, scale):
    return np.sum(cauchy.logpdf(x, loc, scale) * weights(np.shape(x)))


def lognorm_all(x, s, loc, scale):
    return np.sum(lognorm.logpdf(x, s, loc, scale))


def invgamma_keywords(x, a, loc, scale):
    return np.sum(invgamma.logpdf(x, a, loc=loc, scale=scale))


def lognorm_shape_only(x, s):
    return np.sum(lognorm.logpdf(x, s))


def invgamma_default_scale(x, a):
    return np.sum(invgamma.logpdf(x, a) ** 2)


X_POS = np.array([0.7, 1.3, 2.9, 1.1])
STATS_CASES = [
    pytest.param(halfcauchy_positional, [X_POS, 0.2, 1.5], id="halfcauchy"),
    pytest.param(halfcauchy_positional, [X_POS, np.array([0.1, 0.2, 0.0, 0.5]), 2.0], id="halfcauchy-loc-vector"),
    pytest.param(halfnorm_keywords, [X_POS, 0.2, np.array([1.5, 0.5, 2.0, 1.0])], id="halfnorm-scale-vector"),
    pytest.param(cauchy_positional, [X_POS - 1.5, -0.3, 0.8], id="cauchy"),
    pytest.param(lognorm_all, [X_POS, 0.6, 0.1, 1.5], id="lognorm"),
    pytest.param(lognorm_all, [X_POS, np.array([0.5, 0.9, 1.3, 0.7]), 0.1, 1.5], id="lognorm-s-vector"),
    pytest.param(lognorm_shape_only, [X_POS, 0.8], id="lognorm-defaults"),
    pytest.param(invgamma_keywords, [X_POS, 2.5, 0.1, 1.5], id="invgamma"),
    pytest.param(invgamma_default_scale, [X_POS, np.array([1.5, 3.0, 2.0, 4.0])], id="invgamma-a-vector"),
]


@pytest.mark.parametrize("f, args", STATS_CASES)
def test_scipy_stats_logpdf(f: Callable, args: list) -> None:
    every = tuple(range(len(args)))
    check_grad(f, args, every)
    check_jvp(f, args, every)
    for i in every:
        check_grad(f, args, i)


def second_in_x_and_scale(f: Callable, args: list) -> Callable:
    """(x, scale) -> the sum of the squares of f's gradients w.r.t. every argument, the others fixed at `args`."""
    df = srcgrad.grad(f, wrt=tuple(range(len(args))))
    if len(args) == 3:
        loc = args[1]

        def h(x, scale):
            g1, g2, g3 = df(x, loc, scale)
            return np.sum(g1 ** 2) + g2 ** 2 + g3 ** 2
    else:
        shape, loc = args[1], args[2]

        def h(x, scale):
            g1, g2, g3, g4 = df(x, shape, loc, scale)
            return np.sum(g1 ** 2) + g2 ** 2 + g3 ** 2 + g4 ** 2

    return h


@pytest.mark.parametrize("f, args", [STATS_CASES[0], STATS_CASES[3], STATS_CASES[4], STATS_CASES[7]])
def test_scipy_stats_logpdf_second_derivative(f: Callable, args: list) -> None:
    check_grad(second_in_x_and_scale(f, args), [args[0], args[-1]], (0, 1), rtol=1e-4, atol=1e-5)


def shape_gradient(x, a):
    """d/da of the inverse gamma and log-normal log-densities, differentiated again in both."""
    return np.sum(invgamma_keywords(x, a, 0.1, 1.5) + lognorm_all(x, a, 0.1, 1.5))


def test_scipy_stats_shape_parameter_second_derivative() -> None:
    check_grad(squared_gradient2(shape_gradient, wrt=(0, 1)), [X_POS, 1.7], (0, 1), rtol=1e-4, atol=1e-5)


def eight_schools_logp(params):
    """The corpus's hierarchical model: a half-Cauchy prior on the group scale."""
    y = np.array([28.0, 8.0, -3.0, 7.0])
    sigma = np.array([15.0, 10.0, 16.0, 11.0])
    mu, log_tau, theta_tilde = params[0], params[1], params[2:]
    tau = np.exp(log_tau)
    theta = mu + tau * theta_tilde
    lp = scipy.stats.norm.logpdf(mu, 0, 5) + halfcauchy.logpdf(tau, scale=5) + log_tau
    return -(lp + np.sum(scipy.stats.norm.logpdf(theta_tilde, 0, 1)) + np.sum(scipy.stats.norm.logpdf(y, theta, sigma)))


def test_scipy_stats_in_a_hierarchical_model() -> None:
    params = rng_for("eight schools").normal(size=6)
    check_grad(eight_schools_logp, [params], 0)
    check_jvp(eight_schools_logp, [params], 0)
    check_grad(squared_gradient(eight_schools_logp), [params], 0, rtol=1e-4)


# ---- scipy.signal ---------------------------------------------------------------------------------


def convolution_2d(func: Callable, mode: str, boundary: str) -> Callable:
    def f(in1, in2, fillvalue):
        y = func(in1, in2, mode, boundary, fillvalue)
        return np.sum(np.sin(y) * weights(np.shape(y)))

    return f


SHAPES_2D = [((4, 5), (2, 3)), ((3, 3), (3, 3)), ((2, 3), (4, 4)), ((5, 4), (1, 2))]


@pytest.mark.parametrize("func", [scipy.signal.convolve2d, scipy.signal.correlate2d], ids=lambda f: f.__name__)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("boundary", ["fill", "symm", "wrap"])
@pytest.mark.parametrize("shapes", SHAPES_2D, ids=str)
def test_convolve2d_correlate2d(func: Callable, mode: str, boundary: str, shapes: tuple) -> None:
    rng = rng_for("2d", func.__name__, mode, boundary, shapes)
    args = [rng.normal(size=shapes[0]), rng.normal(size=shapes[1]), 0.7]
    f = convolution_2d(func, mode, boundary)
    check_grad(f, args, (0, 1, 2))
    check_jvp(f, args, (0, 1, 2))


def test_convolve2d_boundary_names_and_defaults() -> None:
    rng = rng_for("2d names")
    args = [rng.normal(size=(4, 4)), rng.normal(size=(2, 3)), 0.0]
    for boundary in ("pad", "symmetric", "circular"):
        check_grad(convolution_2d(scipy.signal.convolve2d, "same", boundary), args, (0, 1, 2))
    check_grad(default_convolve2d, args[:2], (0, 1))


def default_convolve2d(image, kernel):
    return np.sum(scipy.signal.convolve2d(image, kernel) ** 2) + np.sum(scipy.signal.correlate2d(image, kernel) ** 3)


@pytest.mark.parametrize("func, boundary", [(scipy.signal.convolve2d, "symm"), (scipy.signal.correlate2d, "fill"),
                                            (scipy.signal.convolve2d, "wrap")])
def test_convolve2d_second_derivative(func: Callable, boundary: str) -> None:
    rng = rng_for("2d second", func.__name__, boundary)
    f = convolution_2d(func, "same", boundary)
    df = srcgrad.grad(f, wrt=(0, 1, 2))

    def h(in1, in2):
        g1, g2, g3 = df(in1, in2, 0.4)
        return np.sum(g1 ** 2) + np.sum(g2 ** 3) + g3 ** 2

    check_grad(h, [rng.normal(size=(3, 4)), rng.normal(size=(2, 2))], (0, 1), rtol=1e-4, atol=1e-5)


def deconvolution_objective(x, blurred, kernel, lam=0.01):
    """The corpus's deblurring objective: a 'same' convolution with symmetric boundaries."""
    residual = scipy.signal.convolve2d(x, kernel, mode="same", boundary="symm") - blurred
    grad_penalty = np.sum(np.diff(x, axis=0) ** 2) + np.sum(np.diff(x, axis=1) ** 2)
    return 0.5 * np.sum(residual ** 2) + lam * grad_penalty


def test_convolve2d_in_a_deblurring_objective() -> None:
    rng = rng_for("deblur")
    x, blurred, kernel = rng.normal(size=(5, 5)), rng.normal(size=(5, 5)), rng.uniform(size=(3, 3))
    check_grad(deconvolution_objective, [x, blurred, kernel], (0, 2))
    check_jvp(deconvolution_objective, [x, blurred, kernel], (0, 2))


def convolution_nd(func: Callable, mode: str) -> Callable:
    def f(in1, in2):
        y = func(in1, in2, mode)
        return np.sum(np.sin(y) * weights(np.shape(y)))

    return f


SHAPES_ND = [((7,), (3,)), ((4,), (4,)), ((3,), (6,)), ((4, 3), (2, 2)), ((2, 3), (3, 4)), ((3, 2, 2), (2, 2, 3))]
# 'valid' needs one operand at least as large as the other on every axis (SciPy refuses the others itself)
ND_CASES = [pytest.param(mode, shapes, id=f"{mode}-{shapes}")
            for mode in ("full", "same", "valid") for shapes in SHAPES_ND
            if mode != "valid" or all(n >= m for n, m in zip(*shapes)) or all(n <= m for n, m in zip(*shapes))]


@pytest.mark.parametrize("func", [scipy.signal.convolve, scipy.signal.correlate, scipy.signal.fftconvolve],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("mode, shapes", ND_CASES)
def test_convolve_correlate_nd(func: Callable, mode: str, shapes: tuple) -> None:
    rng = rng_for("nd", func.__name__, mode, shapes)
    args = [rng.normal(size=shapes[0]), rng.normal(size=shapes[1])]
    f = convolution_nd(func, mode)
    check_grad(f, args, (0, 1))
    check_jvp(f, args, (0, 1))


def direct_and_fft(x, k):
    return np.sum(scipy.signal.convolve(x, k, "same", method="direct") ** 2) \
        + np.sum(scipy.signal.correlate(x, k, method="fft") ** 3)


@pytest.mark.parametrize("func", [scipy.signal.convolve, scipy.signal.correlate], ids=lambda f: f.__name__)
def test_convolve_correlate_methods_and_second_derivative(func: Callable) -> None:
    rng = rng_for("nd second", func.__name__)
    x, k = rng.normal(size=6), rng.normal(size=3)
    check_grad(direct_and_fft, [x, k], (0, 1))
    check_grad(squared_gradient2(convolution_nd(func, "same")), [x, k], (0, 1), rtol=1e-4, atol=1e-5)


def fftconvolve_along_axis(x, k):
    return np.sum(scipy.signal.fftconvolve(x, k, "same", axes=1) ** 2)


def test_fftconvolve_over_some_axes_is_refused() -> None:
    with pytest.raises(srcgrad.NotDifferentiableError, match="fftconvolve over all axes only, not axes=1"):
        srcgrad.grad(fftconvolve_along_axis)(np.ones((3, 4)), np.ones((3, 2)))
