"""Autoregressive AR(p) and GARCH(1,1)-style models: conditional Gaussian log-likelihoods.

The AR prediction uses a generator expression inside the builtin sum; the GARCH variance
recursion is a loop appending to a Python list, with parameters mapped to be positive.
"""
import numpy as np

AUTOGRAD = True


def ar_nll(phi, c, log_sigma, y):
    p = len(phi)
    sigma2 = np.exp(2 * log_sigma)
    nll = 0.0
    for t in range(p, len(y)):
        pred = c + sum(phi[i] * y[t - i - 1] for i in range(p))
        nll = nll + 0.5 * np.log(2 * np.pi * sigma2) + 0.5 * (y[t] - pred) ** 2 / sigma2
    return nll


def garch_nll(raw, r):
    omega, alpha, beta = np.exp(raw)
    sig2 = [np.var(r)]
    for t in range(1, len(r)):
        sig2.append(omega + alpha * r[t - 1] ** 2 + beta * sig2[-1])
    sig2 = np.array(sig2)
    return 0.5 * np.sum(np.log(sig2) + r ** 2 / sig2)


def cases():
    rs = np.random.RandomState(60)
    y = np.zeros(15)
    for t in range(2, 15):
        y[t] = 0.5 * y[t - 1] - 0.2 * y[t - 2] + 0.3 * rs.randn()
    r = 0.1 * rs.standard_t(5, size=12)
    return [(ar_nll, (np.array([0.4, -0.1]), 0.05, np.log(0.3), y), (0, 1, 2)),
            (garch_nll, (np.log(np.array([0.001, 0.1, 0.8])), r), 0)]
