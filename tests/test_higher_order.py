"""grad of grad: srcgrad differentiates its own generated gradient code.

References are closed forms or central finite differences of srcgrad's first derivative checked
against its own closed form first (never a second derivative checked against itself).
"""
import inspect
import math

import numpy as np
import pytest

import srcgrad


def cubic_sine(a):
    return math.sin(a) * a ** 3


def looped(a):
    y = a
    for i in range(3):
        y = y * a + math.tanh(y)
    return y


def branchy(a):
    if a > 0.5:
        b = a * a * a
    else:
        b = math.exp(a)
    return b * a


def helper_square(a):
    return a * a


def calls_helper(a):
    return helper_square(math.sin(a)) + helper_square(a) * a


def mlp_like(x, W):
    h = np.tanh(W @ x)
    return np.sum(h * h) + np.sum(x ** 3)


def central(f, a: float, eps: float = 1e-5) -> float:
    return (f(a + eps) - f(a - eps)) / (2 * eps)


def test_second_and_third_derivatives_of_a_scalar_function_match_closed_forms() -> None:
    a = 0.7
    d1, d2, d3 = srcgrad.grad(cubic_sine), None, None
    d2 = srcgrad.grad(d1)
    d3 = srcgrad.grad(d2)
    s, c = math.sin(a), math.cos(a)
    assert d1(a) == pytest.approx(c * a ** 3 + 3 * a ** 2 * s, rel=1e-12)
    assert d2(a) == pytest.approx(-s * a ** 3 + 6 * a ** 2 * c + 6 * a * s, rel=1e-12)
    assert d3(a) == pytest.approx(-c * a ** 3 - 9 * a ** 2 * s + 18 * a * c + 6 * s, rel=1e-12)


@pytest.mark.parametrize("func, a", [(looped, 0.3), (branchy, 0.8), (branchy, 0.2), (calls_helper, 0.4)])
def test_second_derivative_through_control_flow_and_calls(func, a: float) -> None:
    d1 = srcgrad.grad(func)
    assert d1(a) == pytest.approx(central(func, a), rel=1e-6)  # the first derivative is right
    d2 = srcgrad.grad(d1)
    assert d2(a) == pytest.approx(central(d1, a), rel=1e-6)


def test_hessian_vector_product_by_reverse_over_reverse() -> None:
    df = srcgrad.grad(mlp_like)
    rng = np.random.default_rng(0)
    W, x, v = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=4)

    def along(x, W, v):
        return np.sum(df(x, W) * v)

    globals()["along_df"] = df  # `along` calls df, a gradient, inside differentiated code
    hv = srcgrad.grad(along)(x, W, v)
    eps = 1e-6
    fd = (df(x + eps * v, W) - df(x - eps * v, W)) / (2 * eps)
    np.testing.assert_allclose(hv, fd, rtol=1e-6, atol=1e-8)


def test_value_and_grad_cannot_be_differentiated_again() -> None:
    with pytest.raises(srcgrad.SrcgradError, match="value_and_grad"):
        srcgrad.grad(srcgrad.value_and_grad(cubic_sine))(0.5)


# ---- every catalogue function with a scalar parameter, differentiated twice ----------------------

def _second_derivative_cases() -> list:
    import test_catalogue
    import test_catalogue_control

    cases = []
    for func in test_catalogue.catalogue_functions():
        if not getattr(func, "known_bugs", None):
            cases.append(pytest.param(func, test_catalogue.make_args(func), id=f"catalogue-{func.__name__}"))
    for func in test_catalogue_control.functions():
        if getattr(func, "known_bug", None) is None:
            for k, override in enumerate(getattr(func, "cases", None) or [{}]):
                cases.append(pytest.param(func, test_catalogue_control.make_args(func, override),
                                          id=f"control-{func.__name__}-{k}"))
    return [c for c in cases if any(p in ("a", "b", "c") for p in inspect.signature(c.values[0]).parameters)]


@pytest.mark.parametrize("func, args", _second_derivative_cases())
def test_grad_of_grad_over_the_catalogues(func, args: list) -> None:
    """d/da of srcgrad's d/da against central differences of that first derivative (checked on its own
    by the catalogue tests against differences of f)."""
    params = list(inspect.signature(func).parameters)
    name = next(p for p in params if p in ("a", "b", "c"))
    i = params.index(name)
    first = srcgrad.grad(func, wrt=name)
    second = srcgrad.grad(first, wrt=name)

    def first_at(value: float) -> float:
        shifted = list(args)
        shifted[i] = value
        return float(np.sum(first(*shifted)))

    eps = 1e-5
    reference = (first_at(args[i] + eps) - first_at(args[i] - eps)) / (2 * eps)
    assert float(np.sum(second(*args))) == pytest.approx(reference, rel=1e-4, abs=1e-4)
