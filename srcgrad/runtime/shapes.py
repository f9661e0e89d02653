"""Adjoint helpers for NumPy's layout functions: pad, diagonal, diff, kron, tensordot, convolve, average,
take_along_axis, the split family and ufunc.outer.

Every differentiated helper here is linear in its first argument and comes with its transpose
(`pad_adjoint` and `pad_linear`, `pad_values_adjoint` and `pad_values`), so generated code that
calls one can be differentiated again. The `*_layout` helpers only compute axes, shapes and
widths from shapes: their results carry no derivative.
"""
from typing import NamedTuple

import numpy as np

from srcgrad.errors import NotDifferentiableError
from srcgrad.runtime.broadcast import _positive_axes, unbroadcast

# ---- np.pad ----------------------------------------------------------------------------------
# np.pad in the modes below copies input elements (or writes constants): the result is
# L(array) + C(constant_values), with L a gather whose indices come from padding an array of
# flat positions the same way (-1 marking the constants). L's transpose is pad_adjoint, C's
# pad_values_adjoint.

_GATHER_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def _float_dtype(x) -> np.dtype:
    dtype = np.result_type(x)
    return dtype if dtype.kind in "fc" else np.dtype(np.float64)


def _check_pad(mode, kwargs) -> None:
    if callable(mode) or mode not in _GATHER_MODES:
        raise NotDifferentiableError(
            f"srcgrad differentiates np.pad in the modes {', '.join(_GATHER_MODES)}, not mode={mode!r}",
            hint="Use one of those modes, or build the padding with np.concatenate.")
    if kwargs.get("reflect_type", "even") != "even":
        raise NotDifferentiableError(
            "srcgrad differentiates np.pad(..., reflect_type='even') only, not 'odd'",
            hint="Write the odd reflection as 2 * edge - reflected values with np.concatenate.")


def _pad_source(shape: tuple, pad_width, mode: str) -> np.ndarray:
    """For each element of np.pad's result, the flat index of the input element it copies (-1: a constant)."""
    index = np.arange(int(np.prod(shape)), dtype=np.intp).reshape(shape)
    if mode == "constant":
        return np.pad(index, pad_width, "constant", constant_values=-1)
    return np.pad(index, pad_width, mode)


def _pad_before(ndim: int, pad_width) -> tuple[int, ...]:
    """How many elements np.pad puts before the input on each axis (NumPy reads pad_width its own way)."""
    marker = np.pad(np.ones((1,) * ndim, dtype=bool), pad_width)
    return tuple(int(i[0]) for i in np.nonzero(marker))


def pad_adjoint(g, array, pad_width, mode, kwargs):
    """Adjoint of `array` in np.pad: each element collects the adjoints of all its copies."""
    _check_pad(mode, kwargs)
    shape = np.shape(array)
    dtype = _float_dtype(array)
    if mode == "constant":  # the input is one block of the result
        before = _pad_before(len(shape), pad_width)
        inner = tuple(slice(b, b + n) for b, n in zip(before, shape, strict=True))
        return np.full(shape, g, dtype) if np.ndim(g) == 0 else np.array(g[inner], dtype=dtype)
    source = _pad_source(shape, pad_width, mode)
    flat = np.bincount(source.ravel(), weights=np.broadcast_to(g, source.shape).ravel(), minlength=int(np.prod(shape)))
    return flat.astype(dtype, copy=False).reshape(shape)


def pad_linear(t, array, pad_width, mode, kwargs):
    """The linear part of np.pad applied to `t` (constants zero): the tangent, and pad_adjoint's transpose."""
    _check_pad(mode, kwargs)
    t = np.broadcast_to(t, np.shape(array))
    if mode == "constant":
        return np.pad(t, pad_width, "constant")
    return np.pad(t, pad_width, mode, **{k: v for k, v in kwargs.items() if k == "reflect_type"})


def _constant_slots(shape: tuple, pad_width) -> np.ndarray:
    """masks[i, s]: where np.pad(..., 'constant') writes constant_values[i][s] (axis i, side s)."""
    ndim = len(shape)
    masks = []
    for i in range(ndim):
        for s in range(2):
            marker = np.zeros((ndim, 2))
            marker[i, s] = 1.0
            masks.append(np.pad(np.zeros(shape), pad_width, "constant", constant_values=marker))
    return np.reshape(np.stack(masks), (ndim, 2) + masks[0].shape) if masks else np.zeros((0, 2))


def pad_values_adjoint(g, array, pad_width, mode, values):
    """Adjoint of np.pad's `constant_values`: each constant collects the adjoint of the cells it filled."""
    if mode != "constant":
        return np.zeros(np.shape(values))
    masks = _constant_slots(np.shape(array), pad_width)
    per_slot = np.sum(masks * g, axis=tuple(range(2, masks.ndim)))  # (ndim, 2)
    return unbroadcast(per_slot, np.asarray(values))


def pad_values(t, array, pad_width, mode):
    """The part of np.pad's result written from `constant_values`, with `t` as the constants (their tangent)."""
    zeros = np.zeros(np.shape(array), _float_dtype(array))
    if mode != "constant":
        return np.pad(zeros, pad_width)
    return np.pad(zeros, pad_width, "constant", constant_values=t)


# ---- np.diagonal, np.diff ----------------------------------------------------------------------


def diagonal_adjoint(g, a, offset, axis1, axis2):
    """Adjoint of np.diagonal: g written on that diagonal of zeros shaped like `a`."""
    shape = np.shape(a)
    out = np.zeros(shape, np.result_type(_float_dtype(a), _float_dtype(g)))
    moved = np.moveaxis(out, (axis1, axis2), (-2, -1))  # a view: writes land in out
    n = np.shape(g)[-1] if np.ndim(g) else 0
    rows = np.arange(n) + max(-offset, 0)
    moved[..., rows, rows + offset] = g
    return out


def diff_pad(g, n, axis):
    """np.pad widths putting n zeros on both sides of `axis`: np.diff's adjoint is a difference of that."""
    widths = [(0, 0)] * np.ndim(g)
    widths[axis % np.ndim(g)] = (n, n)
    return widths


class DiffParts(NamedTuple):
    """Where `a`, `prepend` and `append` sit along the axis of the array np.diff differences."""

    a: tuple
    prepend: tuple
    append: tuple


def diff_parts(a, axis, prepend, append) -> DiffParts:
    ndim = np.ndim(a)
    axis = axis % ndim
    before = 0 if prepend is None else (1 if np.ndim(prepend) == 0 else np.shape(prepend)[axis])
    after = 0 if append is None else (1 if np.ndim(append) == 0 else np.shape(append)[axis])
    n = np.shape(a)[axis]

    def at(start: int, stop: int) -> tuple:
        return (slice(None),) * axis + (slice(start, stop),)

    return DiffParts(at(before, before + n), at(0, before), at(before + n, before + n + after))


# ---- np.kron, np.tensordot, np.convolve: index bookkeeping ---------------------------------------


class KronLayout(NamedTuple):
    """np.kron(a, b) viewed as an array of interleaved axes (a0, b0, a1, b1, ...)."""

    shape: tuple  # the result, interleaved
    a: tuple  # a's shape with ones at b's axes
    b: tuple  # b's shape with ones at a's axes
    a_axes: tuple  # the interleaved positions of a's axes
    b_axes: tuple  # of b's


def kron_layout(a, b) -> KronLayout:
    n = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (n - np.ndim(a)) + np.shape(a)
    sb = (1,) * (n - np.ndim(b)) + np.shape(b)
    return KronLayout(tuple(v for pair in zip(sa, sb) for v in pair),
                      tuple(v for s in sa for v in (s, 1)), tuple(v for s in sb for v in (1, s)),
                      tuple(range(0, 2 * n, 2)), tuple(range(1, 2 * n, 2)))


class TensordotLayout(NamedTuple):
    """The contractions giving the adjoints of np.tensordot's operands, and the axis orders to undo."""

    g_b: tuple  # d[a] = transpose(tensordot(g, b, (g_b, b_free)), a_order)
    b_free: tuple
    a_order: tuple
    a_free: tuple  # d[b] = transpose(tensordot(a, g, (a_free, g_a)), b_order)
    g_a: tuple
    b_order: tuple


def tensordot_layout(a, b, axes) -> TensordotLayout:
    if isinstance(axes, int | np.integer):
        con_a, con_b = list(range(np.ndim(a) - axes, np.ndim(a))), list(range(axes))
    else:
        con_a, con_b = ([x] if isinstance(x, int | np.integer) else list(x) for x in axes)
    con_a = [int(x) % max(np.ndim(a), 1) for x in con_a]
    con_b = [int(x) % max(np.ndim(b), 1) for x in con_b]
    free_a = [i for i in range(np.ndim(a)) if i not in con_a]
    free_b = [i for i in range(np.ndim(b)) if i not in con_b]
    na, nb = len(free_a), len(free_b)
    a_src = free_a + [con_a[j] for j in np.argsort(con_b, kind="stable")]
    b_src = [con_b[j] for j in np.argsort(con_a, kind="stable")] + free_b
    return TensordotLayout(tuple(range(na, na + nb)), tuple(free_b), tuple(np.argsort(a_src).tolist()),
                           tuple(free_a), tuple(range(na)), tuple(np.argsort(b_src).tolist()))


def convolve_widths(a, v, mode) -> tuple[int, int]:
    """np.pad widths turning np.convolve's result (mode 'same' or 'valid') into the 'full' one."""
    n, m = np.size(a), np.size(v)
    full = n + m - 1
    short = min(n, m)
    if mode in ("full", 2):
        return 0, 0
    if mode in ("same", 1):
        start, size = (short - 1) - short // 2, max(n, m)
    elif mode in ("valid", 0):
        start, size = short - 1, max(n, m) - short + 1
    else:
        raise NotDifferentiableError(f"np.convolve: unknown mode {mode!r}")
    return start, full - size - start


def check_cross(a, b, axisa, axisb, axis) -> None:
    """np.cross of 2-vectors (deprecated by NumPy) has no rule here; 3-vectors only."""
    if axis is not None:
        axisa = axisb = axis
    if np.shape(a)[axisa] != 3 or np.shape(b)[axisb] != 3:
        raise NotDifferentiableError(
            "srcgrad differentiates np.cross of 3-vectors only",
            hint="Pad 2-vectors with a zero third component (NumPy deprecates 2-vector cross products).")


# ---- np.average ------------------------------------------------------------------------------


def aligned_weights(weights, a, axis, returned):
    """np.average's weights shaped to broadcast against `a` (a one of a's dtype when there are none)."""
    if returned:
        raise NotDifferentiableError(
            "srcgrad differentiates np.average(..., returned=False) only",
            hint="Compute the sum of weights separately: np.sum(weights) (broadcast as np.average does).")
    if weights is None:
        return np.asarray(1.0, _float_dtype(a))
    shape = np.shape(a)
    if np.shape(weights) == shape or axis is None:
        return weights
    axes = _positive_axes(axis, len(shape))
    return np.reshape(weights, [shape[i] if i in axes else 1 for i in range(len(shape))])


# ---- np.take_along_axis ------------------------------------------------------------------------


def _along_axis_index(shape: tuple, indices, axis: int) -> tuple:
    """The fancy index np.take_along_axis(a, indices, axis) reads `a` (of `shape`) at: `indices` on `axis`, and
    on every other axis the positions 0..n-1 set to broadcast against them (as NumPy builds it)."""
    index = []
    for i, n in enumerate(shape):
        if i == axis:
            index.append(np.asarray(indices))
        else:
            fit = [1] * len(shape)
            fit[i] = n
            index.append(np.arange(n).reshape(fit))
    return tuple(index)


def untake_along(g, arr, indices, axis):
    """Adjoint of np.take_along_axis: each element of `arr` collects the adjoints of all its reads (an index
    repeated, or an axis of length one broadcast against `indices`)."""
    shape = np.shape(arr)
    dtype = np.result_type(_float_dtype(arr), _float_dtype(g))
    if axis is None:  # `arr` read flat
        out = np.zeros(int(np.prod(shape)), dtype)
        np.add.at(out, np.asarray(indices), np.broadcast_to(g, np.shape(indices)))
        return out.reshape(shape)
    out = np.zeros(shape, dtype)
    index = _along_axis_index(shape, indices, axis % len(shape))
    np.add.at(out, index, np.broadcast_to(g, np.broadcast_shapes(*(i.shape for i in index))))
    return out


# ---- np.split, np.array_split, np.hsplit, np.vsplit, np.dsplit ---------------------------------
# The pieces are slices of `ary` along one axis (np.split(a, [3, 1]) gives a[:3], a[3:1], a[1:]: they may
# overlap). The adjoint of the list of pieces arrives piece by piece (a list, `Parts`, or a sparse `Grads`
# holding only the pieces that got one); a piece without one adds nothing.


def _piece(g, i: int):
    """Piece i's adjoint in the adjoint `g` of a list of pieces, or None."""
    if isinstance(g, dict):
        return g.get(i)
    if isinstance(g, list | tuple) or (isinstance(g, np.ndarray) and g.ndim):
        return g[i]
    return None


def split_positions(ary, indices_or_sections, axis: int) -> list:
    """For each piece np.split (or np.array_split) makes of `ary` along `axis`, the positions it covers."""
    return np.array_split(np.arange(np.shape(ary)[axis]), indices_or_sections)


def hsplit_axis(ary) -> int:
    """The axis np.hsplit splits: the second, or the only one of a vector."""
    return 1 if np.ndim(ary) > 1 else 0


def unsplit(g, ary, indices_or_sections, axis):
    """Adjoint of `ary` in np.split(ary, indices_or_sections, axis) (and array_split, hsplit, vsplit, dsplit):
    each piece's adjoint added back at the slice it came from, zeros where no piece's adjoint arrived."""
    shape = np.shape(ary)
    axis = axis % len(shape)
    pieces = split_positions(ary, indices_or_sections, axis)
    parts = [_piece(g, i) for i in range(len(pieces))]
    dtype = np.result_type(_float_dtype(ary), *(_float_dtype(p) for p in parts if p is not None))
    out = np.zeros(shape, dtype)
    moved = np.moveaxis(out, axis, 0)  # a view: writes land in out
    for part, positions in zip(parts, pieces, strict=True):
        if part is None or positions.size == 0:
            continue
        piece = np.moveaxis(np.broadcast_to(part, shape[:axis] + (positions.size,) + shape[axis + 1:]), axis, 0)
        moved[positions[0]:positions[-1] + 1] += piece
    return out


def resplit(h, ary, indices_or_sections, axis):
    """Transpose of `unsplit` in its adjoint: `h` (shaped like `ary`) cut into the pieces, one adjoint each, as the
    sparse adjoint of a container (`Grads`, by position: it adds to any other adjoint of the list)."""
    from srcgrad.runtime.structure import Grads

    return Grads(enumerate(np.array_split(np.broadcast_to(h, np.shape(ary)), indices_or_sections, axis)))


# ---- ufunc.outer -------------------------------------------------------------------------------


def outer_layout(a, b) -> tuple:
    """The shape `a` takes in `ufunc.outer(a, b)` = ufunc(a reshaped so, b): a's axes, then one per axis of b."""
    return np.shape(a) + (1,) * np.ndim(b)
