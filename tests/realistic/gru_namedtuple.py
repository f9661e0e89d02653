"""A GRU cell over time with parameters in a NamedTuple, and a sequence-regression loss.

Per-gate weights are built with zip(*pairs); the recurrence is a plain Python loop over the
time axis, using the reset gate inside the candidate (Cho et al. 2014).
"""
from typing import NamedTuple

import numpy as np

AUTOGRAD = False  # autograd cannot differentiate w.r.t. a NamedTuple


class GRUParams(NamedTuple):
    Wz: np.ndarray
    Uz: np.ndarray
    Wr: np.ndarray
    Ur: np.ndarray
    Wh: np.ndarray
    Uh: np.ndarray
    w_out: np.ndarray


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def gru_cell(p, x, h):
    z = sigmoid(x @ p.Wz + h @ p.Uz)
    r = sigmoid(x @ p.Wr + h @ p.Ur)
    h_tilde = np.tanh(x @ p.Wh + (r * h) @ p.Uh)
    return (1 - z) * h + z * h_tilde


def sequence_loss(p: GRUParams, xs, ys):
    h = np.zeros(p.Uz.shape[0])
    loss = 0.0
    for x, y in zip(xs, ys):
        h = gru_cell(p, x, h)
        loss = loss + (h @ p.w_out - y) ** 2
    return loss / len(xs)


def init_params(rs, D, H):
    pairs = [(0.4 * rs.randn(D, H), 0.4 * rs.randn(H, H)) for _ in range(3)]
    Ws, Us = zip(*pairs)
    return GRUParams(Ws[0], Us[0], Ws[1], Us[1], Ws[2], Us[2], 0.5 * rs.randn(H))


def cases():
    rs = np.random.RandomState(21)
    p = init_params(rs, 2, 3)
    xs, ys = rs.randn(5, 2), rs.randn(5)
    return [(sequence_loss, (p, xs, ys), 0)]
