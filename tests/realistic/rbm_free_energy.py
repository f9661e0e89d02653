"""Restricted Boltzmann machine: free energy and the contrastive-divergence surrogate loss.

F(v) = -v.b - sum softplus(v W + c); CD-k's negative samples come from Gibbs steps drawn with a
RandomState inside the loss and are treated as constants (as in the deeplearning.net tutorial).
"""
import numpy as np

AUTOGRAD = True


def free_energy(v, W, b, c):
    wx_b = v @ W + c
    return -v @ b - np.sum(np.log1p(np.exp(wx_b)), axis=1)


def gibbs_step(v, W, b, c, rs):
    p_h = 1 / (1 + np.exp(-(v @ W + c)))
    h = (rs.rand(*p_h.shape) < p_h).astype(float)
    p_v = 1 / (1 + np.exp(-(h @ W.T + b)))
    return (rs.rand(*p_v.shape) < p_v).astype(float)


def cd_loss(params, v_data, k=1, seed=0):
    W, b, c = params["W"], params["b"], params["c"]
    rs = np.random.RandomState(seed)
    v_model = v_data
    for _ in range(k):
        v_model = gibbs_step(v_model, W, b, c, rs)
    return np.mean(free_energy(v_data, W, b, c)) - np.mean(free_energy(v_model, W, b, c))


def cases():
    rs = np.random.RandomState(57)
    params = {"W": 0.3 * rs.randn(5, 3), "b": 0.1 * rs.randn(5), "c": 0.1 * rs.randn(3)}
    v = (rs.rand(6, 5) > 0.5).astype(float)
    return [(cd_loss, (params, v), 0)]
