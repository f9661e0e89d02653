"""Convolution and max pooling forward passes with explicit loops (CS231n conv_forward_naive).

conv_param / pool_param dicts carry stride and padding; the input is zero-padded with np.pad and
every output pixel is written into a preallocated array.
"""
import numpy as np

AUTOGRAD = False  # out[n, f, i, j] = ... writes into a traced array


def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    assert (H + 2 * pad - HH) % stride == 0, "height does not fit"
    assert (W + 2 * pad - WW) % stride == 0, "width does not fit"
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    out[n, f, i, j] = np.sum(x_pad[n, :, hs:hs + HH, ws:ws + WW] * w[f]) + b[f]
    return out


def max_pool_forward_naive(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            out[:, :, i, j] = np.max(window, axis=(2, 3))
    return out


def conv_loss(w, b, x, dout):
    out = conv_forward_naive(x, w, b, {"stride": 1, "pad": 1})
    return np.sum(out * dout)


def conv_pool_loss(w, b, x, dout):
    out = conv_forward_naive(x, w, b, {"stride": 1, "pad": 0})
    out = np.maximum(out, 0)
    pooled = max_pool_forward_naive(out, {"pool_height": 2, "pool_width": 2, "stride": 2})
    return np.sum(pooled * dout)


def input_grad_loss(x, w, b, dout):
    """The gradient w.r.t. the image (saliency maps, adversarial examples) goes through np.pad."""
    return np.sum(conv_forward_naive(x, w, b, {"stride": 1, "pad": 1}) * dout)


def cases():
    rs = np.random.RandomState(17)
    x = rs.randn(1, 2, 4, 4)
    w, b = 0.5 * rs.randn(2, 2, 3, 3), 0.1 * rs.randn(2)
    return [
        (conv_loss, (w, b, x, rs.randn(1, 2, 4, 4)), (0, 1)),
        (conv_pool_loss, (w, b, x, rs.randn(1, 2, 1, 1)), 0),
        (input_grad_loss, (x, w, b, rs.randn(1, 2, 4, 4)), 0),
    ]
