"""Mixture density network (Bishop 1994) loss: a small net outputs mixture logits, means and log sigmas.

The output layer is split into three heads with np.split; log-likelihood combined with a
hand-written logsumexp helper that takes the max with keepdims.
"""
import numpy as np

AUTOGRAD = True


def logsumexp(a, axis=None):
    a_max = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - a_max), axis=axis, keepdims=True)) + a_max
    return np.squeeze(out, axis=axis)


def mdn_outputs(params, x):
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    logits, mu, log_sigma = np.split(out, 3, axis=1)
    return logits, mu, log_sigma


def mdn_nll(params, x, y):
    logits, mu, log_sigma = mdn_outputs(params, x)
    log_pi = logits - logsumexp(logits, axis=1)[:, None]
    z = (y - mu) / np.exp(log_sigma)
    log_comp = -0.5 * z ** 2 - log_sigma - 0.5 * np.log(2 * np.pi)
    return -np.mean(logsumexp(log_pi + log_comp, axis=1))


def cases():
    rs = np.random.RandomState(42)
    K, H = 3, 5
    params = {"W1": 0.5 * rs.randn(1, H), "b1": 0.1 * rs.randn(H), "W2": 0.5 * rs.randn(H, 3 * K), "b2": np.zeros(3 * K)}
    x = rs.uniform(-1, 1, (8, 1))
    y = np.sin(3 * x) + 0.1 * rs.randn(8, 1)
    return [(mdn_nll, (params, x, y), 0)]
