"""GP marginal likelihood with an ARD kernel, np.linalg.cholesky and scipy's solve_triangular.

Hyperparameters live in a dict of unconstrained values (softplus-transformed), as in GPflow-like
code; the data fit term is computed through two triangular solves.
"""
import numpy as np
from scipy.linalg import solve_triangular

AUTOGRAD = True


def softplus(x):
    return np.log1p(np.exp(x))


def ard_kernel(X, Z, lengthscales, variance):
    Xs = X / lengthscales
    Zs = Z / lengthscales
    r2 = np.sum((Xs[:, None, :] - Zs[None, :, :]) ** 2, axis=-1)
    return variance * np.exp(-0.5 * r2)


def nlml(hyp, X, y, jitter=1e-6):
    ls = softplus(hyp["lengthscales"])
    var = softplus(hyp["variance"])
    noise = softplus(hyp["noise"])
    N = len(y)
    K = ard_kernel(X, X, ls, var) + (noise + jitter) * np.eye(N)
    L = np.linalg.cholesky(K)
    v = solve_triangular(L, y - hyp["mean"], lower=True)
    return 0.5 * np.dot(v, v) + np.log(np.diag(L)).sum() + 0.5 * N * np.log(2 * np.pi)


def cases():
    rs = np.random.RandomState(4)
    X = rs.randn(7, 2)
    y = np.cos(X[:, 0]) * X[:, 1] + 0.05 * rs.randn(7)
    hyp = {"lengthscales": np.array([0.4, 0.8]), "variance": np.array(0.3),
           "noise": np.array(-2.0), "mean": 0.1}
    return [(nlml, (hyp, X, y), 0)]
