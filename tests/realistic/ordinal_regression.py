"""Ordinal (cumulative-logit / proportional-odds) regression, as in mord or statsmodels OrderedModel.

Thresholds are kept ordered by a cumulative sum of exponentiated increments; class probabilities
are differences of expit at consecutive thresholds, padded with -inf and +inf.
"""
import numpy as np
from scipy.special import expit

AUTOGRAD = True


def thresholds(raw):
    return np.concatenate([raw[:1], raw[0] + np.cumsum(np.exp(raw[1:]))])


def ordinal_nll(w, raw_theta, X, y):
    theta = thresholds(raw_theta)
    eta = X @ w
    cut = np.concatenate([[-np.inf], theta, [np.inf]])
    upper = expit(cut[y + 1] - eta)
    lower = expit(cut[y] - eta)
    return -np.sum(np.log(upper - lower + 1e-12))


def cases():
    rs = np.random.RandomState(48)
    X = rs.randn(10, 2)
    y = np.clip(np.round(X @ np.array([1.0, -0.5]) + 1.5 + 0.5 * rs.randn(10)), 0, 3).astype(int)
    return [(ordinal_nll, (np.array([0.8, -0.4]), np.array([-0.5, 0.0, 0.2]), X, y), (0, 1))]
