"""Scaled dot-product and multi-head self-attention with a causal mask.

Heads are split with reshape/transpose, the mask is applied with np.where before a numerically
stable softmax over the key axis; the loss is the next-token MSE of a one-layer model.
"""
import numpy as np

AUTOGRAD = {"single_query_loss"}  # autograd arrays do not take x.transpose(1, 0, 2)


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_k)
    if mask is not None:
        scores = np.where(mask, scores, -1e9)
    weights = softmax(scores, axis=-1)
    return weights @ v


def multi_head_attention(params, x, n_heads, causal=True):
    T, D = x.shape
    dh = D // n_heads
    q = (x @ params["Wq"]).reshape(T, n_heads, dh).transpose(1, 0, 2)
    k = (x @ params["Wk"]).reshape(T, n_heads, dh).transpose(1, 0, 2)
    v = (x @ params["Wv"]).reshape(T, n_heads, dh).transpose(1, 0, 2)
    mask = np.tril(np.ones((T, T), dtype=bool)) if causal else None
    out = scaled_dot_product_attention(q, k, v, mask)
    out = out.transpose(1, 0, 2).reshape(T, D)
    return out @ params["Wo"]


def attention_loss(params, x, target):
    return np.mean((multi_head_attention(params, x, n_heads=2) - target) ** 2)


def single_query_loss(w_q, keys, values, target):
    scores = keys @ w_q
    alpha = np.exp(scores) / np.exp(scores).sum()
    context = alpha @ values
    return np.sum((context - target) ** 2)


def cases():
    rs = np.random.RandomState(22)
    T, D = 4, 4
    params = {name: 0.5 * rs.randn(D, D) for name in ("Wq", "Wk", "Wv", "Wo")}
    x, target = rs.randn(T, D), rs.randn(T, D)
    return [(attention_loss, (params, x, target), 0),
            (single_query_loss, (rs.randn(3), rs.randn(5, 3), rs.randn(5, 2), rs.randn(2)), 0)]
