"""Robust regression losses: Huber, pinball (quantile), log-cosh, smooth L1, epsilon-insensitive.

Huber is written twice: with np.where as in scikit-learn, and with boolean masks and in-place
assignment as in older tutorials. Models are linear: pred = X @ w + b.
"""
import numpy as np

AUTOGRAD = {"huber_where", "pinball", "log_cosh", "eps_insensitive"}  # huber_masks writes loss[mask] =


def huber_where(w, X, y, delta=1.0):
    r = y - X @ w
    abs_r = np.abs(r)
    quad = 0.5 * r ** 2
    lin = delta * (abs_r - 0.5 * delta)
    return np.mean(np.where(abs_r <= delta, quad, lin))


def huber_masks(w, X, y, epsilon=1.35, alpha=1e-3):
    """sklearn's HuberRegressor flavour: squared loss on inliers, linear on outliers, with masks."""
    residual = np.abs(y - X.dot(w))
    outliers_mask = residual > epsilon
    loss = np.empty_like(residual)
    loss[~outliers_mask] = residual[~outliers_mask] ** 2
    loss[outliers_mask] = 2 * epsilon * residual[outliers_mask] - epsilon ** 2
    return loss.sum() + alpha * w.dot(w)


def pinball(params, X, y, quantiles=(0.1, 0.5, 0.9)):
    """Multi-quantile regression: one column of weights per quantile."""
    W, b = params
    pred = X @ W + b
    total = 0.0
    for k, q in enumerate(quantiles):
        e = y - pred[:, k]
        total = total + np.mean(np.maximum(q * e, (q - 1) * e))
    return total


def log_cosh(w, X, y):
    r = X @ w - y
    return np.sum(r + np.logaddexp(0, -2 * r) - np.log(2))


def eps_insensitive(w, X, y, epsilon=0.1, C=1.0):
    """The linear SVR primal objective."""
    return 0.5 * np.dot(w, w) + C * np.sum(np.maximum(0, np.abs(y - X @ w) - epsilon))


def cases():
    rs = np.random.RandomState(32)
    X = rs.randn(12, 3)
    y = X @ np.array([1.0, -1.0, 0.5]) + rs.standard_t(2, size=12)
    w = np.array([0.8, -0.7, 0.3])
    return [
        (huber_where, (w, X, y), 0),
        (huber_masks, (w, X, y), 0),
        (pinball, ((0.3 * rs.randn(3, 3), np.array([-1.0, 0.0, 1.0])), X, y), 0),
        (log_cosh, (w, X, y), 0),
        (eps_insensitive, (w, X, y), 0),
    ]
