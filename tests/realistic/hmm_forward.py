"""Hidden Markov model negative log-likelihood by the forward algorithm in log space.

Transition and emission matrices are row-wise log-softmax of free parameters; the recursion uses
scipy.special.logsumexp over the previous state. A scaled (non-log) version normalizes alpha
at each step the way Rabiner's tutorial does.
"""
import numpy as np
from scipy.special import logsumexp

AUTOGRAD = True


def log_softmax(x, axis=-1):
    return x - logsumexp(x, axis=axis, keepdims=True)


def hmm_nll(params, obs):
    log_pi = log_softmax(params["pi"])
    log_A = log_softmax(params["A"], axis=1)
    log_B = log_softmax(params["B"], axis=1)
    log_alpha = log_pi + log_B[:, obs[0]]
    for t in range(1, len(obs)):
        log_alpha = logsumexp(log_alpha[:, None] + log_A, axis=0) + log_B[:, obs[t]]
    return -logsumexp(log_alpha)


def softmax_rows(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def hmm_nll_scaled(params, obs):
    pi = np.exp(params["pi"]) / np.sum(np.exp(params["pi"]))
    A, B = softmax_rows(params["A"]), softmax_rows(params["B"])
    alpha = pi * B[:, obs[0]]
    c = alpha.sum()
    alpha = alpha / c
    log_lik = np.log(c)
    for o in obs[1:]:
        alpha = (alpha @ A) * B[:, o]
        c = alpha.sum()
        alpha = alpha / c
        log_lik = log_lik + np.log(c)
    return -log_lik


def cases():
    rs = np.random.RandomState(40)
    S, V = 3, 4
    params = {"pi": 0.3 * rs.randn(S), "A": rs.randn(S, S), "B": rs.randn(S, V)}
    obs = rs.randint(V, size=7)
    return [(hmm_nll, (params, obs), 0), (hmm_nll_scaled, (params, obs), 0)]
