"""Matrix factorization for ratings (Funk SVD / biased MF) with observed entries only.

Two styles: a loop over (user, item, rating) triples as in SGD tutorials, and a masked dense
version with user and item biases and a global mean, regularized with the Frobenius norm.
"""
import numpy as np

AUTOGRAD = True


def mf_loss_loop(P, Q, ratings, lam=0.05):
    err = 0.0
    for u, i, r in ratings:
        pred = np.dot(P[u], Q[i])
        err += (r - pred) ** 2
    return err + lam * (np.sum(P ** 2) + np.sum(Q ** 2))


def biased_mf_loss(params, R, mask, lam=0.1):
    U, V = params["U"], params["V"]
    bu, bi, mu = params["bu"], params["bi"], params["mu"]
    pred = mu + bu[:, None] + bi[None, :] + U @ V.T
    resid = mask * (R - pred)
    n_obs = mask.sum()
    reg = lam * (np.linalg.norm(U) ** 2 + np.linalg.norm(V) ** 2 + np.sum(bu ** 2) + np.sum(bi ** 2))
    return np.sum(resid ** 2) / n_obs + reg / n_obs


def cases():
    rs = np.random.RandomState(24)
    n_users, n_items, k = 4, 5, 2
    P, Q = 0.5 * rs.randn(n_users, k), 0.5 * rs.randn(n_items, k)
    ratings = [(0, 1, 4.0), (0, 3, 2.0), (1, 1, 5.0), (2, 0, 3.0), (3, 4, 1.0), (2, 4, 2.0)]
    R = rs.randint(1, 6, size=(n_users, n_items)).astype(float)
    mask = (rs.rand(n_users, n_items) < 0.6).astype(float)
    params = {"U": 0.3 * rs.randn(n_users, k), "V": 0.3 * rs.randn(n_items, k), "bu": np.zeros(n_users),
              "bi": np.zeros(n_items), "mu": 3.0}
    return [(mf_loss_loop, (P, Q, ratings), (0, 1)), (biased_mf_loss, (params, R, mask), 0)]
