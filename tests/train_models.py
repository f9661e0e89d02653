"""Small models with hand-derived gradients, to test the training driver without the compiler."""
import numpy as np

from srcgrad.losses import softmax_cross_entropy


def blobs(n=50, d=4, k=3, seed=0, dtype=np.float64):
    """n points in d dimensions around k centres, with their integer labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, size=n)
    centres = rng.normal(scale=3.0, size=(k, d))
    x = centres[y] + rng.normal(size=(n, d))
    return x.astype(dtype), y


def init_params(d=4, k=3, seed=1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {"W": (0.1 * rng.normal(size=(d, k))).astype(dtype), "b": np.zeros(k, dtype)}


def xent_loss(params, x, y):
    return softmax_cross_entropy(x @ params["W"] + params["b"], y)


def xent_value_and_grad(params, x, y):
    """Softmax regression: d loss / d logits = (softmax(z) - onehot(y)) / n."""
    z = x @ params["W"] + params["b"]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    d = p.copy()
    d[np.arange(n), y] -= 1.0
    d /= n
    return loss, {"W": x.T @ d, "b": d.sum(axis=0)}


def accuracy_metric(params, x, y):
    return float(np.mean(np.argmax(x @ params["W"] + params["b"], axis=1) == y))
