"""MLP with inverted dropout whose mask comes from a RandomState seeded inside the loss.

CS231n's dropout_forward: mask = (rand(*x.shape) < p) / p, out = x * mask, switched by a mode
string in a dropout_param dict; the in-place `h *= mask` form is also common.
"""
import numpy as np

AUTOGRAD = False  # `h *= mask` in place on a traced array


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        rs = np.random.RandomState(dropout_param["seed"])
    else:
        rs = np.random
    if mode == "train":
        mask = (rs.rand(*x.shape) < p) / p
        out = x * mask
    elif mode == "test":
        out = x
    else:
        raise ValueError('Invalid forward dropout mode "%s"' % mode)
    return out


def loss(params, X, y, dropout_param):
    h = np.maximum(0, X @ params["W1"] + params["b1"])
    h = dropout_forward(h, dropout_param)
    scores = h @ params["W2"] + params["b2"]
    return np.mean((scores - y) ** 2)


def loss_inplace(params, X, y, keep=0.7):
    rs = np.random.RandomState(123)
    h = np.tanh(X.dot(params["W1"]) + params["b1"])
    mask = rs.binomial(1, keep, size=h.shape) / keep
    h *= mask
    out = h.dot(params["W2"]) + params["b2"]
    return 0.5 * np.sum((out - y) ** 2) / X.shape[0]


def cases():
    rs = np.random.RandomState(14)
    params = {"W1": 0.5 * rs.randn(3, 6), "b1": 0.1 * rs.randn(6), "W2": 0.5 * rs.randn(6, 2), "b2": np.zeros(2)}
    X, y = rs.randn(5, 3), rs.randn(5, 2)
    return [(loss, (params, X, y, {"p": 0.6, "mode": "train", "seed": 7}), 0),
            (loss_inplace, (params, X, y), 0)]
