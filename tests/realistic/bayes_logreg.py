"""Bayesian logistic regression: the log joint for MAP and a mean-field Gaussian ELBO.

The log likelihood in the numerically stable form -log(1 + exp(-y x.w)) with labels in {-1, +1};
the prior is isotropic Gaussian. The ELBO draws its samples with a RandomState created inside.
"""
import numpy as np

AUTOGRAD = True


def logprob(weights, inputs, targets, prior_std=1.0):
    log_prior = -0.5 * np.sum(weights ** 2) / prior_std ** 2
    margins = targets * np.dot(inputs, weights.T)
    log_lik = -np.sum(np.logaddexp(0.0, -margins), axis=0)
    return log_prior + log_lik


def neg_log_posterior(w, X, t):
    return -np.sum(logprob(w[None, :], X, t[:, None]))


def elbo(var_params, X, t, n_samples=8):
    rs = np.random.RandomState(0)
    D = X.shape[1]
    mean, log_std = var_params[:D], var_params[D:]
    W = rs.randn(n_samples, D) * np.exp(log_std) + mean
    entropy = np.sum(log_std) + 0.5 * D * (1 + np.log(2 * np.pi))
    return -(np.mean(logprob(W, X, t[:, None])) + entropy)


def cases():
    rs = np.random.RandomState(7)
    N, D = 12, 3
    X = rs.randn(N, D)
    t = np.where(X @ np.array([1.0, -2.0, 0.5]) + 0.3 * rs.randn(N) > 0, 1.0, -1.0)
    return [
        (neg_log_posterior, (0.1 * rs.randn(D), X, t), "w"),
        (elbo, (np.concatenate([0.1 * rs.randn(D), -np.ones(D)]), X, t), 0),
    ]
