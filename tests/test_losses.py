"""Losses and initializers against closed forms; their srcgrad gradients against hand-derived ones."""
import numpy as np
import pytest

import srcgrad
from srcgrad import init, losses

RNG = np.random.default_rng(42)
LOGITS = RNG.normal(size=(5, 4))
LABELS = np.array([0, 3, 1, 1, 2])


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_mse():
    assert losses.mse(np.array([1.0, 2.0]), np.array([0.0, 4.0])) == pytest.approx(2.5)


def test_softmax_cross_entropy_matches_naive_formula():
    naive = -np.mean(np.log(softmax(LOGITS))[np.arange(5), LABELS])
    assert losses.softmax_cross_entropy(LOGITS, LABELS) == pytest.approx(naive, rel=1e-13)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    z = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = losses.softmax_cross_entropy(z, np.array([1, 0]))
    assert value == pytest.approx(500.0)


def test_log_softmax_rows_normalize():
    np.testing.assert_allclose(np.exp(losses.log_softmax(LOGITS)).sum(axis=1), 1.0, rtol=1e-14)


def test_binary_cross_entropy_with_logits():
    z, y = np.array([-2.0, 0.5, 3.0]), np.array([0.0, 1.0, 0.3])
    s = 1 / (1 + np.exp(-z))
    naive = np.mean(-y * np.log(s) - (1 - y) * np.log(1 - s))
    assert losses.binary_cross_entropy_with_logits(z, y) == pytest.approx(naive, rel=1e-13)
    with np.errstate(over="raise"):
        big = losses.binary_cross_entropy_with_logits(np.array([800.0, -800.0]), np.array([0.0, 1.0]))
    assert big == pytest.approx(800.0)


def test_accuracy():
    assert losses.accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 1, 1])) == pytest.approx(2 / 3)


# -- initializers --------------------------------------------------------------------

@pytest.mark.parametrize("fn, bound", [(init.he_uniform, (6 / 200) ** 0.5),
                                       (init.glorot_uniform, (6 / 300) ** 0.5)])
def test_uniform_initializers(fn, bound):
    W = fn((200, 100), rng=0)
    assert W.shape == (200, 100) and W.dtype == np.float64
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.95 * bound
    assert W.var() == pytest.approx(bound**2 / 3, rel=0.05)


def test_he_normal_std():
    W = init.he_normal((400, 100), rng=1, dtype=np.float32)
    assert W.dtype == np.float32
    assert W.std() == pytest.approx((2 / 400) ** 0.5, rel=0.03)


def test_initializers_reproducible_from_seed_or_generator():
    np.testing.assert_array_equal(init.he_uniform((3, 2), rng=7), init.he_uniform((3, 2), rng=7))
    g1, g2 = np.random.default_rng(7), np.random.default_rng(7)
    np.testing.assert_array_equal(init.glorot_uniform((3, 2), g1), init.glorot_uniform((3, 2), g2))
    assert not np.array_equal(init.glorot_uniform((3, 2), g1), init.glorot_uniform((3, 2), g1))
    np.testing.assert_array_equal(init.zeros((2,), rng=0, dtype=np.float32), np.zeros(2, np.float32))


def test_fans_of_a_kernel():
    assert init.fans((3, 3, 16, 32)) == (144, 288)


# -- gradients through the compiler (independent references: closed forms) ---------------

def test_srcgrad_gradient_of_softmax_cross_entropy():
    grad = srcgrad.grad(losses.softmax_cross_entropy)(LOGITS, LABELS)
    expected = (softmax(LOGITS) - np.eye(4)[LABELS]) / len(LABELS)
    np.testing.assert_allclose(grad, expected, rtol=1e-10, atol=1e-14)


def test_srcgrad_gradient_of_binary_cross_entropy_with_logits():
    z, y = np.array([-2.0, 0.5, 3.0, 0.0]), np.array([0.0, 1.0, 0.3, 1.0])
    grad = srcgrad.grad(losses.binary_cross_entropy_with_logits)(z, y)
    np.testing.assert_allclose(grad, (1 / (1 + np.exp(-z)) - y) / len(z), rtol=1e-10, atol=1e-15)


def test_srcgrad_gradient_of_mse():
    p, t = np.array([1.0, 2.0, 5.0]), np.array([0.0, 4.0, 5.5])
    np.testing.assert_allclose(srcgrad.grad(losses.mse)(p, t), 2 * (p - t) / 3, rtol=1e-13)


def linear_xent(params, x, y):
    return losses.softmax_cross_entropy(x @ params["W"] + params["b"], y)


def test_srcgrad_differentiates_a_loss_calling_the_library():
    x = RNG.normal(size=(6, 3))
    y = np.array([0, 1, 2, 3, 0, 1])
    params = {"W": RNG.normal(size=(3, 4)), "b": RNG.normal(size=4)}
    grad = srcgrad.grad(linear_xent)(params, x, y)
    d_logits = (softmax(x @ params["W"] + params["b"]) - np.eye(4)[y]) / len(y)
    np.testing.assert_allclose(grad["W"], x.T @ d_logits, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grad["b"], d_logits.sum(axis=0), rtol=1e-10, atol=1e-14)
