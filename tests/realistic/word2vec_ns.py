"""Skip-gram with negative sampling, as in the CS224n word2vec assignment.

Center vectors are rows of W_in looked up by index, negatives are drawn once from a unigram^0.75
distribution with a seeded RandomState; the loss loops over (center, context) pairs and uses
scipy.special.expit. Repeated indices make the gradient a scatter-add into the embedding tables.
"""
import numpy as np
from scipy.special import expit

AUTOGRAD = False  # W_out[idx].dot(v): autograd arrays have no .dot method


def neg_sampling_loss(center_vec, outside_idx, W_out, neg_idx):
    pos = np.log(expit(W_out[outside_idx].dot(center_vec)))
    neg = np.sum(np.log(expit(-W_out[neg_idx].dot(center_vec))))
    return -pos - neg


def skipgram_loss(W_in, W_out, pairs, counts, K=4, seed=0):
    rs = np.random.RandomState(seed)
    probs = counts ** 0.75
    probs = probs / probs.sum()
    loss = 0.0
    for center, outside in pairs:
        neg_idx = rs.choice(len(counts), size=K, p=probs)
        loss += neg_sampling_loss(W_in[center], outside, W_out, neg_idx)
    return loss / len(pairs)


def cases():
    rs = np.random.RandomState(23)
    V, d = 6, 3
    W_in, W_out = 0.5 * rs.randn(V, d), 0.5 * rs.randn(V, d)
    pairs = [(0, 1), (1, 2), (0, 3), (4, 1), (5, 0)]
    counts = np.array([5.0, 3.0, 2.0, 2.0, 1.0, 1.0])
    return [(skipgram_loss, (W_in, W_out, pairs, counts), (0, 1))]
