"""Adjoint helpers for order statistics: np.sort, np.median / np.percentile / np.quantile, np.interp.

Convention: elements that tie share their adjoint evenly, as max and min do (the average of the
one-sided derivatives, an element of the generalized gradient). `sort_adjoint` and `sort_forth`
are each other's transposes and linear in their first argument; the `quantile_weights` and
`interp_segment` plans are piecewise constant (no derivative): the templates build the
derivatives from them with differentiable NumPy, so generated code can be differentiated again.
"""
from typing import NamedTuple

import numpy as np

from srcgrad.errors import NotDifferentiableError
from srcgrad.runtime.broadcast import _positive_axes


def _float_dtype(x) -> np.dtype:
    dtype = np.result_type(x)
    return dtype if dtype.kind in "fc" else np.dtype(np.float64)


# ---- ties ------------------------------------------------------------------------------------


def _tie_mean(v: np.ndarray, s: np.ndarray) -> np.ndarray:
    """`v` averaged over runs of equal values of `s` along the last axis (s sorted along it)."""
    if s.shape[-1] < 2:
        return v
    new = np.concatenate([np.ones(s.shape[:-1] + (1,), bool), s[..., 1:] != s[..., :-1]], axis=-1)
    if new.all():
        return v
    runs = np.cumsum(new, axis=-1) - 1 + s.shape[-1] * np.arange(int(np.prod(s.shape[:-1]))).reshape(
        s.shape[:-1] + (1,))  # a run id unique over all rows
    sums = np.bincount(runs.ravel(), weights=v.ravel())
    counts = np.bincount(runs.ravel())
    return (sums / np.maximum(counts, 1))[runs].astype(v.dtype, copy=False)


# ---- np.sort ---------------------------------------------------------------------------------


def _sorting(a, y, axis):
    """a and its sorted values y with the sorted axis last, and the stable permutation that sorts a."""
    a = np.asarray(a)
    if axis is None:
        a, axis = a.ravel(), -1
    a_last, y_last = np.moveaxis(a, axis, -1), np.moveaxis(np.asarray(y), axis, -1)
    return a_last, y_last, np.argsort(a_last, axis=-1, kind="stable"), axis


def sort_adjoint(g, a, y, axis):
    """Adjoint of `y = np.sort(a, axis)`: g sent back through the permutation, shared within ties."""
    a_last, y_last, perm, ax = _sorting(a, y, axis)
    g_last = np.moveaxis(np.broadcast_to(g, np.shape(y)), ax, -1)
    out = np.zeros(a_last.shape, np.result_type(_float_dtype(a), _float_dtype(g)))
    np.put_along_axis(out, perm, _tie_mean(np.asarray(g_last, out.dtype), y_last), axis=-1)
    return np.reshape(np.moveaxis(out, -1, ax), np.shape(a))


def sort_forth(t, a, y, axis):
    """The tangent of np.sort, and sort_adjoint's transpose: t gathered in sorted order, ties averaged."""
    a_last, y_last, perm, ax = _sorting(a, y, axis)
    t_last = np.moveaxis(np.reshape(np.broadcast_to(t, np.shape(a)), a_last.shape if axis is None else np.shape(a)),
                         ax, -1)
    gathered = np.take_along_axis(np.asarray(t_last, np.result_type(_float_dtype(a), _float_dtype(t))), perm, -1)
    return np.reshape(np.moveaxis(_tie_mean(gathered, y_last), -1, ax), np.shape(y))


# ---- np.median, np.percentile, np.quantile -------------------------------------------------------
# A quantile is y = sum(W * a) over the reduced axes with W = low + f * step: `low` and `step`
# weigh the sorted neighbours s[lo], s[lo + 1] (mapped back through the sort), and the fraction
# f = q * slope + offset moves with q for method='linear' (slope = (n - 1) * scale, scale 1/100
# for percentiles). Hence d[a] = sum over q's axes of g * W, and d[q] = slope * sum(g * step * a).

_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


class QuantilePlan(NamedTuple):
    low: np.ndarray  # q.shape + a.shape
    step: np.ndarray | float  # q.shape + a.shape, 0.0 unless method='linear'
    slope: float  # d f / d q
    offset: np.ndarray  # f - q * slope, shaped q_shape
    g_shape: tuple  # the output's adjoint, reshaped to broadcast against a (q.shape + a.shape, 1 on reduced axes)
    q_shape: tuple  # q.shape + ones for a's axes
    q_axes: tuple  # the leading axes of q
    a_axes: tuple  # the trailing axes of a
    reduced: tuple  # the trailing axes the quantile reduces


def _one_hot(index: np.ndarray, n: int) -> np.ndarray:
    return (index[..., None] == np.arange(n)).astype(np.float64)


def quantile_weights(a, q, axis, method, scale, weights=None, interpolation=None) -> QuantilePlan:
    """The weights of the input elements in np.quantile(a, q * scale, axis, method=method) (see above)."""
    if interpolation is not None:
        method = interpolation
    if weights is not None or method not in _METHODS:
        raise NotDifferentiableError(
            f"srcgrad differentiates quantiles with method in {_METHODS} and no weights, not method={method!r}"
            + (" with weights" if weights is not None else ""),
            hint="Use method='linear' (the default) or one of the others listed.")
    a = np.asarray(a)
    q = np.asarray(q, dtype=np.float64) * scale
    axes = tuple(range(a.ndim)) if axis is None else _positive_axes(axis, a.ndim)
    rest = [i for i in range(a.ndim) if i not in axes]
    moved = np.transpose(a, rest + list(axes))
    flat = moved.reshape(moved.shape[: len(rest)] + (-1,))  # rest + (n,)
    n = flat.shape[-1]
    perm = np.argsort(flat, axis=-1, kind="stable")
    s = np.take_along_axis(flat, perm, -1)
    v = (n - 1) * q
    if method == "linear":
        # the segment [lo, lo + 1] holding v (the last one at q = 1); f = v - lo
        lo = np.clip(np.floor(v), 0, max(n - 2, 0)).astype(np.intp)
        low, step = _one_hot(lo, n), _one_hot(np.minimum(lo + 1, n - 1), n) - _one_hot(lo, n)
        slope, offset = (n - 1) * scale, -lo.astype(np.float64)
    else:
        lower, upper = np.floor(v).astype(np.intp), np.ceil(v).astype(np.intp)
        if method == "lower":
            low = _one_hot(lower, n)
        elif method == "higher":
            low = _one_hot(upper, n)
        elif method == "nearest":
            low = _one_hot(np.around(v).astype(np.intp), n)
        else:  # midpoint: the mean of the two neighbours, or the element itself at an integer position
            low = np.where((lower == upper)[..., None], _one_hot(lower, n),
                           0.5 * (_one_hot(lower, n) + _one_hot(upper, n)))
        step, slope, offset = 0.0, 0.0, np.zeros(q.shape)
    # (q..., n) weights on sorted positions -> (q..., rest..., n), shared within ties, back through the sort
    lead = (slice(None),) * q.ndim + (None,) * len(rest)

    def unsort(w_sorted: np.ndarray) -> np.ndarray:
        w = np.broadcast_to(w_sorted[lead], q.shape + flat.shape)
        w = _tie_mean(np.array(w), np.broadcast_to(s, w.shape))
        out = np.zeros(w.shape)
        np.put_along_axis(out, np.broadcast_to(perm, w.shape), w, axis=-1)
        out = out.reshape(q.shape + moved.shape)
        return np.transpose(out, tuple(range(q.ndim)) + tuple(q.ndim + i for i in np.argsort(rest + list(axes))))

    g_shape = q.shape + tuple(1 if i in axes else a.shape[i] for i in range(a.ndim))
    q_shape = q.shape + (1,) * a.ndim
    return QuantilePlan(unsort(low), unsort(step) if method == "linear" else 0.0, slope,
                        np.reshape(offset, q_shape), g_shape, q_shape, tuple(range(q.ndim)),
                        tuple(range(q.ndim, q.ndim + a.ndim)), tuple(q.ndim + i for i in axes))


# ---- np.interp -------------------------------------------------------------------------------


class InterpSegment(NamedTuple):
    """Which piece of np.interp's broken line each x falls on."""

    index: np.ndarray  # j: x in [xp[j], xp[j + 1]] (the segment on the right at a knot, the last at xp[-1])
    inside: np.ndarray  # xp[0] <= x <= xp[-1]
    below: np.ndarray  # x < xp[0]: the result is `left` ...
    above: np.ndarray  # x > xp[-1]: ... or `right`
    first: np.ndarray  # below, where left is None: the result is fp[0]
    last: np.ndarray  # above, where right is None: the result is fp[-1]


def interp_segment(x, xp, left=None, right=None, period=None) -> InterpSegment:
    if period is not None:
        raise NotDifferentiableError("srcgrad does not differentiate np.interp(..., period=...)",
                                     hint="Reduce x modulo the period and extend xp, fp by one period yourself.")
    xp = np.asarray(xp)
    if xp.ndim != 1 or xp.size < 2:
        raise NotDifferentiableError("srcgrad differentiates np.interp with at least two points xp")
    x = np.asarray(x)
    index = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, xp.size - 2)
    below, above = x < xp[0], x > xp[-1]
    inside = ~(below | above)
    return InterpSegment(index, inside, below, above, below & (left is None), above & (right is None))
