"""Weibull accelerated-failure-time model with right censoring (lifelines-style).

Log scale is linear in covariates, log shape is a free parameter; events contribute the log
density and censored subjects the log survival function. A second version uses scipy.special.xlogy.
"""
import numpy as np
from scipy import special

AUTOGRAD = {"weibull_nll"}  # autograd has no xlogy


def weibull_nll(params, X, T, E):
    beta, log_k = params["beta"], params["log_k"]
    k = np.exp(log_k)
    lam = np.exp(X @ beta)
    z = T / lam
    log_h = np.log(k) - np.log(lam) + (k - 1) * np.log(z)   # log hazard
    cum_h = z ** k                                         # cumulative hazard
    return -np.sum(E * log_h - cum_h)


def weibull_nll_xlogy(log_params, T, E):
    log_lam, log_rho = log_params
    lam, rho = np.exp(log_lam), np.exp(log_rho)
    ll = E * (np.log(rho) - np.log(lam)) + special.xlogy(E * (rho - 1), T / lam) - (T / lam) ** rho
    return -ll.mean()


def cases():
    rs = np.random.RandomState(27)
    N = 10
    X = np.column_stack([np.ones(N), rs.randn(N)])
    T = rs.weibull(1.5, N) * 2.0 + 0.05
    E = (rs.rand(N) < 0.7).astype(float)
    return [(weibull_nll, ({"beta": np.array([0.5, 0.2]), "log_k": 0.3}, X, T, E), 0),
            (weibull_nll_xlogy, (np.array([0.6, 0.4]), T, E), 0)]
