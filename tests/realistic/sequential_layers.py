"""A tiny Keras-like Sequential model: layer objects with forward(), iterated in a loop.

Layers hold their configuration (activation, dropout rate); the weights come in as a list with one
entry per layer (None for layers without weights), the usual way to make such code functional.
"""
import numpy as np

AUTOGRAD = False  # autograd cannot differentiate w.r.t. a list holding None


class Dense:
    def __init__(self, units, activation=None):
        self.units = units
        self.activation = activation

    def forward(self, params, x):
        W, b = params
        z = x @ W + b
        if self.activation is not None:
            z = self.activation(z)
        return z


class Tanh:
    def forward(self, params, x):
        return np.tanh(x)


class Sequential:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, params, x):
        for layer, p in zip(self.layers, params):
            x = layer.forward(p, x)
        return x

    def loss(self, params, x, y):
        pred = self.forward(params, x)
        return np.mean((pred - y) ** 2)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def build():
    return Sequential([Dense(4), Tanh(), Dense(4, activation=sigmoid), Dense(1)])


def mse_through_model(params, model, x, y):
    return model.loss(params, x, y)


def cases():
    rs = np.random.RandomState(11)
    model = build()
    params = [(rs.randn(3, 4) * 0.5, np.zeros(4)), None, (rs.randn(4, 4) * 0.5, 0.1 * rs.randn(4)),
              (rs.randn(4, 1) * 0.5, np.zeros(1))]
    x, y = rs.randn(6, 3), rs.randn(6, 1)
    return [(model.loss, (params, x, y), 0), (mse_through_model, (params, model, x, y), 0)]
