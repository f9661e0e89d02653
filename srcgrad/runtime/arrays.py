"""Adjoint helpers for the NumPy rule table that need more than one line of NumPy.

Each takes the incoming adjoint `g` first, then the primal values the rule needs, and
returns the adjoint of one argument (or a list of adjoints for functions of array lists).
"""
import warnings

import numpy as np

from srcgrad.runtime.broadcast import _positive_axes, unbroadcast
from srcgrad.runtime.linalg import matmul_adjoint_left, matmul_adjoint_right
from srcgrad.runtime.structure import Parts

# ---- elementwise -----------------------------------------------------------------------------



def sinc_derivative(x, y):
    """d sinc(x) / dx = (cos(pi x) - sinc(x)) / x, which is 0 at x = 0."""
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 0.0, (np.cos(np.pi * x) - y) / safe)


def balanced_eq(x, z, other):
    """1 where `x` produced `z`, 0.5 where `x` and `other` tie: ties split the adjoint evenly."""
    return (x == z) / (1.0 + (other == z))


def inside_clip(a, a_min, a_max):
    """1 where clip passed `a` through (broadcast against the bounds), 0 where a bound replaced it."""
    mask = np.ones(np.shape(a), dtype=bool)
    if a_min is not None:
        mask = mask & (a >= a_min)
    if a_max is not None:
        mask = mask & (a <= a_max)
    return mask


def below(a, a_min):
    return a < a_min


def above(a, a_max):
    return a > a_max


# ---- reductions ------------------------------------------------------------------------------


def count(a, axis, where=True, keepdims=False):
    """How many elements each output of a reduction over `axis` summarizes (those `where` selects): the divisor of
    a mean's (and var's, std's) adjoint. Over no elements it is nan, with the RuntimeWarning NumPy gives for the
    mean itself, so the gradient is nan as the value is (dividing by the Python int 0 raised ZeroDivisionError)."""
    if where is not True:
        return np.sum(np.broadcast_to(where, np.shape(a)), axis=axis, keepdims=keepdims)
    if axis is None:
        n = np.size(a)
    else:
        shape = np.shape(a)
        n = int(np.prod([shape[ax] for ax in _positive_axes(axis, len(shape))]))
    if n == 0:
        warnings.warn("Mean of empty slice: its gradient is nan", RuntimeWarning, stacklevel=2)
        return float("nan")
    return n


def masked(g, where):
    """The adjoint of a reduction's input with `where=`: g where the reduction read, 0 elsewhere."""
    return g if where is True else np.where(where, g, 0.0)


def _expand(y, a, axis, keepdims):
    if axis is not None and not keepdims and np.ndim(a):
        return np.expand_dims(y, _positive_axes(axis, np.ndim(a)))
    return y


def select_adjoint(g, a, y, axis, keepdims):
    """Adjoint of max/min: to the elements equal to the extreme, split evenly between ties."""
    mask = a == _expand(y, a, axis, keepdims)
    share = mask / np.sum(mask, axis=axis, keepdims=True)
    return share * _expand(g, a, axis, keepdims)


def prod_adjoint(g, a, y, axis, keepdims):
    """Adjoint of prod: the product of all the other elements, exact even when some are zero."""
    a = np.asarray(a)
    if np.all(a != 0):
        return _expand(g, a, axis, keepdims) * _expand(y, a, axis, keepdims) / a
    axes = tuple(range(a.ndim)) if axis is None else _positive_axes(axis, a.ndim)
    rest = [ax for ax in range(a.ndim) if ax not in axes]
    moved = np.transpose(a, rest + list(axes))
    flat = moved.reshape(moved.shape[: len(rest)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=flat.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], axis=-1), axis=-1), -1)
    others = (left * right).reshape(moved.shape)
    others = np.transpose(others, np.argsort(rest + list(axes)))
    return _expand(g, a, axis, keepdims) * others


def cumsum_adjoint(g, a, axis):
    if axis is None:
        flat = np.ravel(g)
        return np.reshape(np.flip(np.cumsum(np.flip(flat))), np.shape(a))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def trace_adjoint(g, a, offset, axis1, axis2):
    shape = np.shape(a)
    eye = np.eye(shape[axis1], shape[axis2], k=offset)
    full = np.asarray(g)[..., None, None] * eye
    return np.moveaxis(full, (-2, -1), (axis1 % len(shape), axis2 % len(shape)))


# ---- products --------------------------------------------------------------------------------


def dot_adjoint_left(g, a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a) if np.ndim(a) == 0 else g * b
    if np.ndim(b) <= 2:
        return matmul_adjoint_left(g, a, b)
    n_a, n_b = np.ndim(a) - 1, np.ndim(b) - 2
    return np.tensordot(g, b, axes=(list(range(n_a, n_a + n_b + 1)), list(range(n_b)) + [n_b + 1]))


def dot_adjoint_right(g, a, b):
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b) if np.ndim(b) == 0 else g * a
    if np.ndim(b) <= 2:
        return matmul_adjoint_right(g, a, b)
    n_a, n_b = np.ndim(a) - 1, np.ndim(b) - 2
    return np.moveaxis(np.tensordot(a, g, axes=(list(range(n_a)), list(range(n_a)))), 0, n_b)


def _einsum_spec(subscripts: str, n_operands: int) -> tuple[list[str], str]:
    spec = subscripts.replace(" ", "")
    if "." in spec:
        raise NotImplementedError("srcgrad's einsum rule does not support '...' yet")
    inputs, _, output = spec.partition("->")
    ins = inputs.split(",")
    if len(ins) != n_operands:
        raise ValueError(f"einsum: {subscripts!r} names {len(ins)} operands, got {n_operands}")
    if not _:
        letters = "".join(ins)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return ins, output


def einsum_adjoints(g, subscripts, operands):
    """Adjoints of every operand of an einsum: the contraction of g with all the other operands."""
    ins, output = _einsum_spec(subscripts, len(operands))
    grads = []
    for i, (spec, x) in enumerate(zip(ins, operands)):
        if len(set(spec)) != len(spec):
            raise NotImplementedError("srcgrad's einsum rule does not support repeated indices in one operand")
        others = [s for j, s in enumerate(ins) if j != i]
        present = set(output).union(*others) if others else set(output)
        kept = "".join(c for c in spec if c in present)
        terms = [output] + others
        grad = np.einsum(",".join(terms) + "->" + kept, g, *(o for j, o in enumerate(operands) if j != i))
        if kept != spec:
            shape = np.shape(x)
            grad = np.expand_dims(grad, [k for k, c in enumerate(spec) if c not in present])
            grad = np.broadcast_to(grad, shape)
        grads.append(grad)
    return Parts(grads)


# ---- shapes ----------------------------------------------------------------------------------


def inverse_axes(axes, a):
    """The permutation that undoes `np.transpose(a, axes)` (negative axes allowed)."""
    if axes is None:
        return None
    return tuple(np.argsort([ax % np.ndim(a) for ax in axes]))


def split_like(g, arrays, axis):
    if axis is None:
        sizes = [np.size(x) for x in arrays]
        parts = np.split(np.ravel(g), np.cumsum(sizes)[:-1])
        return Parts(np.reshape(p, np.shape(x)) for p, x in zip(parts, arrays, strict=True))
    sizes = [np.shape(x)[axis] for x in arrays]
    return np.split(g, np.cumsum(sizes)[:-1], axis)


def unstack(g, arrays, axis):
    return Parts(np.moveaxis(g, axis, 0))


def unhstack(g, tup):
    if all(np.ndim(x) <= 1 for x in tup):
        sizes = [max(np.size(x), 1) for x in tup]
        return Parts(np.reshape(p, np.shape(x)) for p, x in zip(np.split(g, np.cumsum(sizes)[:-1]), tup, strict=True))
    return split_like(g, tup, 1)


def unvstack(g, tup):
    rows = [np.shape(np.atleast_2d(x))[0] for x in tup]
    return Parts(np.reshape(p, np.shape(x)) for p, x in zip(np.split(g, np.cumsum(rows)[:-1]), tup, strict=True))


def untile(g, A, reps):
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    shape = np.shape(A)
    n = max(len(reps), len(shape))
    base = (1,) * (n - len(shape)) + shape
    reps = (1,) * (n - len(reps)) + reps
    interleaved = [v for pair in zip(reps, base) for v in pair]
    summed = np.reshape(g, interleaved).sum(axis=tuple(range(0, 2 * n, 2)))
    return np.reshape(summed, shape)


def _add_at_axis(shape, axis, index, g, dtype):
    """Scatter-add `g`, taken from axis `axis` of an array of `shape` at `index`, back into zeros."""
    out = np.zeros(shape, dtype=dtype)
    k = np.ndim(index)
    # g has shape[:axis] + index.shape + shape[axis + 1:]; add.at wants the index axes first
    g_moved = np.moveaxis(g, list(range(axis, axis + k)), list(range(k)))
    np.add.at(np.moveaxis(out, axis, 0), index, g_moved)
    return out


def _float(x) -> np.dtype:
    dt = np.result_type(x)
    return dt if np.issubdtype(dt, np.inexact) else np.dtype(np.float64)


def unrepeat(g, a, repeats, axis):
    if axis is None:
        n = np.size(a)
        index = np.repeat(np.arange(n), repeats)
        out = np.zeros(n, dtype=_float(a))
        np.add.at(out, index, np.ravel(g))
        return np.reshape(out, np.shape(a))
    axis = axis % np.ndim(a)
    index = np.repeat(np.arange(np.shape(a)[axis]), repeats)
    return _add_at_axis(np.shape(a), axis, index, g, _float(a))


def untake(g, a, indices, axis):
    if axis is None:
        out = np.zeros(np.size(a), dtype=_float(a))
        np.add.at(out, np.ravel(indices) if np.ndim(indices) else indices, np.ravel(g) if np.ndim(indices) else g)
        return np.reshape(out, np.shape(a))
    return _add_at_axis(np.shape(a), axis % np.ndim(a), np.asarray(indices), g, _float(a))


def undiag(g, v, k):
    if np.ndim(v) == 1:
        return np.diagonal(g, k).copy()
    out = np.zeros(np.shape(v), dtype=_float(v))
    n = len(g)
    rows = np.arange(n) + max(-k, 0)
    cols = np.arange(n) + max(k, 0)
    out[rows, cols] = g
    return out


def item_index(a, args):
    """The index `a.item(*args)` reads: a flat position or one index per axis."""
    if len(args) == 1 and np.ndim(args[0]) == 0:
        return np.unravel_index(args[0], np.shape(a))
    return args[0] if len(args) == 1 else tuple(args)


def cast_like(g, a):
    if isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.inexact):
        return np.asarray(g, dtype=a.dtype)
    return g


# ---- linear algebra --------------------------------------------------------------------------


def norm_adjoint(g, x, y, ord, axis, keepdims):
    """Adjoint of np.linalg.norm for vector p-norms and the Frobenius / nuclear / spectral matrix norms."""
    x = np.asarray(x)
    matrix = (axis is None and x.ndim == 2 and ord is not None) or (isinstance(axis, tuple) and len(axis) == 2)
    g_e = _expand(g, x, axis, keepdims)
    y_e = _expand(y, x, axis, keepdims)
    if matrix and ord in ("nuc", 2, -2):
        ax = (0, 1) if axis is None else axis
        xm = np.moveaxis(x, ax, (-2, -1))
        u, s, vt = np.linalg.svd(xm, full_matrices=False)
        if ord == "nuc":
            grad = u @ vt
        else:
            i = 0 if ord == 2 else -1
            grad = u[..., :, i : i + 1 if i != -1 else None] @ vt[..., i : i + 1 if i != -1 else None, :]
        gm = np.moveaxis(np.broadcast_to(g_e, x.shape), ax, (-2, -1))
        return np.moveaxis(gm * grad, (-2, -1), ax)
    if matrix and ord in (1, -1, np.inf, -np.inf):
        # max (min) over columns of the column sums of |x| (ord 1), over rows of the row sums (ord inf)
        rows, cols = _positive_axes((0, 1) if axis is None else axis, x.ndim)
        rows, cols = ((rows, cols) if axis is None or axis[0] % x.ndim == rows else (cols, rows))
        summed, other = (rows, cols) if ord in (1, -1) else (cols, rows)
        mask = np.sum(np.abs(x), axis=summed, keepdims=True) == (y_e if np.ndim(y_e) == x.ndim
                                                                   else np.reshape(y_e, np.shape(y_e) + (1, 1)))
        return g_e * np.sign(x) * mask / np.sum(mask, axis=other, keepdims=True)
    if ord in (None, 2, "fro"):
        return g_e * x / np.where(y_e == 0, 1.0, y_e)
    if ord == 1:
        return g_e * np.sign(x)
    if ord in (np.inf, -np.inf):
        mag = np.abs(x)
        mask = mag == y_e
        return g_e * np.sign(x) * mask / np.sum(mask, axis=axis, keepdims=True)
    if ord == 0:
        return np.zeros_like(x, dtype=_float(x))
    p = float(ord)
    return g_e * np.sign(x) * np.abs(x) ** (p - 1) / np.where(y_e == 0, 1.0, y_e) ** (p - 1)


def item_or_zero(g, i):
    if isinstance(g, dict):
        return np.asarray(g.get(i, 0.0))
    if isinstance(g, list | tuple):
        return np.asarray(g[i])
    return np.asarray(0.0)


def solve_adjoint_b(g, a, b):
    if np.ndim(b) == 1 or (np.ndim(b) == np.ndim(a) - 1):
        return np.linalg.solve(np.swapaxes(a, -1, -2), g[..., None])[..., 0]
    return np.linalg.solve(np.swapaxes(a, -1, -2), g)


def solve_adjoint_a(g, a, b, y):
    gb = solve_adjoint_b(g, a, b)
    if np.ndim(b) == 1 or (np.ndim(b) == np.ndim(a) - 1):
        return -gb[..., :, None] * y[..., None, :]
    return -gb @ np.swapaxes(y, -1, -2)


__all__ = [name for name in dir() if not name.startswith("_") and name != "np"]
