"""Objectives in the style of scikit-learn's linear models (private _loss helpers).

Ridge with an unpenalized intercept, a smoothed lasso (sqrt(w^2 + eps) surrogate), and logistic
regression with sample weights, labels mapped to {-1, 1} and validation that raises ValueError.
"""
import numpy as np

AUTOGRAD = {"_logistic_loss", "ridge_objective", "smooth_lasso", "elastic_net"}  # autograd has no np.average derivative


def _intercept_dot(w, X, y):
    """Return (w without intercept, intercept, y * (X w + c)) as sklearn's _intercept_dot does."""
    c = 0.0
    if w.size == X.shape[1] + 1:
        c = w[-1]
        w = w[:-1]
    z = np.dot(X, w) + c
    yz = y * z
    return w, c, yz


def _logistic_loss(w, X, y, alpha, sample_weight=None):
    if sample_weight is None:
        sample_weight = np.ones(y.shape[0])
    w, c, yz = _intercept_dot(w, X, y)
    out = -np.sum(sample_weight * -np.logaddexp(0, -yz))
    out += 0.5 * alpha * np.dot(w, w)
    return out


def ridge_objective(coef, X, y, alpha=1.0):
    n_samples = X.shape[0]
    intercept, w = coef[0], coef[1:]
    resid = y - (X @ w + intercept)
    return 0.5 / n_samples * np.dot(resid, resid) + 0.5 * alpha * np.sum(w ** 2)


def smooth_lasso(w, X, y, alpha=0.1, eps=1e-3):
    n = len(y)
    return np.sum((y - X.dot(w)) ** 2) / (2 * n) + alpha * np.sum(np.sqrt(w ** 2 + eps))


def elastic_net(w, X, y, alpha=0.1, l1_ratio=0.5, eps=1e-4):
    n = X.shape[0]
    l1 = np.sum(np.sqrt(w * w + eps))
    l2 = 0.5 * np.sum(w * w)
    return 0.5 / n * np.linalg.norm(y - X @ w) ** 2 + alpha * (l1_ratio * l1 + (1 - l1_ratio) * l2)


def weighted_log_loss(coef, X, y, sample_weight):
    p = 1 / (1 + np.exp(-(X @ coef[1:] + coef[0])))
    eps = np.finfo(p.dtype).eps
    p = np.clip(p, eps, 1 - eps)
    return -np.average(y * np.log(p) + (1 - y) * np.log(1 - p), weights=sample_weight)


def cases():
    rs = np.random.RandomState(33)
    X = rs.randn(10, 3)
    y01 = (X @ np.array([1.0, -2.0, 0.5]) + 0.5 * rs.randn(10) > 0).astype(float)
    ypm = 2 * y01 - 1
    yr = X @ np.array([0.5, 0.0, -1.0]) + 0.1 * rs.randn(10)
    sw = rs.uniform(0.5, 1.5, 10)
    return [
        (_logistic_loss, (0.2 * rs.randn(4), X, ypm, 0.5, sw), 0),
        (ridge_objective, (0.3 * rs.randn(4), X, yr), 0),
        (smooth_lasso, (0.3 * rs.randn(3), X, yr), 0),
        (elastic_net, (0.3 * rs.randn(3), X, yr), 0),
        (weighted_log_loss, (0.2 * rs.randn(4), X, y01, sw), 0),
    ]
