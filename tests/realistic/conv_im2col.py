"""Convolution via im2col and a matrix product, pooling via reshape, as in fast numpy CNN code.

im2col builds the column matrix with index arithmetic (np.repeat / np.tile / np.arange), the
kernel is reshaped to a row matrix, and 2x2 max pooling uses the reshape-and-max trick.
"""
import numpy as np

AUTOGRAD = False  # autograd arrays do not take cols.transpose(1, 2, 0)


def get_im2col_indices(x_shape, field_height, field_width, padding=0, stride=1):
    N, C, H, W = x_shape
    out_height = (H + 2 * padding - field_height) // stride + 1
    out_width = (W + 2 * padding - field_width) // stride + 1
    i0 = np.repeat(np.arange(field_height), field_width)
    i0 = np.tile(i0, C)
    i1 = stride * np.repeat(np.arange(out_height), out_width)
    j0 = np.tile(np.arange(field_width), field_height * C)
    j1 = stride * np.tile(np.arange(out_width), out_height)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), field_height * field_width).reshape(-1, 1)
    return k, i, j


def im2col_indices(x, field_height, field_width, stride=1):
    k, i, j = get_im2col_indices(x.shape, field_height, field_width, 0, stride)
    cols = x[:, k, i, j]  # N x (C*fh*fw) x (out_h*out_w)
    C = x.shape[1]
    return cols.transpose(1, 2, 0).reshape(field_height * field_width * C, -1)


def conv_forward_im2col(x, w, b, stride=1):
    N, C, H, W = x.shape
    F, _, fh, fw = w.shape
    out_h = (H - fh) // stride + 1
    out_w = (W - fw) // stride + 1
    X_col = im2col_indices(x, fh, fw, stride)
    W_row = w.reshape(F, -1)
    out = W_row @ X_col + b.reshape(-1, 1)
    out = out.reshape(F, out_h, out_w, N)
    return out.transpose(3, 0, 1, 2)


def max_pool_2x2(x):
    N, C, H, W = x.shape
    return x.reshape(N, C, H // 2, 2, W // 2, 2).max(axis=(3, 5))


def cnn_loss(params, x, y):
    h = np.maximum(conv_forward_im2col(x, params["w"], params["b"]), 0)
    h = max_pool_2x2(h)
    feats = h.reshape(h.shape[0], -1)
    logits = feats @ params["W_fc"]
    logits = logits - logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(len(y)), y])


def cases():
    rs = np.random.RandomState(18)
    N, C, H, W, F = 2, 2, 6, 6, 3
    x = rs.randn(N, C, H, W)
    params = {"w": 0.4 * rs.randn(F, C, 3, 3), "b": 0.1 * rs.randn(F), "W_fc": 0.4 * rs.randn(F * 2 * 2, 3)}
    y = np.array([0, 2])
    return [(cnn_loss, (params, x, y), 0)]
