"""Multivariate normal maximum likelihood with a Cholesky-parameterized covariance.

The covariance factor L is built from a flat vector: exp on the diagonal, the strict lower
triangle filled through np.tril_indices, as in Stan's / PyMC's transforms. The density is
written by hand and, in a second version, with scipy.stats.multivariate_normal.logpdf.
"""
import numpy as np
from scipy.stats import multivariate_normal

AUTOGRAD = False  # L[rows, cols] = ... writes into a traced array


def unpack_cholesky(theta, d):
    L = np.zeros((d, d))
    rows, cols = np.tril_indices(d, -1)
    L[rows, cols] = theta[d:]
    L[np.arange(d), np.arange(d)] = np.exp(theta[:d])
    return L


def mvn_nll(mu, theta, X):
    n, d = X.shape
    L = unpack_cholesky(theta, d)
    Sigma = L @ L.T
    diff = X - mu
    sol = np.linalg.solve(Sigma, diff.T)
    maha = np.sum(diff.T * sol, axis=0)
    logdet = 2 * np.sum(np.log(np.diag(L)))
    return 0.5 * np.sum(maha) + 0.5 * n * logdet + 0.5 * n * d * np.log(2 * np.pi)


def mvn_nll_scipy(mu, theta, X):
    L = unpack_cholesky(theta, X.shape[1])
    return -np.sum(multivariate_normal.logpdf(X, mean=mu, cov=L @ L.T))


def cases():
    rs = np.random.RandomState(38)
    X = rs.randn(10, 3) @ np.array([[1.0, 0.0, 0.0], [0.5, 1.0, 0.0], [0.2, -0.3, 0.7]])
    mu = 0.1 * rs.randn(3)
    theta = np.concatenate([0.1 * rs.randn(3), 0.2 * rs.randn(3)])
    return [(mvn_nll, (mu, theta, X), (0, 1)), (mvn_nll_scipy, (mu, theta, X), (0, 1))]
