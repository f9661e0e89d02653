"""Losses that also do bookkeeping, as training scripts do: caches in a dict, history lists, .item().

The forward pass stores intermediate activations in a `cache` dict passed by the caller (for a
later hand-written backward pass or for plotting), appends the loss value to a history list, and
reads a Python float with .item() for logging.
"""
import numpy as np

AUTOGRAD = False  # writes into the caller's dict and list


def forward_with_cache(params, X, cache):
    cache["z1"] = X @ params["W1"]
    cache["h1"] = np.tanh(cache["z1"])
    cache["out"] = cache["h1"] @ params["W2"]
    return cache["out"]


def loss_with_cache(params, X, y, cache):
    out = forward_with_cache(params, X, cache)
    return np.mean((out - y) ** 2)


def loss_with_history(params, X, y, history):
    out = np.tanh(X @ params["W1"]) @ params["W2"]
    loss = np.mean((out - y) ** 2)
    history.append(loss.item())
    return loss


def cases():
    rs = np.random.RandomState(67)
    params = {"W1": 0.5 * rs.randn(3, 4), "W2": 0.5 * rs.randn(4, 1)}
    X, y = rs.randn(5, 3), rs.randn(5, 1)
    return [(loss_with_cache, (params, X, y, {}), 0), (loss_with_history, (params, X, y, []), 0)]
