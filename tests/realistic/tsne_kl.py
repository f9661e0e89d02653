"""The t-SNE objective: KL(P || Q) with a Student-t kernel over the embedding.

P comes from Gaussian affinities with a fixed bandwidth, symmetrized; Q is computed from pairwise
squared distances with the diagonal zeroed by np.fill_diagonal, as in many reference scripts.
"""
import numpy as np

AUTOGRAD = {"tsne_kl_masked"}  # np.fill_diagonal writes into a traced array


def pairwise_sq_dists(Y):
    sum_Y = np.sum(np.square(Y), 1)
    return np.add(np.add(-2 * np.dot(Y, Y.T), sum_Y).T, sum_Y)


def joint_probabilities(X, sigma=1.0):
    D = pairwise_sq_dists(X)
    P = np.exp(-D / (2 * sigma ** 2))
    np.fill_diagonal(P, 0.0)
    P = P / P.sum(axis=1, keepdims=True)
    P = (P + P.T) / (2 * P.shape[0])
    return np.maximum(P, 1e-12)


def tsne_kl(Y, P):
    num = 1.0 / (1.0 + pairwise_sq_dists(Y))
    np.fill_diagonal(num, 0.0)
    Q = np.maximum(num / np.sum(num), 1e-12)
    return np.sum(P * np.log(P / Q))


def tsne_kl_masked(Y, P):
    n = Y.shape[0]
    off_diag = 1.0 - np.eye(n)
    num = off_diag / (1.0 + pairwise_sq_dists(Y))
    Q = num / num.sum()
    return np.sum(off_diag * P * (np.log(P) - np.log(Q + np.eye(n))))


def cases():
    rs = np.random.RandomState(35)
    X = rs.randn(6, 4)
    P = joint_probabilities(X)
    Y = 0.5 * rs.randn(6, 2)
    return [(tsne_kl, (Y, P), 0), (tsne_kl_masked, (Y, P), 0)]
