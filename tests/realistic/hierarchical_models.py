"""Hierarchical Bayesian log posteriors (PyMC / Stan examples in plain SciPy): eight schools and a
Dirichlet-multinomial, on unconstrained parameters with log-Jacobian terms.

Eight schools uses the non-centered parameterization with norm.logpdf and a half-Cauchy prior on
tau; the Dirichlet-multinomial marginal uses gammaln; a beta-binomial uses betaln; a mixture weight
enters logsumexp through b=.
"""
import numpy as np
from scipy.special import betaln, gammaln, logsumexp
from scipy.stats import halfcauchy, norm

AUTOGRAD = {"dirichlet_multinomial_nll"}  # autograd has no halfcauchy, betaln, or logsumexp(b=)

Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


def eight_schools_logp(params):
    mu, log_tau, theta_tilde = params[0], params[1], params[2:]
    tau = np.exp(log_tau)
    theta = mu + tau * theta_tilde
    lp = norm.logpdf(mu, 0, 5) + halfcauchy.logpdf(tau, scale=5) + log_tau   # + log|d tau / d log_tau|
    lp += np.sum(norm.logpdf(theta_tilde, 0, 1))
    lp += np.sum(norm.logpdf(Y, theta, SIGMA))
    return -lp


def dirichlet_multinomial_nll(log_alpha, counts):
    alpha = np.exp(log_alpha)
    A = alpha.sum()
    N = counts.sum(axis=1)
    ll = gammaln(A) - gammaln(N + A) + np.sum(gammaln(counts + alpha) - gammaln(alpha), axis=1)
    return -np.sum(ll)


def beta_binomial_nll(log_ab, k, n):
    a, b = np.exp(log_ab)
    return -np.sum(betaln(k + a, n - k + b) - betaln(a, b))


def weighted_mixture_nll(params, x):
    w = np.exp(params["logits"]) / np.sum(np.exp(params["logits"]))
    comp = -0.5 * (x[:, None] - params["mu"][None, :]) ** 2 - 0.5 * np.log(2 * np.pi)
    return -np.sum(logsumexp(comp, b=w[None, :], axis=1))


def cases():
    rs = np.random.RandomState(73)
    counts = rs.multinomial(10, [0.5, 0.3, 0.2], size=5).astype(float)
    k = np.array([3.0, 5.0, 1.0, 7.0])
    n = np.array([10.0, 10.0, 8.0, 12.0])
    return [(eight_schools_logp, (np.concatenate([[4.0, 1.0], 0.5 * rs.randn(8)]),), 0),
            (dirichlet_multinomial_nll, (np.log(np.array([2.0, 1.5, 1.0])), counts), 0),
            (beta_binomial_nll, (np.log(np.array([2.0, 3.0])), k, n), 0),
            (weighted_mixture_nll, ({"logits": 0.3 * rs.randn(3), "mu": rs.randn(3)}, rs.randn(6)), 0)]
