"""Vanilla RNN over time with a temporal affine layer and a masked temporal softmax loss.

Written after the CS231n RNN captioning assignment: rnn_step_forward returns (next_h, cache),
rnn_forward fills an (N, T, H) array step by step, and the loss ignores <NULL> tokens with a mask.
"""
import numpy as np

AUTOGRAD = False  # h[:, t, :] = next_h writes into a traced array


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    prev_h = h0
    for t in range(T):
        next_h, _ = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)
        h[:, t, :] = next_h
        prev_h = next_h
    return h


def temporal_affine_forward(x, w, b):
    N, T, D = x.shape
    M = b.shape[0]
    return x.reshape(N * T, D).dot(w).reshape(N, T, M) + b


def temporal_softmax_loss(x, y, mask):
    N, T, V = x.shape
    x_flat = x.reshape(N * T, V)
    y_flat = y.reshape(N * T)
    mask_flat = mask.reshape(N * T)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    return -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N


def captioning_loss(params, features, captions, null_token=0):
    captions_in = captions[:, :-1]
    captions_out = captions[:, 1:]
    mask = captions_out != null_token
    h0 = features.dot(params["W_proj"]) + params["b_proj"]
    x = params["W_embed"][captions_in]
    h = rnn_forward(x, h0, params["Wx"], params["Wh"], params["b"])
    scores = temporal_affine_forward(h, params["W_vocab"], params["b_vocab"])
    return temporal_softmax_loss(scores, captions_out, mask)


def cases():
    rs = np.random.RandomState(19)
    N, T, V, W, H, F = 2, 5, 6, 3, 4, 5
    params = {"W_proj": 0.3 * rs.randn(F, H), "b_proj": np.zeros(H), "W_embed": 0.5 * rs.randn(V, W),
              "Wx": 0.4 * rs.randn(W, H), "Wh": 0.4 * rs.randn(H, H), "b": 0.1 * rs.randn(H),
              "W_vocab": 0.4 * rs.randn(H, V), "b_vocab": np.zeros(V)}
    features = rs.randn(N, F)
    captions = rs.randint(1, V, size=(N, T + 1))
    captions[1, -2:] = 0  # a shorter caption, padded with <NULL>
    return [(captioning_loss, (params, features, captions), 0)]
