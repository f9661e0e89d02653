"""Layer normalization and a pre-norm residual MLP block, transformer style.

Parameters are a dataclass per block; the loss runs a few blocks over a sequence of token vectors.
"""
from dataclasses import dataclass

import numpy as np

AUTOGRAD = {"ln_loss"}  # autograd cannot differentiate w.r.t. a dataclass


def layer_norm(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


@dataclass
class BlockParams:
    gamma: np.ndarray
    beta: np.ndarray
    W_in: np.ndarray
    W_out: np.ndarray


def block(p: BlockParams, x):
    h = layer_norm(x, p.gamma, p.beta)
    return x + gelu(h @ p.W_in) @ p.W_out


def ln_loss(gamma, beta, x, target):
    return np.sum((layer_norm(x, gamma, beta) - target) ** 2)


def stack_loss(blocks, x, target):
    for p in blocks:
        x = block(p, x)
    return np.mean((x - target) ** 2)


def cases():
    rs = np.random.RandomState(16)
    T, D, H = 4, 5, 8
    x, target = rs.randn(T, D), rs.randn(T, D)
    blocks = [BlockParams(np.ones(D) + 0.1 * rs.randn(D), 0.1 * rs.randn(D), 0.3 * rs.randn(D, H), 0.3 * rs.randn(H, D))
              for _ in range(2)]
    return [(ln_loss, (np.ones(D) + 0.1 * rs.randn(D), 0.1 * rs.randn(D), x, target), (0, 1)),
            (stack_loss, (blocks, x, target), 0)]
