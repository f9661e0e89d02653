"""Auxiliary losses read back from the forward pass's cache dict, filled with dict.update().

forward() returns (output, cache) with the pre-activations and activations stored via
cache.update(z1=..., a1=...) and the output by item assignment; the training loss adds an activation (L2) penalty and a sparsity term computed
from the cached activations, as in "activation regularization" for language models.
"""
import numpy as np

AUTOGRAD = True


def forward(params, X):
    cache = {}
    z1 = X @ params["W1"] + params["b1"]
    a1 = np.tanh(z1)
    cache.update(z1=z1, a1=a1)
    out = a1 @ params["W2"]
    cache["out"] = out
    return out, cache


def loss_with_activation_penalty(params, X, y, alpha=0.1, beta=0.05):
    out, cache = forward(params, X)
    mse = np.mean((out - y) ** 2)
    ar = alpha * np.mean(cache["a1"] ** 2)
    sparsity = beta * np.mean(np.abs(cache["z1"]))
    return mse + ar + sparsity


def cases():
    rs = np.random.RandomState(74)
    params = {"W1": 0.5 * rs.randn(3, 4), "b1": 0.1 * rs.randn(4), "W2": 0.5 * rs.randn(4, 2)}
    return [(loss_with_activation_penalty, (params, rs.randn(5, 3), rs.randn(5, 2)), 0)]
