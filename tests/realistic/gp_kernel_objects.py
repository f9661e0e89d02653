"""GP evidence with kernel objects that combine with + and a __call__, and np.linalg.slogdet/solve.

A small GPy/sklearn-like kernel algebra: classes RBF, Periodic and a Sum kernel; hyperparameters
are passed in as a list aligned with the kernels (the objects only hold structure).
"""
import numpy as np

AUTOGRAD = True


class RBF:
    n_params = 2

    def __call__(self, theta, x1, x2):
        log_ell, log_sf = theta
        d = x1[:, None] - x2[None, :]
        return np.exp(2 * log_sf) * np.exp(-0.5 * (d / np.exp(log_ell)) ** 2)


class Periodic:
    n_params = 3

    def __init__(self, period_fixed=None):
        self.period_fixed = period_fixed

    def __call__(self, theta, x1, x2):
        log_ell, log_sf, log_p = theta
        d = np.abs(x1[:, None] - x2[None, :])
        s = np.sin(np.pi * d / np.exp(log_p))
        return np.exp(2 * log_sf) * np.exp(-2 * s ** 2 / np.exp(2 * log_ell))


class Sum:
    def __init__(self, *kernels):
        self.kernels = kernels

    def __call__(self, thetas, x1, x2):
        K = 0.0
        for kern, theta in zip(self.kernels, thetas):
            K = K + kern(theta, x1, x2)
        return K


def log_evidence(thetas, log_noise, kernel, x, y):
    n = len(x)
    K = kernel(thetas, x, x) + np.exp(2 * log_noise) * np.eye(n)
    sign, logdet = np.linalg.slogdet(K)
    if sign <= 0:
        raise ValueError("kernel matrix is not positive definite")
    alpha = np.linalg.solve(K, y)
    return -0.5 * np.dot(y, alpha) - 0.5 * logdet - 0.5 * n * np.log(2 * np.pi)


def objective(thetas, log_noise, kernel, x, y):
    return -log_evidence(thetas, log_noise, kernel, x, y)


def rbf_only(theta, x, y):
    K = RBF()(theta, x, x) + 0.01 * np.eye(len(x))
    return 0.5 * y @ np.linalg.solve(K, y) + 0.5 * np.linalg.slogdet(K)[1]


def cases():
    rs = np.random.RandomState(5)
    x = np.sort(rs.uniform(0, 5, 9))
    y = np.sin(2 * x) + 0.1 * rs.randn(9)
    kernel = Sum(RBF(), Periodic())
    thetas = [np.array([0.2, -0.1]), np.array([0.1, -0.5, 0.4])]
    return [
        (objective, (thetas, -1.5, kernel, x, y), (0, 1)),
        (rbf_only, (np.array([0.1, 0.2]), x, y), 0),
    ]
