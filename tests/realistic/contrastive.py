"""Metric-learning losses: triplet margin loss, pairwise contrastive loss, and InfoNCE / NT-Xent.

Embeddings come from a linear projection followed by L2 normalization (np.linalg.norm with
keepdims); triplets are index arrays, NT-Xent masks self-similarity with a large negative.
"""
import numpy as np

AUTOGRAD = {"contrastive_pairs"}  # autograd gets np.linalg.norm(..., keepdims=True) wrong (checked against finite differences)


def embed(W, X):
    Z = X @ W
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def triplet_loss(W, X, triplets, margin=0.2):
    Z = embed(W, X)
    a, p, n = Z[triplets[:, 0]], Z[triplets[:, 1]], Z[triplets[:, 2]]
    d_ap = np.sum((a - p) ** 2, axis=1)
    d_an = np.sum((a - n) ** 2, axis=1)
    return np.mean(np.maximum(d_ap - d_an + margin, 0.0))


def contrastive_pairs(W, X1, X2, same, margin=1.0):
    """Hadsell et al. 2006: pull similar pairs together, push dissimilar ones past the margin."""
    d = np.sqrt(np.sum((X1 @ W - X2 @ W) ** 2, axis=1) + 1e-9)
    return np.mean(same * d ** 2 + (1 - same) * np.maximum(margin - d, 0) ** 2) / 2


def nt_xent(W, X_a, X_b, temperature=0.5):
    z = embed(W, np.concatenate([X_a, X_b], axis=0))
    n = X_a.shape[0]
    sim = z @ z.T / temperature
    sim = sim - 1e9 * np.eye(2 * n)
    targets = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    logsumexp = np.log(np.sum(np.exp(sim - sim.max(axis=1, keepdims=True)), axis=1)) + sim.max(axis=1)
    return np.mean(logsumexp - sim[np.arange(2 * n), targets])


def cases():
    rs = np.random.RandomState(36)
    X = rs.randn(6, 4)
    W = rs.randn(4, 3)
    triplets = np.array([[0, 1, 2], [3, 4, 5], [1, 0, 4], [2, 5, 3]])
    X1, X2 = rs.randn(5, 4), rs.randn(5, 4)
    same = np.array([1.0, 0.0, 1.0, 0.0, 0.0])
    Xa = rs.randn(3, 4)
    Xb = Xa + 0.1 * rs.randn(3, 4)
    return [(triplet_loss, (W, X, triplets), 0), (contrastive_pairs, (W, X1, X2, same), 0),
            (nt_xent, (W, Xa, Xb), 0)]
