"""Lambdas wherever users write them: in multi-line dict and list literals, in `for` headers, two on a line,
at module level, passed to vjp and jacobian. References: closed forms and central finite differences."""
import sys

import numpy as np
import pytest
import scipy.special

import srcgrad

from gradcheck import numeric_grad

X = np.array([[0.3, -1.2, 0.8], [1.5, 0.1, -0.4]])

LOSSES = {
    "mean_square": lambda x: np.mean(x ** 2),
    "logsumexp": lambda x: scipy.special.logsumexp(x, 1).sum(),
    "soft": lambda x: (scipy.special.softmax(x,
                                             axis=1)[:, 0]).sum(),
    "norms": lambda x: np.linalg.norm(x, 2, 1).sum(),
}

NAMED = [("tanh", lambda x: np.sum(np.tanh(x))), ("cube", lambda x: np.sum(x ** 3))]

square, double = (lambda v: v * v), (lambda v: 2.0 * v)

act = lambda z: np.tanh(z)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_lambdas_in_a_multi_line_dict(name: str) -> None:
    loss = LOSSES[name]
    np.testing.assert_allclose(srcgrad.grad(loss)(X), numeric_grad(loss, [X], 0).reshape(X.shape), rtol=1e-6, atol=1e-8)


def test_lambdas_from_a_list_of_pairs_in_a_for_header() -> None:
    for name, loss in NAMED:
        np.testing.assert_allclose(srcgrad.grad(loss)(X), numeric_grad(loss, [X], 0).reshape(X.shape), rtol=1e-6, atol=1e-8,
                                   err_msg=name)


def test_two_lambdas_on_one_line_are_told_apart() -> None:
    assert srcgrad.grad(square)(1.5) == pytest.approx(3.0)
    assert srcgrad.grad(double)(1.5) == pytest.approx(2.0)


def test_a_module_level_lambda_called_from_a_loss_and_by_vjp_and_jacobian() -> None:
    def loss(x):
        return np.sum(act(x) * x)

    t = np.tanh(X)
    np.testing.assert_allclose(srcgrad.grad(loss)(X), t + X * (1 - t * t), rtol=1e-12)
    value, pullback = srcgrad.vjp(act)(X)
    np.testing.assert_allclose(value, t, rtol=1e-12)
    np.testing.assert_allclose(pullback(np.ones_like(X)), 1 - t * t, rtol=1e-12)
    v = np.array([0.2, -0.5, 1.0])
    np.testing.assert_allclose(srcgrad.jacobian(act, mode="reverse")(v), np.diag(1 - np.tanh(v) ** 2), rtol=1e-12)


make_scaled_square = lambda s: (  # noqa: E731 -- a lambda factory written as a lambda, over two lines
    lambda x: s * np.sum(x ** 2))


def test_a_lambda_made_inside_a_lambda_is_found():
    # srcgrad checks the text it reads against the code Python runs: it compared the outer lambda's code with
    # the inner one and said the file had changed
    v = np.array([0.5, -1.0, 2.0])
    assert np.allclose(srcgrad.grad(make_scaled_square(2.0))(v), 4.0 * v)
    assert (lambda: srcgrad.grad(lambda x: x * x)(3.0))() == 6.0
    one_line = lambda s: (lambda x: s * np.sum(x ** 2))  # noqa: E731
    if sys.version_info < (3, 11):  # two lambdas on one line: only 3.11+ code objects say which is which
        with pytest.raises(srcgrad.SourceUnavailableError, match="cannot tell which lambda on this line"):
            srcgrad.grad(one_line(3.0))(v)
        return
    assert np.allclose(srcgrad.grad(one_line(3.0))(v), 6.0 * v)
    assert list(map(lambda k: srcgrad.grad(lambda x: k * x * x)(3.0), [1.0, 2.0])) == [6.0, 12.0]
