"""Probabilistic PCA marginal likelihood (Tipping & Bishop), C = W W^T + sigma^2 I.

The log determinant uses np.linalg.slogdet, the trace term np.trace(inv(C) S) with the sample
covariance S; sizes follow the usual `n, d = X.shape` unpacking.
"""
import numpy as np

AUTOGRAD = True


def ppca_nll(W, log_sigma2, X):
    n, d = X.shape
    Xc = X - X.mean(axis=0)
    S = Xc.T @ Xc / n
    C = W @ W.T + np.exp(log_sigma2) * np.eye(d)
    _, logdet = np.linalg.slogdet(C)
    return 0.5 * n * (d * np.log(2 * np.pi) + logdet + np.trace(np.linalg.inv(C) @ S))


def cases():
    rs = np.random.RandomState(41)
    X = rs.randn(15, 2) @ rs.randn(2, 4) + 0.3 * rs.randn(15, 4)
    return [(ppca_nll, (0.5 * rs.randn(4, 2), np.log(0.2), X), (0, 1))]
