"""Gaussian mixture model: negative log-likelihood with unconstrained parameters.

Log weights through a log-softmax, diagonal covariances through log standard deviations, the
per-component log density via einsum, and scipy.special.logsumexp over components.
"""
import numpy as np
from scipy.special import logsumexp

AUTOGRAD = True


def log_normalize(x):
    return x - logsumexp(x)


def unpack(params):
    return params["log_proportions"], params["means"], params["log_stds"]


def mixture_log_likelihood(params, data):
    log_pi, means, log_stds = unpack(params)
    log_pi = log_normalize(log_pi)
    diffs = data[:, None, :] - means[None, :, :]  # N x K x D
    inv_var = np.exp(-2 * log_stds)
    mahal = np.einsum("nkd,kd->nk", diffs ** 2, inv_var)
    log_dets = 2 * np.sum(log_stds, axis=1)
    D = data.shape[1]
    component_lls = -0.5 * (mahal + log_dets + D * np.log(2 * np.pi)) + log_pi
    return np.sum(logsumexp(component_lls, axis=1))


def neg_ll(params, data):
    return -mixture_log_likelihood(params, data) / data.shape[0]


def neg_ll_explicit(params, data):
    """The same, with the mixture written as a loop over components and the max trick by hand."""
    log_pi, means, log_stds = unpack(params)
    K = len(log_pi)
    log_pi = log_pi - np.log(np.sum(np.exp(log_pi)))
    lls = []
    for k in range(K):
        z = (data - means[k]) / np.exp(log_stds[k])
        lls.append(log_pi[k] - 0.5 * np.sum(z ** 2, axis=1) - np.sum(log_stds[k]) - 0.5 * data.shape[1] * np.log(2 * np.pi))
    lls = np.stack(lls, axis=1)
    m = np.max(lls, axis=1, keepdims=True)
    return -np.mean(m[:, 0] + np.log(np.sum(np.exp(lls - m), axis=1)))


def cases():
    rs = np.random.RandomState(6)
    K, D, N = 3, 2, 10
    params = {"log_proportions": 0.3 * rs.randn(K), "means": rs.randn(K, D), "log_stds": 0.2 * rs.randn(K, D)}
    data = rs.randn(N, D)
    return [(neg_ll, (params, data), 0), (neg_ll_explicit, (params, data), 0)]
