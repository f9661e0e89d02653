"""Robust linear regression with a Student-t likelihood.

With fixed degrees of freedom the gammaln terms are constants of the data (a common way to write the
full log-likelihood anyway); a second objective learns log nu as well, which needs digamma.
"""
import numpy as np
from scipy.special import gammaln

AUTOGRAD = True


def student_t_logpdf(x, nu, loc, scale):
    z = (x - loc) / scale
    return (gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * np.log(nu * np.pi) - np.log(scale)
            - (nu + 1) / 2 * np.log1p(z ** 2 / nu))


def t_regression_fixed_nu(params, X, y, nu=4.0):
    w, log_scale = params[:-1], params[-1]
    return -np.sum(student_t_logpdf(y, nu, X @ w, np.exp(log_scale)))


def t_regression_learned_nu(params, X, y):
    w, log_scale, log_nu = params[:-2], params[-2], params[-1]
    return -np.sum(student_t_logpdf(y, np.exp(log_nu), X @ w, np.exp(log_scale)))


def cases():
    rs = np.random.RandomState(49)
    X = np.column_stack([np.ones(10), rs.randn(10)])
    y = X @ np.array([1.0, 2.0]) + rs.standard_t(3, size=10)
    return [(t_regression_fixed_nu, (np.array([0.8, 1.7, 0.1]), X, y), 0),
            (t_regression_learned_nu, (np.array([0.8, 1.7, 0.1, 1.2]), X, y), 0)]
