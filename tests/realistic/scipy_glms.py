"""Generalized linear models written with scipy.stats log densities, as in statsmodels-like code.

Probit classification through norm.logcdf, Tobit (left-censored) regression mixing norm.logpdf and
norm.logcdf with loc= / scale= keywords, binomial regression through binom.logpmf of expit, and a
gamma GLM through gamma.logpdf(y, a=shape, scale=mean/shape).
"""
import numpy as np
from scipy import stats
from scipy.special import expit
from scipy.stats import norm

AUTOGRAD = {"probit_nll"}  # autograd lacks binom / gamma derivatives and norm.logpdf(loc=, scale=) keywords


def probit_nll(beta, X, y):
    """y in {0, 1}; P(y = 1) = Phi(x.beta)."""
    eta = X @ beta
    sign = 2 * y - 1
    return -np.sum(norm.logcdf(sign * eta))


def tobit_nll(params, X, y, censor=0.0):
    beta, log_sigma = params[:-1], params[-1]
    sigma = np.exp(log_sigma)
    mu = X @ beta
    censored = y <= censor
    ll_obs = norm.logpdf(y, loc=mu, scale=sigma)
    ll_cens = norm.logcdf((censor - mu) / sigma)
    return -np.sum(np.where(censored, ll_cens, ll_obs))


def binomial_nll(beta, X, k, n):
    p = expit(X @ beta)
    return -stats.binom.logpmf(k, n, p).sum()


def gamma_glm_nll(params, X, y):
    beta, log_shape = params[:-1], params[-1]
    shape = np.exp(log_shape)
    mean = np.exp(X @ beta)
    return -np.sum(stats.gamma.logpdf(y, a=shape, scale=mean / shape))


def cases():
    rs = np.random.RandomState(71)
    X = np.column_stack([np.ones(10), rs.randn(10, 2)])
    y01 = (X @ np.array([0.2, 1.0, -1.0]) + rs.randn(10) > 0).astype(float)
    latent = X @ np.array([0.5, 1.0, -0.5]) + 0.7 * rs.randn(10)
    y_tobit = np.maximum(latent, 0.0)
    n = np.full(10, 5)
    k = rs.binomial(5, expit(X @ np.array([0.1, 0.5, -0.3])))
    y_gamma = rs.gamma(2.0, np.exp(X @ np.array([0.3, 0.2, 0.1])) / 2.0)
    return [(probit_nll, (np.array([0.1, 0.8, -0.7]), X, y01), 0),
            (tobit_nll, (np.array([0.4, 0.9, -0.4, -0.3]), X, y_tobit), 0),
            (binomial_nll, (np.array([0.0, 0.4, -0.2]), X, k, n), 0),
            (gamma_glm_nll, (np.array([0.2, 0.1, 0.0, 0.5]), X, y_gamma), 0)]
