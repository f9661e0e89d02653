"""An MLP whose weights live in one flat vector (for scipy.optimize.minimize), unpacked by a generator.

unflatten() is a generator yielding (W, b) slices reshaped to the layer shapes, the pattern of
autograd's `flatten` helpers and many L-BFGS training scripts.
"""
import numpy as np

AUTOGRAD = True


def layer_shapes(sizes):
    return list(zip(sizes[:-1], sizes[1:]))


def unflatten(theta, sizes):
    start = 0
    for m, n in layer_shapes(sizes):
        W = theta[start:start + m * n].reshape(m, n)
        start += m * n
        b = theta[start:start + n]
        start += n
        yield W, b


def num_params(sizes):
    return sum((m + 1) * n for m, n in layer_shapes(sizes))


def objective(theta, X, y, sizes=(2, 4, 1), l2=1e-3):
    h = X
    layers = list(unflatten(theta, sizes))
    for W, b in layers[:-1]:
        h = np.tanh(h @ W + b)
    W, b = layers[-1]
    pred = (h @ W + b).ravel()
    return np.mean((pred - y) ** 2) + l2 * np.sum(theta ** 2)


def objective_explicit(theta, X, y, n_in=2, n_hidden=4):
    """The same net unpacked by hand with running offsets, the usual alternative."""
    i = 0
    W1 = theta[i:i + n_in * n_hidden].reshape((n_in, n_hidden)); i += n_in * n_hidden
    b1 = theta[i:i + n_hidden]; i += n_hidden
    W2 = theta[i:i + n_hidden].reshape((n_hidden, 1)); i += n_hidden
    b2 = theta[i]
    pred = np.tanh(X @ W1 + b1) @ W2 + b2
    return np.mean((pred[:, 0] - y) ** 2)


def cases():
    rs = np.random.RandomState(44)
    sizes = (2, 4, 1)
    theta = 0.5 * rs.randn(num_params(sizes))
    X = rs.randn(6, 2)
    y = np.sin(X[:, 0]) + X[:, 1]
    return [(objective, (theta, X, y), 0), (objective_explicit, (theta, X, y), 0)]
