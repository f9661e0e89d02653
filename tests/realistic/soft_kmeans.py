"""Soft k-means / deterministic annealing objective w.r.t. the centroids.

Distances with np.linalg.norm over a broadcast difference, responsibilities from a softmin at a
temperature; the objective is the free energy -T sum log sum exp(-d^2 / T).
"""
import numpy as np

AUTOGRAD = True


def soft_kmeans_energy(centroids, X, temperature=0.5):
    d2 = np.linalg.norm(X[:, None, :] - centroids[None, :, :], axis=2) ** 2
    a = -d2 / temperature
    amax = a.max(axis=1)
    return -temperature * np.sum(amax + np.log(np.exp(a - amax[:, None]).sum(axis=1)))


def kmeans_distortion(centroids, X, assignments):
    """Hard assignments held fixed, as in the M-step of Lloyd's algorithm."""
    total = 0.0
    for k in range(len(centroids)):
        members = X[assignments == k]
        total += np.sum((members - centroids[k]) ** 2)
    return total / len(X)


def cases():
    rs = np.random.RandomState(58)
    X = np.concatenate([rs.randn(5, 2) + 2, rs.randn(5, 2) - 2])
    C = rs.randn(3, 2)
    assign = np.argmin(((X[:, None] - C[None]) ** 2).sum(-1), axis=1)
    return [(soft_kmeans_energy, (C, X), 0), (kmeans_distortion, (C, X, assign), 0)]
