"""Entropy-regularized optimal transport with Sinkhorn iterations (POT-style).

Two versions: the classic scaling iterations u = a / (K v), v = b / (K^T u) for a fixed number of
iterations, and a log-domain version with scipy.special.logsumexp; the loss is the transport cost,
differentiated w.r.t. the support points (a Wasserstein barycenter / flow-matching setting).
"""
import numpy as np
from scipy.special import logsumexp

AUTOGRAD = True


def cost_matrix(x, y):
    return np.sum((x[:, None, :] - y[None, :, :]) ** 2, axis=-1)


def sinkhorn(a, b, M, reg, num_iter=50):
    K = np.exp(-M / reg)
    u = np.ones_like(a) / len(a)
    v = np.ones_like(b) / len(b)
    for _ in range(num_iter):
        u = a / (K @ v)
        v = b / (K.T @ u)
    return u[:, None] * K * v[None, :]


def sinkhorn_cost(x, y, a, b, reg=0.5):
    M = cost_matrix(x, y)
    P = sinkhorn(a, b, M, reg)
    return np.sum(P * M)


def sinkhorn_tol(a, b, M, reg, tol=1e-9, max_iter=500):
    """POT's loop: iterate until the marginal error is below tol (a data-dependent while loop)."""
    K = np.exp(-M / reg)
    u = np.ones(len(a)) / len(a)
    v = np.ones(len(b)) / len(b)
    err, it = 1.0, 0
    while err > tol and it < max_iter:
        v = b / (K.T @ u)
        u = a / (K @ v)
        err = np.linalg.norm(v * (K.T @ u) - b)
        it += 1
    return np.diag(u) @ K @ np.diag(v)


def sinkhorn_tol_cost(x, y, a, b, reg=0.5):
    M = cost_matrix(x, y)
    return np.sum(sinkhorn_tol(a, b, M, reg) * M)


def sinkhorn_log(a, b, M, eps, n_iter=30):
    f = np.zeros_like(a)
    g = np.zeros_like(b)
    for _ in range(n_iter):
        f = eps * np.log(a) - eps * logsumexp((g[None, :] - M) / eps, axis=1)
        g = eps * np.log(b) - eps * logsumexp((f[:, None] - M) / eps, axis=0)
    return np.exp((f[:, None] + g[None, :] - M) / eps)


def log_sinkhorn_cost(x, y, a, b, eps=0.5):
    M = cost_matrix(x, y)
    return np.sum(sinkhorn_log(a, b, M, eps) * M)


def cases():
    rs = np.random.RandomState(34)
    x, y = rs.randn(4, 2), rs.randn(5, 2) + 1.0
    a, b = np.full(4, 0.25), np.full(5, 0.2)
    return [(sinkhorn_cost, (x, y, a, b), 0), (log_sinkhorn_cost, (x, y, a, b), (0, 1)),
            (sinkhorn_tol_cost, (x, y, a, b), 0)]
