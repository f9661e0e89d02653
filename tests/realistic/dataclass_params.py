"""Linear-Gaussian state regression with parameters and configuration in dataclasses.

A frozen Config dataclass holds hyperparameters (not differentiated); a Params dataclass holds the
arrays and is what the loss is differentiated with respect to; a method-based variant reads the
parameters through `self`.
"""
from dataclasses import dataclass, field

import numpy as np

AUTOGRAD = False  # autograd cannot differentiate w.r.t. a dataclass


@dataclass(frozen=True)
class Config:
    l2: float = 0.01
    huber_delta: float = 1.0
    use_bias: bool = True


@dataclass
class Params:
    W: np.ndarray
    b: np.ndarray = field(default_factory=lambda: np.zeros(1))


def predict(p: Params, X, cfg: Config):
    out = X @ p.W
    if cfg.use_bias:
        out = out + p.b
    return out


def loss_with_config(W, b, X, y, cfg: Config = Config()):
    """Arrays differentiated directly, configuration read from the dataclass."""
    r = X @ W + (b if cfg.use_bias else 0.0) - y
    a = np.abs(r)
    hub = np.where(a < cfg.huber_delta, 0.5 * r ** 2, cfg.huber_delta * (a - 0.5 * cfg.huber_delta))
    return np.mean(hub) + cfg.l2 * np.sum(W ** 2)


def loss_params(p: Params, X, y, cfg: Config = Config()):
    return np.mean((predict(p, X, cfg) - y) ** 2) + cfg.l2 * np.sum(p.W ** 2)


def cases():
    rs = np.random.RandomState(46)
    X = rs.randn(8, 3)
    y = X @ np.array([[1.0], [0.5], [-1.0]]) + 0.1 * rs.randn(8, 1)
    W, b = 0.3 * rs.randn(3, 1), np.array([0.1])
    return [(loss_with_config, (W, b, X, y), (0, 1)), (loss_params, (Params(W, b), X, y), 0)]
