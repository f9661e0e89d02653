"""Batch normalization forward pass (CS231n batchnorm_forward) inside a small network's loss.

bn_param is a dict carrying the mode and the running statistics, which the forward pass updates
as a side effect; the loss is a random linear functional of the output, as in a gradient check.
"""
import numpy as np

AUTOGRAD = False  # the running-average update writes into a dict argument


def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    if mode == "train":
        sample_mean = x.mean(axis=0)
        sample_var = x.var(axis=0)
        x_hat = (x - sample_mean) / np.sqrt(sample_var + eps)
        out = gamma * x_hat + beta
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
    elif mode == "test":
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * x_hat + beta
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out


def bn_check_loss(x, gamma, beta, dout, bn_param):
    out = batchnorm_forward(x, gamma, beta, bn_param)
    return np.sum(out * dout)


def bn_net_loss(params, X, y, bn_param):
    a = X @ params["W1"]
    a = batchnorm_forward(a, params["gamma"], params["beta"], bn_param)
    h = np.maximum(a, 0)
    return np.mean((h @ params["W2"] - y) ** 2)


def cases():
    rs = np.random.RandomState(15)
    N, D = 6, 4
    x = 2.0 * rs.randn(N, D) + 1.0
    gamma, beta = rs.randn(D), rs.randn(D)
    dout = rs.randn(N, D)
    params = {"W1": rs.randn(3, D), "gamma": np.ones(D) + 0.1 * rs.randn(D), "beta": 0.1 * rs.randn(D),
              "W2": rs.randn(D, 1)}
    X, y = rs.randn(N, 3), rs.randn(N, 1)
    return [(bn_check_loss, (x, gamma, beta, dout, {"mode": "train"}), (0, 1, 2)),
            (bn_net_loss, (params, X, y, {"mode": "train", "momentum": 0.8}), 0)]
