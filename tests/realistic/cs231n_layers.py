"""A fully connected net built from CS231n-style layer functions that return (out, cache).

Each forward function returns its output and a cache for a backward pass; softmax_loss returns
(loss, dx). The training objective composes them and throws the caches and dx away.
"""
import numpy as np

AUTOGRAD = False  # softmax_loss writes dx[np.arange(N), y] -= 1 into a traced array


def affine_forward(x, w, b):
    N = x.shape[0]
    out = x.reshape(N, -1).dot(w) + b
    cache = (x, w, b)
    return out, cache


def relu_forward(x):
    out = np.maximum(0, x)
    cache = x
    return out, cache


def affine_relu_forward(x, w, b):
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    cache = (fc_cache, relu_cache)
    return out, cache


def softmax_loss(x, y):
    shifted_logits = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted_logits), axis=1, keepdims=True)
    log_probs = shifted_logits - np.log(Z)
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


class FullyConnectedNet:
    """Holds the architecture; the weights come in as the `params` dict (W1, b1, W2, b2, ...)."""

    def __init__(self, num_layers, reg=0.0):
        self.num_layers = num_layers
        self.reg = reg

    def loss(self, params, X, y):
        caches = {}
        out = X
        for i in range(1, self.num_layers):
            out, caches[i] = affine_relu_forward(out, params["W%d" % i], params["b%d" % i])
        scores, caches[self.num_layers] = affine_forward(out, params["W%d" % self.num_layers],
                                                         params["b%d" % self.num_layers])
        data_loss, dscores = softmax_loss(scores, y)
        reg_loss = 0.0
        for i in range(1, self.num_layers + 1):
            W = params["W%d" % i]
            reg_loss += 0.5 * self.reg * np.sum(W * W)
        return data_loss + reg_loss


def two_layer_loss(params, X, y, reg=0.05):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    h, _ = affine_relu_forward(X, W1, b1)
    scores, _ = affine_forward(h, W2, b2)
    loss, _ = softmax_loss(scores, y)
    return loss + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))


def cases():
    rs = np.random.RandomState(10)
    N, D, H, C = 5, 2 * 3, 7, 3
    X = rs.randn(N, 2, 3)  # images get flattened by affine_forward
    y = rs.randint(C, size=N)
    params = {"W1": 0.5 * rs.randn(D, H), "b1": 0.1 * rs.randn(H),
              "W2": 0.5 * rs.randn(H, H), "b2": 0.1 * rs.randn(H),
              "W3": 0.5 * rs.randn(H, C), "b3": np.zeros(C)}
    net = FullyConnectedNet(3, reg=0.1)
    small = {k: params[k] for k in ("W1", "b1")}
    small["W2"], small["b2"] = 0.5 * rs.randn(H, C), np.zeros(C)
    return [(net.loss, (params, X, y), "params"), (two_layer_loss, (small, X, y), 0)]
