"""Poisson regression, the way scikit-learn's PoissonRegressor and statsmodels write it.

Half the mean Poisson deviance with sample weights through np.average, an L2 penalty that skips
the intercept, and a full log-likelihood that includes the log(y!) term via scipy.special.gammaln.
"""
import numpy as np
from scipy.special import gammaln, xlogy

AUTOGRAD = False  # autograd has no xlogy


def _check_inputs(X, y, sample_weight):
    if X.ndim != 2:
        raise ValueError("Expected 2D array, got %dD array instead" % X.ndim)
    if np.any(y < 0):
        raise ValueError("Some value(s) of y are negative which is not allowed for Poisson regression.")
    if sample_weight is None:
        sample_weight = np.ones_like(y)
    return sample_weight


def half_poisson_deviance(coef, X, y, sample_weight=None, alpha=1.0):
    sample_weight = _check_inputs(X, y, sample_weight)
    intercept, w = coef[0], coef[1:]
    raw = X @ w + intercept
    mu = np.exp(raw)
    # 1/2 * deviance = y * log(y / mu) - y + mu ; xlogy handles y == 0
    dev = xlogy(y, y) - y * raw - y + mu
    return np.average(dev, weights=sample_weight) + 0.5 * alpha * np.dot(w, w)


def poisson_nll(beta, X, y, offset=None):
    eta = X.dot(beta)
    if offset is not None:
        eta = eta + offset
    return -np.sum(y * eta - np.exp(eta) - gammaln(y + 1))


def cases():
    rs = np.random.RandomState(25)
    N, D = 10, 3
    X = 0.5 * rs.randn(N, D)
    y = rs.poisson(np.exp(X @ np.array([0.5, -0.3, 0.2]) + 0.3)).astype(float)
    sw = rs.uniform(0.5, 2.0, N)
    return [(half_poisson_deviance, (np.array([0.1, 0.2, -0.1, 0.05]), X, y, sw), 0),
            (poisson_nll, (np.array([0.2, -0.1, 0.3]), X, y, np.log(rs.uniform(1, 2, N))), 0)]
