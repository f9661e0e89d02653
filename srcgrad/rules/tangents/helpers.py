"""What generated forward-mode code calls by name: zeros of any structure, broadcasting, and the
tangents of reductions that need more than one line of NumPy.

Invariant: a tangent has its primal's structure and shape (a float for a float, an array of
the same shape for an array, the same dict/list/tuple/named tuple/dataclass for a container).
"""
import numpy as np

from srcgrad.runtime import records
from srcgrad.runtime.arrays import norm_adjoint, prod_adjoint, select_adjoint
from srcgrad.runtime.structure import Grads, as_sequence, field_index


def _float_dtype(x) -> np.dtype:
    dtype = np.result_type(x)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def zeros_tangent(x):
    """The zero tangent of a value: 0.0, a float array of x's shape, or the same container of zeros.

    >>> zeros_tangent({"W": np.ones(2), "n": [1.5, (2.0,)]})
    {'W': array([0., 0.]), 'n': [0.0, (0.0,)]}
    """
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, _float_dtype(x))
    if isinstance(x, np.generic):
        return _float_dtype(x).type(0)
    if isinstance(x, Grads):  # the sparse adjoint of a container (forward over reverse)
        return Grads({k: zeros_tangent(v) for k, v in x.items()})
    if isinstance(x, dict):
        return {k: zeros_tangent(v) for k, v in x.items()}
    if isinstance(x, list):
        return [zeros_tangent(v) for v in x]
    if records.is_record(x):
        return records.rebuild(x, [zeros_tangent(v) for _, _, v in records.items(x)])
    if isinstance(x, tuple):
        return tuple(zeros_tangent(v) for v in x)
    if x is None or isinstance(x, str):
        return None
    return 0.0


def field_tangent(t, x, field: str, origin=None):
    """The tangent of `x.field` (a named tuple's or dataclass's field), given the tangent `t` of x: a record of
    x's type, a tuple or a sparse dict by position (named tuples), or a plain zero."""
    key = field_index(x, field, origin)  # refuses attributes that are no fields, with the reason
    if records.is_record(t):
        return getattr(t, field)
    if isinstance(t, dict):
        return t[key] if key in t else zeros_tangent(getattr(x, field))
    if isinstance(t, list | tuple) and isinstance(key, int):
        return t[key]
    return zeros_tangent(getattr(x, field))


def broadcast_like(t, y):
    """The tangent `t` with the shape of the result `y` (a term whose partner was broadcast dropped out)."""
    if np.shape(t) == np.shape(y):
        return t
    return np.broadcast_to(t, np.shape(y))


def own_tangent(t, x):
    """A fresh, writable copy of the tangent `t` of `x`, before `x[i] = v` writes into it."""
    if isinstance(x, np.ndarray):
        return np.array(np.broadcast_to(t, x.shape), dtype=np.result_type(t, _float_dtype(x)))
    if isinstance(x, dict):
        return Grads(t) if isinstance(x, Grads) else dict(t)
    if isinstance(x, list):
        return list(t)
    return t


def in_place_tangent(t, y):
    """The tangent of `in_place(new, old)` = y (`old op= e` on an array): t in y's dtype."""
    if isinstance(y, np.ndarray) and isinstance(t, np.ndarray) and t.dtype != y.dtype and t.shape == y.shape:
        return t.astype(y.dtype)
    return t


def sequence_tangent(t, y):
    """The tangent of `as_sequence(iterable)` = y: t itself, or zeros when t is a plain zero (a range
    saved on a tape by generated gradient code, whose tangent is the number 0)."""
    if isinstance(t, list | tuple | np.ndarray):
        return as_sequence(t)
    return [zeros_tangent(v) for v in y]


def dict_part_tangent(t, d, part: int):
    """The tangent of `d.values()` (part 1) or `d.items()` (part 2), as a list in d's order: zeros for keys
    whose tangent is a plain zero."""
    entries = t if isinstance(t, dict) else {}
    values = [entries[k] if k in entries else zeros_tangent(v) for k, v in d.items()]
    return values if part == 1 else [(0.0, v) for v in values]


def list_tangent(t, y):
    """The tangent of `list(x)` or `tuple(x)` = y: t's items in y's type, or zeros when t is a plain zero."""
    if isinstance(t, list | tuple | np.ndarray):
        return type(y)(t)
    return type(y)(zeros_tangent(v) for v in y)


def lazy_zero(x):
    """A zero tangent of `x` that holds no data: a zero-stride array for an array (values saved on a tape)."""
    if type(x) is np.ndarray and x.ndim:
        base = np.zeros(1, _float_dtype(x))
        return np.ndarray(x.shape, base.dtype, base, 0, (0,) * x.ndim)
    if type(x) is tuple:
        return tuple(lazy_zero(v) for v in x)
    return zeros_tangent(x)


def cast_tangent(t, y):
    """The tangent `t` in the kind and floating dtype of the result `y` (np.float32(x), x.astype(...), np.array(...))."""
    if isinstance(y, np.ndarray):
        return np.array(np.broadcast_to(np.asarray(t, dtype=_float_dtype(y)), y.shape))
    if isinstance(y, np.generic):
        return _float_dtype(y).type(np.reshape(t, ()) if np.ndim(t) else t)
    if isinstance(y, float):
        return float(np.reshape(t, ())) if np.ndim(t) else float(t)
    return t


def reduce_tangent(t, weights, axis, keepdims):
    """sum(t * weights) over the reduced axes: the tangent of a reduction whose adjoint of ones is `weights`."""
    return np.sum(t * weights, axis=axis, keepdims=keepdims)


def prod_tangent(t, a, y, axis, keepdims):
    return reduce_tangent(t, prod_adjoint(np.ones_like(y, dtype=_float_dtype(y)), a, y, axis, keepdims), axis, keepdims)


def select_tangent(t, a, y, axis, keepdims):
    """Tangent of max/min: the tangent at the extreme element (the mean over ties)."""
    return reduce_tangent(t, select_adjoint(np.ones_like(y, dtype=_float_dtype(y)), a, y, axis, keepdims), axis,
                          keepdims)


def norm_tangent(t, x, y, ord, axis, keepdims):
    weights = norm_adjoint(np.ones_like(y, dtype=_float_dtype(y)), x, y, ord, axis, keepdims)
    return reduce_tangent(t, weights, axis, keepdims)


def einsum_tangent(subscripts, operands, tangents):
    """Sum over operands of the einsum with that operand replaced by its tangent (einsum is multilinear)."""
    total = 0.0
    for i, t in enumerate(tangents):
        if t is None:
            continue
        parts = list(operands)
        parts[i] = t
        total = total + np.einsum(subscripts, *parts)
    return total


def item_tangent(t, args):
    """Tangent of `x.item(*args)`."""
    return np.asarray(t).item(*args)


def complete_tangent(t, y):
    """The tangent of the function's output, in the output's structure, shape and floating dtype."""
    if isinstance(y, dict):
        return {k: complete_tangent(t[k], v) for k, v in y.items()}
    if records.is_record(y):
        if records.is_record(t):
            return records.rebuild(y, [complete_tangent(getattr(t, name), v) for _, name, v in records.items(y)])
        return records.rebuild(y, [complete_tangent(t[key], v) for key, _, v in records.items(y)])
    if isinstance(y, list | tuple):
        return type(y)(complete_tangent(ti, yi) for ti, yi in zip(t, y, strict=True))
    if isinstance(y, np.ndarray):
        t = np.asarray(t, dtype=np.result_type(t, _float_dtype(y)))
        return t if t.shape == y.shape else np.array(np.broadcast_to(t, y.shape))
    if isinstance(y, np.generic):
        return _float_dtype(y).type(np.reshape(t, ()) if np.ndim(t) else t)
    if isinstance(y, float | int) and not isinstance(y, bool):
        return float(np.reshape(t, ())) if np.ndim(t) else float(t)
    return t


def diff_tangent(t, t_prepend, t_append, a, n, axis, prepend, append):
    """Tangent of np.diff(a, n, axis, prepend=..., append=...): the difference of the joined tangents."""
    parts = []
    for value, t_value in ((prepend, t_prepend), (a, t), (append, t_append)):
        if value is None:
            continue
        shape = list(np.shape(a))
        shape[axis % len(shape)] = 1 if np.ndim(value) == 0 else np.shape(value)[axis]
        parts.append(np.broadcast_to(t_value if t_value is not None else 0.0, shape))
    return np.diff(np.concatenate(parts, axis), n, axis)


def dict_tangent(t_source, t_kwargs, y, source, kwargs):
    """Tangent of `dict(source, **kwargs)` = y: each key's tangent from the keyword or source item it came from."""
    positions = {} if isinstance(source, dict) else {pair[0]: i for i, pair in enumerate(source)}  # last pair wins

    def item(container, key):
        if isinstance(container, dict):
            return container.get(key)
        return container[key] if isinstance(container, list | tuple) else None

    out = {}
    for key, value in y.items():
        if key in kwargs:
            t = item(t_kwargs, key)
        elif isinstance(source, dict):
            t = item(t_source, key)
        else:
            t = item(item(t_source, positions[key]), 1)
        out[key] = zeros_tangent(value) if t is None else t
    return out


def lstsq_tangent(t_a, t_b, a, b, y, cutoff):
    """Tangent of np.linalg.lstsq(a, b) = (x, residuals, rank, s): x = pinv(a) b with Golub & Pereyra's
    dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P; the residuals |b - a x|^2 are stationary
    in x, so d res = 2 r^T (db - dA x); ds = diag(U^T dA V)."""
    m, n = np.shape(a)
    P = np.linalg.pinv(a, rcond=cutoff)
    t_a, t_b = np.broadcast_to(t_a, (m, n)), np.reshape(np.broadcast_to(t_b, np.shape(b)), (m, -1))
    dAt = t_a.T
    dP = -P @ t_a @ P + P @ P.T @ dAt @ (np.eye(m) - a @ P) + (np.eye(n) - P @ a) @ dAt @ P.T @ P
    b2, x2 = np.reshape(b, (m, -1)), np.reshape(y[0], (n, -1))
    dx = np.reshape(dP @ b2 + P @ t_b, np.shape(y[0]))
    dres = np.sum(2.0 * (b2 - a @ x2) * (t_b - t_a @ x2), axis=0) if np.size(y[1]) else zeros_tangent(y[1])
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    return dx, dres, zeros_tangent(y[2]), np.sum(u * (t_a @ vh.T), axis=0)
