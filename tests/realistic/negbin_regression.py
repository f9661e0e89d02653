"""Negative-binomial (NB2) regression log-likelihood with a learned dispersion.

The log-likelihood uses gammaln(y + r) - gammaln(r) - gammaln(y + 1), so differentiating w.r.t.
log r needs the digamma function; parameters come as one flat vector unpacked by position.
"""
import numpy as np
from scipy.special import gammaln

AUTOGRAD = True


def nb2_loglik(params, X, y):
    beta, log_r = params[:-1], params[-1]
    r = np.exp(log_r)
    mu = np.exp(X @ beta)
    ll = (gammaln(y + r) - gammaln(r) - gammaln(y + 1)
          + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu)))
    return ll.sum()


def nb2_objective(params, X, y):
    return -nb2_loglik(params, X, y) / len(y)


def cases():
    rs = np.random.RandomState(26)
    X = np.column_stack([np.ones(12), rs.randn(12, 2)])
    y = rs.negative_binomial(3, 0.4, size=12).astype(float)
    return [(nb2_objective, (np.array([0.8, 0.1, -0.2, 0.9]), X, y), 0)]
