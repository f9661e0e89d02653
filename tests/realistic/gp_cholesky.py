"""Gaussian-process regression: negative log marginal likelihood w.r.t. log hyperparameters.

Written like GPML / scikit-learn's GaussianProcessRegressor: a squared-exponential kernel from
pairwise squared distances, a Cholesky factor from scipy.linalg, alpha from cho_solve, and the
log determinant as twice the sum of log diag(L).
"""
import numpy as np
from scipy.linalg import cho_solve, cholesky

AUTOGRAD = False  # autograd has no derivative for scipy.linalg.cholesky / cho_solve


def sq_dists(X1, X2):
    return np.sum(X1 ** 2, 1)[:, None] + np.sum(X2 ** 2, 1)[None, :] - 2 * X1 @ X2.T


def rbf_kernel(X1, X2, lengthscale, variance):
    return variance * np.exp(-0.5 * sq_dists(X1 / lengthscale, X2 / lengthscale))


def neg_log_marginal_likelihood(theta, X, y):
    """theta = [log lengthscale, log signal variance, log noise variance]."""
    ell, sf2, sn2 = np.exp(theta)
    n = X.shape[0]
    K = rbf_kernel(X, X, ell, sf2) + sn2 * np.eye(n)
    L = cholesky(K, lower=True)
    alpha = cho_solve((L, True), y)
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L))) + 0.5 * n * np.log(2 * np.pi)


def cases():
    rs = np.random.RandomState(3)
    X = rs.uniform(-3, 3, size=(8, 1))
    y = np.sin(X[:, 0]) + 0.1 * rs.randn(8)
    return [(neg_log_marginal_likelihood, (np.log(np.array([1.2, 0.9, 0.05])), X, y), 0)]
