"""Layers composed with functools.partial, map and functools.reduce (a functional-programming style)."""
import functools

import numpy as np

AUTOGRAD = True


def dense(params, x, activation=np.tanh):
    W, b = params
    return activation(x @ W + b)


def identity(x):
    return x


def compose_forward(layer_fns, params, x):
    return functools.reduce(lambda h, fp: fp[0](fp[1], h), zip(layer_fns, params), x)


def loss_partial(params, x, y):
    hidden = functools.partial(dense, activation=np.tanh)
    out = functools.partial(dense, activation=identity)
    h = hidden(params[0], x)
    h = hidden(params[1], h)
    return np.mean((out(params[2], h) - y) ** 2)


def loss_reduce(params, x, y):
    layer_fns = [functools.partial(dense, activation=np.tanh)] * (len(params) - 1) + [functools.partial(dense, activation=identity)]
    return np.mean((compose_forward(layer_fns, params, x) - y) ** 2)


def loss_map(params, xs, y):
    """Each input of a list goes through the same first layer with map()."""
    feats = list(map(lambda x: dense(params[0], x), xs))
    h = sum(feats) / len(feats)
    return np.mean((dense(params[2], dense(params[1], h), activation=identity) - y) ** 2)


def cases():
    rs = np.random.RandomState(13)
    sizes = [2, 4, 3, 1]
    params = [(0.7 * rs.randn(m, n), 0.1 * rs.randn(n)) for m, n in zip(sizes[:-1], sizes[1:])]
    x, y = rs.randn(5, 2), rs.randn(5, 1)
    xs = [rs.randn(5, 2) for _ in range(3)]
    return [(loss_partial, (params, x, y), 0), (loss_reduce, (params, x, y), 0), (loss_map, (params, xs, y), 0)]
