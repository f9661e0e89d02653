"""Learning-to-rank losses on a linear scorer: RankNet pairwise, ListNet, and top-k / trimmed losses.

Pairwise differences via np.subtract.outer, relevance ordering via np.argsort (a non-differentiable
permutation used for indexing), and a trimmed squared loss that sorts residuals with np.sort.
"""
import numpy as np

AUTOGRAD = {"ranknet", "listnet", "topk_hinge"}  # np.subtract.outer / np.sort are not in autograd


def ranknet(w, X, rel, sigma=1.0):
    s = X @ w
    S_ij = np.sign(rel[:, None] - rel[None, :])
    diff = s[:, None] - s[None, :]
    C = 0.5 * (1 - S_ij) * sigma * diff + np.logaddexp(0, -sigma * diff)
    return np.sum(np.triu(C, 1))


def listnet(w, X, rel):
    s = X @ w
    p_true = np.exp(rel) / np.sum(np.exp(rel))
    log_p = s - np.max(s) - np.log(np.sum(np.exp(s - np.max(s))))
    return -np.sum(p_true * log_p)


def topk_hinge(w, X, rel, k=3):
    s = X @ w
    order = np.argsort(-rel)
    top, rest = order[:k], order[k:]
    return np.sum(np.maximum(0, 1 - (s[top][:, None] - s[rest][None, :])))


def pairwise_outer(w, X, rel):
    s = X @ w
    d = np.subtract.outer(s, s)
    mask = np.subtract.outer(rel, rel) > 0
    return np.sum(np.log1p(np.exp(-d[mask])))


def trimmed_squares(w, X, y, trim=0.25):
    r2 = (X @ w - y) ** 2
    keep = int(len(r2) * (1 - trim))
    return np.mean(np.sort(r2)[:keep])


def cases():
    rs = np.random.RandomState(66)
    X = rs.randn(6, 3)
    rel = np.array([3.0, 2.0, 0.0, 1.0, 0.5, 2.5])
    w = 0.4 * rs.randn(3)
    y = X @ np.array([1.0, 0.0, -1.0]) + 0.3 * rs.randn(6)
    return [(ranknet, (w, X, rel), 0), (listnet, (w, X, rel), 0), (topk_hinge, (w, X, rel), 0),
            (pairwise_outer, (w, X, rel), 0), (trimmed_squares, (w, X, y), 0)]
