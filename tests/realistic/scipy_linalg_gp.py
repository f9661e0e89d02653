"""Gaussian-process and Markov-chain likelihoods through scipy.linalg, in the forms textbooks use.

An upper Cholesky factor from scipy.linalg.cholesky (its default), solves with cho_factor /
cho_solve and with solve_triangular(trans='T'), scipy.linalg.solve(assume_a='pos'); and a
continuous-time Markov chain likelihood with the transition matrix expm(Q t).
"""
import numpy as np
import scipy.linalg

AUTOGRAD = False  # autograd has no derivative of scipy.linalg.cholesky / cho_solve / expm


def se_kernel(x, log_ell, log_sf):
    d = x[:, None] - x[None, :]
    return np.exp(2 * log_sf - 0.5 * d ** 2 / np.exp(2 * log_ell))


def nlml_cho_factor(theta, x, y):
    K = se_kernel(x, theta[0], theta[1]) + np.exp(2 * theta[2]) * np.eye(len(x))
    c, low = scipy.linalg.cho_factor(K)
    alpha = scipy.linalg.cho_solve((c, low), y)
    return 0.5 * y.dot(alpha) + np.log(np.diag(c)).sum()


def nlml_upper(theta, x, y):
    K = se_kernel(x, theta[0], theta[1]) + np.exp(2 * theta[2]) * np.eye(len(x))
    U = scipy.linalg.cholesky(K)                                   # K = U^T U
    z = scipy.linalg.solve_triangular(U, y, trans="T")             # U^T z = y
    return 0.5 * z @ z + np.sum(np.log(np.diag(U)))


def nlml_solve(theta, x, y):
    K = se_kernel(x, theta[0], theta[1]) + np.exp(2 * theta[2]) * np.eye(len(x))
    alpha = scipy.linalg.solve(K, y, assume_a="pos")
    return 0.5 * y @ alpha + 0.5 * np.log(scipy.linalg.det(K))


def ctmc_nll(log_rates, transitions, dt=0.5):
    """Rates of a 3-state chain observed at regular times; Q has zero row sums."""
    R = np.exp(log_rates).reshape(3, 2)
    Q = np.array([[-(R[0, 0] + R[0, 1]), R[0, 0], R[0, 1]],
                  [R[1, 0], -(R[1, 0] + R[1, 1]), R[1, 1]],
                  [R[2, 0], R[2, 1], -(R[2, 0] + R[2, 1])]])
    P = scipy.linalg.expm(Q * dt)
    return -sum(np.log(P[i, j]) for i, j in transitions)


def cases():
    rs = np.random.RandomState(72)
    x = np.sort(rs.uniform(0, 4, 7))
    y = np.sin(x) + 0.1 * rs.randn(7)
    theta = np.array([0.1, 0.0, -1.5])
    transitions = [(0, 1), (1, 1), (1, 2), (2, 0), (0, 0), (2, 2)]
    return [(nlml_cho_factor, (theta, x, y), 0), (nlml_upper, (theta, x, y), 0), (nlml_solve, (theta, x, y), 0),
            (ctmc_nll, (0.3 * rs.randn(6), transitions), 0)]
