"""Derivatives of np.cumprod, exact when elements are zero.

With y = cumprod(a) along an axis, y_k = a_k y_(k-1): the tangent is the forward recurrence
dy_k = a_k dy_(k-1) + t_k y_(k-1), and the adjoint d a_i = y_(i-1) S_i with S_i = g_i + a_(i+1) S_(i+1)
(S_i sums g_k times the product of a_(i+1..k)). Both recurrences have closed forms through
cumulative products when no multiplier is zero, and run as loops along the axis when one is.
"""
import numpy as np


def _float_dtype(*xs) -> np.dtype:
    dtype = np.result_type(*xs)
    return dtype if dtype.kind in "fc" else np.dtype(np.float64)


def _forward_scan(b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """D_k = c_k D_(k-1) + b_k along the last axis, D_(-1) = 0 (c_0 is never read)."""
    c = np.concatenate([np.ones_like(c[..., :1]), c[..., 1:]], axis=-1)
    if np.all(c != 0):
        C = np.cumprod(c, axis=-1)
        return C * np.cumsum(b / C, axis=-1)
    out = np.array(b, dtype=np.result_type(b, c))
    for k in range(1, out.shape[-1]):
        out[..., k] += c[..., k] * out[..., k - 1]
    return out


def _reverse_scan(b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """S_i = b_i + c_(i+1) S_(i+1) along the last axis, S_(n-1) = b_(n-1) (c_0 is never read)."""
    c = np.concatenate([np.ones_like(c[..., :1]), c[..., 1:]], axis=-1)
    if np.all(c != 0):
        C = np.cumprod(c, axis=-1)
        return np.flip(np.cumsum(np.flip(b * C, -1), axis=-1), -1) / C
    out = np.array(b, dtype=np.result_type(b, c))
    for i in range(out.shape[-1] - 2, -1, -1):
        out[..., i] += c[..., i + 1] * out[..., i + 1]
    return out


def _before(y: np.ndarray, first: float = 1.0) -> np.ndarray:
    """y_(k-1) along the last axis, with y_(-1) = `first` (1 for y, 0 for its tangent)."""
    return np.concatenate([np.full_like(y[..., :1], first), y[..., :-1]], axis=-1)


def _last(x, shape: tuple, axis) -> np.ndarray:
    """x (broadcast to `shape`) with the scanned axis last (flattened for axis=None)."""
    x = np.broadcast_to(x, shape)
    return np.ravel(x) if axis is None else np.moveaxis(x, axis, -1)


def _back(x: np.ndarray, shape: tuple, axis) -> np.ndarray:
    return np.reshape(x, shape) if axis is None else np.moveaxis(x, -1, axis)


def cumprod_adjoint(g, a, y, axis):
    """Adjoint of `y = np.cumprod(a, axis)`."""
    shape = np.shape(a)
    dtype = _float_dtype(a, g)
    A, Y = _last(a, shape, axis).astype(dtype), _last(y, np.shape(y), axis if axis is not None else 0)
    G = _last(g, np.shape(y), axis if axis is not None else 0).astype(dtype)
    return _back(_before(Y) * _reverse_scan(G, A), shape, axis)


def cumprod_jvp(t, a, y, axis):
    """Tangent of `y = np.cumprod(a, axis)` along `t`; also the transpose of cumprod_adjoint in g."""
    shape = np.shape(a)
    dtype = _float_dtype(a, t)
    A, T = _last(a, shape, axis).astype(dtype), _last(t, shape, axis).astype(dtype)
    Y = _last(y, np.shape(y), axis if axis is not None else 0)
    return _back(_forward_scan(T * _before(Y), A), np.shape(y), axis if axis is not None else 0)


def cumprod_adjoint_dot(g, a, y, t, axis):
    """Tangent of cumprod_adjoint(g, a, cumprod(a)) along `t` in `a`: a second derivative of cumprod."""
    shape = np.shape(a)
    dtype = _float_dtype(a, g, t)
    A, T = _last(a, shape, axis).astype(dtype), _last(t, shape, axis).astype(dtype)
    Y = _last(y, np.shape(y), axis if axis is not None else 0)
    G = _last(g, np.shape(y), axis if axis is not None else 0).astype(dtype)
    S = _reverse_scan(G, A)
    dY = _forward_scan(T * _before(Y), A)
    # dS_i = t_(i+1) S_(i+1) + a_(i+1) dS_(i+1)
    dS = _reverse_scan(np.concatenate([T[..., 1:] * S[..., 1:], np.zeros_like(S[..., :1])], axis=-1), A)
    return _back(_before(dY, 0.0) * S + _before(Y) * dS, shape, axis)
