"""Code written to run on NumPy or CuPy: an `xp` module alias chosen at import, and local aliases
of NumPy functions (`sqrt, tanh = np.sqrt, np.tanh`) for speed and brevity.
"""
import numpy as np

AUTOGRAD = True

xp = np  # would be cupy on a GPU


def get_array_module(*arrays):
    return np


def rms_norm_loss(x, g, target):
    sqrt = np.sqrt
    ms = xp.mean(x * x, axis=-1, keepdims=True)
    y = g * x / sqrt(ms + 1e-6)
    return xp.sum((y - target) ** 2)


def swish_mlp_loss(params, x, y):
    exp, tanh, log = np.exp, np.tanh, np.log
    W1, W2 = params
    h = x @ W1
    h = h / (1 + exp(-h))             # swish / SiLU
    out = tanh(h @ W2)
    return -xp.mean(y * log((1 + out) / 2) + (1 - y) * log((1 - out) / 2))


def generic_logistic(w, X, y):
    mod = get_array_module(w, X)
    z = X @ w
    return mod.sum(mod.logaddexp(0, -y * z))


def cases():
    rs = np.random.RandomState(45)
    x, target = rs.randn(4, 5), rs.randn(4, 5)
    params = (0.5 * rs.randn(3, 4), 0.5 * rs.randn(4, 1))
    X = rs.randn(6, 3)
    y01 = (rs.rand(6, 1) > 0.5).astype(float)
    ypm = np.sign(rs.randn(6))
    return [(rms_norm_loss, (x, 1.0 + 0.1 * rs.randn(5), target), (0, 1)),
            (swish_mlp_loss, (params, X, y01), 0),
            (generic_logistic, (0.3 * rs.randn(3), X, ypm), 0)]
