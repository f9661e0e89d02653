"""L2 weight decay and parameter-group bookkeeping written over params.items() / params.values().

The training loss of a small classifier: weight decay only on weight matrices (names starting
with "W"), not biases, as PyTorch ports usually do; a second version sums over all values.
"""
import numpy as np

AUTOGRAD = True


def forward(params, X):
    h = np.maximum(X @ params["W1"] + params["b1"], 0)
    return h @ params["W2"] + params["b2"]


def cross_entropy(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    return np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])


def loss_decay_weights(params, X, y, weight_decay=1e-2):
    decay = 0.0
    for name, p in params.items():
        if name.startswith("W"):
            decay = decay + np.sum(p ** 2)
    return cross_entropy(forward(params, X), y) + 0.5 * weight_decay * decay


def loss_decay_all(params, X, y, weight_decay=1e-2):
    l2 = sum(np.sum(p * p) for p in params.values())
    return cross_entropy(forward(params, X), y) + 0.5 * weight_decay * l2


def cases():
    rs = np.random.RandomState(70)
    params = {"W1": 0.5 * rs.randn(3, 4), "b1": 0.1 * rs.randn(4), "W2": 0.5 * rs.randn(4, 3), "b2": 0.1 * rs.randn(3)}
    X, y = rs.randn(6, 3), rs.randint(3, size=6)
    return [(loss_decay_weights, (params, X, y), 0), (loss_decay_all, (params, X, y), 0)]
