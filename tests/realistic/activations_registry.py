"""An MLP whose activations are chosen by name from a dict or passed in as functions.

ACTS maps names to callables (NumPy ufuncs and local functions alike), the layer sizes come from
the weights, and the hidden activation is a keyword argument with a NumPy default.
"""
import numpy as np

AUTOGRAD = True


def relu(x):
    return np.maximum(x, 0)


def softplus(x):
    return np.logaddexp(0, x)


def leaky_relu(x, alpha=0.1):
    return np.where(x > 0, x, alpha * x)


def sigmoid(x):
    return 0.5 * (np.tanh(x / 2) + 1)


ACTS = {"relu": relu, "tanh": np.tanh, "softplus": softplus, "leaky_relu": leaky_relu, "sigmoid": sigmoid}


def mlp(weights, x, activations):
    h = x
    for (W, b), name in zip(weights, activations):
        h = ACTS[name](h @ W + b)
    return h


def regression_loss(weights, x, y, activations=("softplus", "leaky_relu", "sigmoid")):
    return np.mean((mlp(weights, x, activations) - y) ** 2)


def predict(weights, x, nonlinearity=np.tanh):
    for W, b in weights[:-1]:
        x = nonlinearity(np.dot(x, W) + b)
    W, b = weights[-1]
    return np.dot(x, W) + b


def l2_loss(weights, x, y, nonlinearity=np.tanh):
    return 0.5 * np.sum((predict(weights, x, nonlinearity) - y) ** 2)


def relu_loss(weights, x, y):
    return l2_loss(weights, x, y, nonlinearity=relu)


def cases():
    rs = np.random.RandomState(12)
    sizes = [3, 5, 4, 1]
    weights = [(0.6 * rs.randn(m, n), 0.1 * rs.randn(n)) for m, n in zip(sizes[:-1], sizes[1:])]
    x, y = rs.randn(6, 3), rs.rand(6, 1)
    return [
        (regression_loss, (weights, x, y), 0),
        (l2_loss, (weights, x, y), 0),
        (relu_loss, (weights, x, y), 0),
    ]
