"""The UFLDL sparse autoencoder cost: reconstruction + weight decay + KL sparsity penalty.

Parameters are one flat theta (W1, W2, b1, b2 unrolled in that order) as in the Stanford UFLDL
tutorial; the data is one example per column; rho_hat is the mean hidden activation.
"""
import numpy as np

AUTOGRAD = {"tied_autoencoder"}  # autograd arrays have no .dot method (W1.dot(data))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sparse_autoencoder_cost(theta, visible_size, hidden_size, lambda_, sparsity_param, beta, data):
    W1 = theta[0:hidden_size * visible_size].reshape(hidden_size, visible_size)
    W2 = theta[hidden_size * visible_size:2 * hidden_size * visible_size].reshape(visible_size, hidden_size)
    b1 = theta[2 * hidden_size * visible_size:2 * hidden_size * visible_size + hidden_size]
    b2 = theta[2 * hidden_size * visible_size + hidden_size:]
    m = data.shape[1]
    z2 = W1.dot(data) + np.tile(b1, (m, 1)).transpose()
    a2 = sigmoid(z2)
    z3 = W2.dot(a2) + np.tile(b2, (m, 1)).transpose()
    h = sigmoid(z3)
    rho_hat = np.sum(a2, axis=1) / m
    rho = np.tile(sparsity_param, hidden_size)
    cost = (np.sum((h - data) ** 2) / (2 * m)
            + (lambda_ / 2) * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
            + beta * np.sum(rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))))
    return cost


def tied_autoencoder(W, b_h, b_v, X, noise_mask):
    """A denoising autoencoder with tied weights (decoder W.T), cross-entropy reconstruction."""
    h = sigmoid((X * noise_mask) @ W + b_h)
    r = sigmoid(h @ W.T + b_v)
    return -np.mean(np.sum(X * np.log(r) + (1 - X) * np.log(1 - r), axis=1))


def cases():
    rs = np.random.RandomState(52)
    visible, hidden, m = 4, 3, 5
    r = np.sqrt(6) / np.sqrt(hidden + visible + 1)
    theta = np.concatenate([rs.uniform(-r, r, 2 * hidden * visible), 0.1 * rs.randn(hidden + visible)])
    data = rs.rand(visible, m) * 0.8 + 0.1
    X = rs.rand(5, 4)
    mask = (rs.rand(5, 4) > 0.3).astype(float)
    return [(sparse_autoencoder_cost, (theta, visible, hidden, 1e-3, 0.1, 3.0, data), 0),
            (tied_autoencoder, (0.4 * rs.randn(4, 3), np.zeros(3), np.zeros(4), X, mask), (0, 1, 2))]
