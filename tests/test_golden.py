"""Golden tests: the exact generated source of three small functions.

The `# grad of line N` comments carry line numbers of this file, so they are computed from
`inspect.getsourcelines`; everything else is compared character for character. Each golden
function's gradient is also checked against a closed form, so a golden text is a correct one.
"""
import inspect
from typing import Callable

import numpy as np

import srcgrad


def tanh_sum(x):
    return np.sum(np.tanh(x))


def overwrite(a, b):
    a = a * b
    return np.sum(a * a)


def linear(params, x, y):
    pred = x @ params["w"] + params["b"]
    return np.mean((pred - y) ** 2)


def line_of(func: Callable, offset: int) -> int:
    """The file line number `offset` lines below `func`'s def line."""
    return inspect.getsourcelines(func)[1] + offset


def assert_same_text(actual: str, expected: str) -> None:
    """Compare line by line first, so a failure shows the first differing line."""
    for number, (got, want) in enumerate(zip(actual.splitlines(), expected.splitlines(), strict=False), 1):
        assert got == want, f"line {number} differs:\n got: {got!r}\nwant: {want!r}\n\n{actual}"
    assert actual == expected, actual


def test_golden_tanh_sum():
    expected = f"""\
def grad_tanh_sum(x):
    _t1 = np.tanh(x)
    _t2 = np.sum(_t1)
    d_t2 = 1.0
    # grad of line {line_of(tanh_sum, 1)}: return np.sum(np.tanh(x))
    d_t1 = uniform_adjoint(d_t2, _t1)
    d_x = d_t1 * (1.0 - _t1 * _t1)
    return (_t2, (complete(d_x, x),))
"""
    df = srcgrad.grad(tanh_sum)
    assert_same_text(df.source, expected)
    x = np.array([-1.5, 0.0, 0.25])
    np.testing.assert_allclose(df(x), 1.0 - np.tanh(x) ** 2, rtol=1e-12)


def test_golden_overwrite():
    expected = f"""\
def grad_overwrite(a, b):
    _tape = []
    _tape.append(a)
    a = a * b
    _t1 = a * a
    _t2 = np.sum(_t1)
    d_t2 = 1.0
    # grad of line {line_of(overwrite, 2)}: return np.sum(a * a)
    d_t1 = uniform_adjoint(d_t2, _t1)
    d_a = d_t1 * a
    d_a += d_t1 * a
    # grad of line {line_of(overwrite, 1)}: a = a * b
    _d1 = d_a
    a = _tape.pop()
    d_a = unbroadcast(_d1 * b, a)
    d_b = unbroadcast(_d1 * a, b)
    return (_t2, (complete(d_a, a), complete(d_b, b)))
"""
    df = srcgrad.grad(overwrite, wrt=(0, 1))
    assert_same_text(df.source, expected)
    a, b = np.array([0.5, -2.0, 3.0]), np.array([1.5, 0.25, -1.0])
    ga, gb = df(a, b)
    np.testing.assert_allclose(ga, 2 * a * b ** 2, rtol=1e-12)
    np.testing.assert_allclose(gb, 2 * a ** 2 * b, rtol=1e-12)


def test_golden_linear_model():
    expected = f"""\
def grad_linear(params, x, y):
    _t1 = params['w']
    _t2 = x @ _t1
    _t3 = params['b']
    pred = _t2 + _t3
    _t4 = pred - y
    _t5 = _t4 ** 2
    _t6 = np.mean(_t5)
    d_t6 = 1.0
    # grad of line {line_of(linear, 2)}: return np.mean((pred - y) ** 2)
    d_t5 = uniform_adjoint(d_t6 / count(_t5, None), _t5)
    d_t4 = d_t5 * 2 * _t4
    d_pred = unbroadcast(d_t4, pred)
    # grad of line {line_of(linear, 1)}: pred = x @ params["w"] + params["b"]
    d_t2 = unbroadcast(d_pred, _t2)
    d_t3 = unbroadcast(d_pred, _t3)
    d_params = index_grad(params, 'b', d_t3)
    d_t1 = matmul_adjoint_right(d_t2, x, _t1)
    index_add_inplace(d_params, params, 'w', d_t1)
    return (_t6, (complete(d_params, params),))
"""
    df = srcgrad.grad(linear)
    assert_same_text(df.source, expected)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=6)
    params = {"w": rng.normal(size=3), "b": 0.25}
    g = df(params, x, y)
    residual = x @ params["w"] + params["b"] - y
    np.testing.assert_allclose(g["w"], 2.0 / 6 * x.T @ residual, rtol=1e-12)
    assert type(g["b"]) is float
    np.testing.assert_allclose(g["b"], 2.0 / 6 * np.sum(residual), rtol=1e-12)
