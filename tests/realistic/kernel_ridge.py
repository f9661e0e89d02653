"""Kernel methods as written in introductory GP / kernel ridge tutorials: the Gram matrix from a
nested list comprehension over a kernel function of two points.

The hyperparameters are a dict; the objective is the GP negative log marginal likelihood with
np.linalg.slogdet and np.linalg.solve, and the kernel ridge leave-one-out-free validation error.
"""
import numpy as np

AUTOGRAD = True


def kernel(x1, x2, params):
    return params["variance"] * np.exp(-0.5 * np.sum((x1 - x2) ** 2) / params["lengthscale"] ** 2)


def gram(X1, X2, params):
    return np.array([[kernel(a, b, params) for b in X2] for a in X1])


def gp_nll(params, X, y, noise=0.1):
    K = gram(X, X, params) + noise ** 2 * np.eye(len(X))
    _, logdet = np.linalg.slogdet(K)
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * logdet


def krr_validation(params, X, y, X_val, y_val, lam=0.1):
    alpha = np.linalg.solve(gram(X, X, params) + lam * np.eye(len(X)), y)
    pred = gram(X_val, X, params) @ alpha
    return np.mean((pred - y_val) ** 2)


def cases():
    rs = np.random.RandomState(69)
    X = rs.uniform(-2, 2, (5, 1))
    y = np.sin(2 * X[:, 0]) + 0.1 * rs.randn(5)
    Xv = rs.uniform(-2, 2, (3, 1))
    yv = np.sin(2 * Xv[:, 0])
    params = {"variance": 1.2, "lengthscale": 0.8}
    return [(gp_nll, (params, X, y), 0), (krr_validation, (params, X, y, Xv, yv), 0)]
