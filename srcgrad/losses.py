"""Loss functions and metrics, written as straight-line NumPy so srcgrad can differentiate them.

A user's loss may call these (`from srcgrad.losses import softmax_cross_entropy`); srcgrad
then differentiates them from this source. Each loss is the mean over the first (batch) axis.

>>> import numpy as np
>>> float(softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))) == float(np.log(4))
True
"""
import numpy as np


def mse(pred: np.ndarray, target: np.ndarray) -> np.floating:
    """Mean squared error `mean((pred - target)**2)`."""
    diff = pred - target
    return np.mean(diff * diff)


def binary_cross_entropy_with_logits(logits: np.ndarray, targets: np.ndarray) -> np.floating:
    """Mean binary cross-entropy of targets in [0, 1] given logits, without overflow.

    Uses `max(z, 0) - z*y + log(1 + exp(-|z|))`, equal to `-y log s(z) - (1-y) log(1 - s(z))`.
    """
    abs_z = np.maximum(logits, -logits)
    return np.mean(np.maximum(logits, 0.0) - logits * targets + np.log(1.0 + np.exp(-abs_z)))


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Log-probabilities along axis 1, stable via log-sum-exp."""
    m = np.max(logits, axis=1, keepdims=True)
    shifted = logits - m
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> np.floating:
    """Mean cross-entropy of integer class `labels` (shape (n,)) given `logits` (shape (n, classes))."""
    m = np.max(logits, axis=1, keepdims=True)
    shifted = logits - m
    lse = np.log(np.sum(np.exp(shifted), axis=1))
    picked = shifted[np.arange(len(labels)), labels]
    return np.mean(lse - picked)


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of rows whose largest logit is at the label (a metric, not differentiable)."""
    return float(np.mean(np.argmax(logits, axis=1) == labels))
