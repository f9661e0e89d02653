"""An LSTM language model over a short sequence, with gates sliced out of one affine transform.

The hidden states are collected in a Python list and stacked; the gate preactivations are split
with slices of width H as in most from-scratch LSTM code, sigmoid is a helper.
"""
import numpy as np

AUTOGRAD = True


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm_step(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    return next_h, next_c


def lstm_forward(xs, h0, Wx, Wh, b):
    h, c = h0, np.zeros_like(h0)
    hs = []
    for t in range(xs.shape[1]):
        h, c = lstm_step(xs[:, t], h, c, Wx, Wh, b)
        hs.append(h)
    return np.stack(hs, axis=1)


def lm_loss(params, tokens):
    emb = params["embed"][tokens[:, :-1]]
    N = tokens.shape[0]
    h0 = np.zeros((N, params["Wh"].shape[0]))
    hs = lstm_forward(emb, h0, params["Wx"], params["Wh"], params["b"])
    logits = hs @ params["W_out"]
    logits = logits - logits.max(axis=-1, keepdims=True)
    logp = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    targets = tokens[:, 1:]
    N, T = targets.shape
    picked = logp[np.arange(N)[:, None], np.arange(T)[None, :], targets]
    return -np.mean(picked)


def cases():
    rs = np.random.RandomState(20)
    V, E, H = 5, 3, 4
    params = {"embed": 0.5 * rs.randn(V, E), "Wx": 0.4 * rs.randn(E, 4 * H), "Wh": 0.4 * rs.randn(H, 4 * H),
              "b": 0.1 * rs.randn(4 * H), "W_out": 0.4 * rs.randn(H, V)}
    tokens = rs.randint(V, size=(2, 6))
    return [(lm_loss, (params, tokens), 0)]
