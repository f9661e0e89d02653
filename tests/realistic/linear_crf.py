"""Linear-chain CRF negative log-likelihood (sequence labelling, as in CS224n-era taggers).

Emission scores from a linear layer, a transition matrix, the gold path score accumulated with
integer indexing, and the partition function by the forward algorithm with a max-shifted log-sum-exp.
"""
import numpy as np

AUTOGRAD = True


def log_sum_exp(vec, axis=0):
    m = np.max(vec, axis=axis)
    return m + np.log(np.sum(np.exp(vec - np.expand_dims(m, axis)), axis=axis))


def crf_nll(params, feats, tags):
    emissions = feats @ params["W"]          # T x K
    trans = params["transitions"]           # K x K, trans[i, j]: score of i -> j
    start, end = params["start"], params["end"]
    T = emissions.shape[0]
    gold = start[tags[0]] + emissions[0, tags[0]]
    for t in range(1, T):
        gold = gold + trans[tags[t - 1], tags[t]] + emissions[t, tags[t]]
    gold = gold + end[tags[-1]]
    alpha = start + emissions[0]
    for t in range(1, T):
        alpha = log_sum_exp(alpha[:, None] + trans + emissions[t][None, :], axis=0)
    log_Z = log_sum_exp(alpha + end)
    return log_Z - gold


def cases():
    rs = np.random.RandomState(54)
    T, F, K = 5, 3, 3
    params = {"W": 0.5 * rs.randn(F, K), "transitions": 0.3 * rs.randn(K, K), "start": 0.1 * rs.randn(K),
              "end": 0.1 * rs.randn(K)}
    return [(crf_nll, (params, rs.randn(T, F), rs.randint(K, size=T)), 0)]
