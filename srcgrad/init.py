"""Weight initializers: `init(shape, rng, dtype)` with `rng` a seed or a `np.random.Generator`.

Shapes follow the `x @ W` convention: a dense weight is (fan_in, fan_out); for a kernel
(..., in, out) the leading axes are the receptive field, as in Keras.

>>> W = he_uniform((64, 32), rng=0)
>>> W.shape, W.dtype, bool(abs(W).max() <= (6 / 64) ** 0.5)
((64, 32), dtype('float64'), True)
"""
import math

import numpy as np
from numpy.typing import DTypeLike

Rng = int | np.random.Generator | None


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def he_uniform(shape: tuple[int, ...], rng: Rng = None, dtype: DTypeLike = np.float64) -> np.ndarray:
    """U(-a, a) with a = sqrt(6 / fan_in): for ReLU layers (He et al., 2015)."""
    limit = math.sqrt(6.0 / fans(shape)[0])
    return np.random.default_rng(rng).uniform(-limit, limit, size=shape).astype(dtype)


def he_normal(shape: tuple[int, ...], rng: Rng = None, dtype: DTypeLike = np.float64) -> np.ndarray:
    """N(0, 2 / fan_in), as torch.nn.init.kaiming_normal_ (not truncated)."""
    std = math.sqrt(2.0 / fans(shape)[0])
    return np.random.default_rng(rng).normal(0.0, std, size=shape).astype(dtype)


def glorot_uniform(shape: tuple[int, ...], rng: Rng = None, dtype: DTypeLike = np.float64) -> np.ndarray:
    """U(-a, a) with a = sqrt(6 / (fan_in + fan_out)): for tanh/sigmoid layers (Glorot & Bengio, 2010)."""
    fan_in, fan_out = fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return np.random.default_rng(rng).uniform(-limit, limit, size=shape).astype(dtype)


def zeros(shape: tuple[int, ...], rng: Rng = None, dtype: DTypeLike = np.float64) -> np.ndarray:
    """All zeros (for biases); `rng` is accepted so all initializers share one signature."""
    return np.zeros(shape, dtype=dtype)
