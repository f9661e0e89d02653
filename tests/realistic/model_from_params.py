"""Models built inside the loss from the parameters being differentiated (Equinox / Flax-like style
in NumPy), and the "load the parameters into the model, then call it" style.

MLP(params) wraps a params dict and exposes __call__ and nll(); the first loss constructs the model
from the differentiated params and calls its method; the second assigns the arrays to attributes
of an existing model before calling it.
"""
import numpy as np

AUTOGRAD = {"loss_build_model"}  # the attribute-assignment version mutates a module-level model


class MLP:
    def __init__(self, params):
        self.params = params

    def __call__(self, X):
        h = np.tanh(X @ self.params["W1"] + self.params["b1"])
        return h @ self.params["W2"]

    def nll(self, X, y):
        logits = self(X)
        logits = logits - logits.max(axis=1, keepdims=True)
        return np.mean(np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(len(y)), y])


def loss_build_model(params, X, y):
    model = MLP(params)
    return model.nll(X, y)


class Linear:
    def __init__(self, n_in, n_out):
        self.W = np.zeros((n_in, n_out))
        self.b = np.zeros(n_out)

    def __call__(self, x):
        return x @ self.W + self.b


LAYER = Linear(3, 2)


def loss_set_attributes(W, b, X, y):
    LAYER.W, LAYER.b = W, b
    return np.mean((LAYER(X) - y) ** 2)


def cases():
    rs = np.random.RandomState(75)
    params = {"W1": 0.5 * rs.randn(3, 4), "b1": 0.1 * rs.randn(4), "W2": 0.5 * rs.randn(4, 3)}
    X = rs.randn(5, 3)
    return [(loss_build_model, (params, X, rs.randint(3, size=5)), 0),
            (loss_set_attributes, (0.5 * rs.randn(3, 2), 0.1 * rs.randn(2), X, rs.randn(5, 2)), (0, 1))]
