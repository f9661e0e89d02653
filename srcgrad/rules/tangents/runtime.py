"""Tangent rules for the runtime helpers generated gradient code calls (forward-over-reverse).

Most helpers are linear in their adjoint argument `g`, so their tangent is the helper applied to
`d[g]`; products of adjoints and primals (`matmul_adjoint_left(g, x, y)`) are bilinear; masks and
shape helpers are piecewise constant and have zero tangents (`ZERO_TANGENT`: the forward
transform treats their results as not varying at all). Helpers here that need more than one
line of NumPy end in `_dot`. Templates end in `_rule` so they never shadow the helpers they call.
"""
# ruff: noqa: F821
from typing import Any

import numpy as np

from srcgrad import runtime
from srcgrad.rules.tangents.registry import tangent
from srcgrad.runtime import arrays, containers, factorizations, order, scans, shapes, structure
from srcgrad.runtime import scipy as scipy_helpers  # NumPy only: SciPy is not imported
from srcgrad.runtime.arrays import (
    _expand, _float, cast_like, cumsum_adjoint, dot_adjoint_left, dot_adjoint_right, einsum_adjoints, item_or_zero,
    norm_adjoint, prod_adjoint, select_adjoint, solve_adjoint_b, split_like, trace_adjoint, undiag, unhstack,
    unrepeat, unstack, untake, untile, unvstack,
)
from srcgrad.runtime.broadcast import expand, unbroadcast, uniform_adjoint, unreduce
from srcgrad.runtime.linalg import matmul_adjoint_left, matmul_adjoint_right
from srcgrad.runtime.structure import (
    clear_adjoint, complete, copy_item, index_add, index_grad, item_adjoint, part_adjoint, repeat_adjoint,
    sequence_adjoint, sum_adjoint, take_adjoint, dict_entry_adjoint,
)

# helpers whose results carry no derivative (masks, shapes, seeds, counts, zeros)
ZERO_TANGENT: frozenset[Any] = frozenset({
    runtime.seed, runtime.zeros_like, runtime.shape_of, runtime.field_index, runtime.stop_gradient,
    arrays.count, arrays.balanced_eq, arrays.inside_clip, arrays.below, arrays.above, arrays.inverse_axes,
    arrays.item_index, structure.container_keys, structure.check_unshared, structure.check_write, structure.check_callee_write,
    runtime.check_constant_callee,
})

# helpers that write into their first argument: the copying version a shared tangent needs instead
IN_PLACE: dict[Any, Any] = {structure.index_add_inplace: structure.index_add,
                            structure.clear_adjoint_inplace: structure.clear_adjoint}

# function -> groups of argument positions: the tangent vanishes when every argument of a group is zero
LINEAR: dict[Any, tuple[tuple[int, ...], ...]] = {
    **{f: ((0,),) for f in (unbroadcast, unreduce, complete, item_adjoint, part_adjoint, repeat_adjoint,
                            sequence_adjoint, dict_entry_adjoint, structure.values_adjoint,
                            structure.items_adjoint, sum_adjoint, take_adjoint, clear_adjoint,
                            copy_item, select_adjoint, cumsum_adjoint, trace_adjoint, split_like, unstack, unhstack,
                            unvstack, untile, unrepeat, untake, undiag, cast_like, item_or_zero,
                            structure.clear_adjoint_inplace)},
    index_grad: ((2,),),
    index_add: ((0, 3),),
    structure.index_add_inplace: ((0, 3),),
}


# ---- helpers ---------------------------------------------------------------------------------


def prod_adjoint_dot(g, a, y, t_a, axis, keepdims):
    """The part of prod_adjoint's tangent from `a`: g times the tangent of the product of the other elements."""
    a = np.asarray(a)
    if a.ndim == 0:  # the product of one number: the other elements' product is 1 whatever a is
        return np.zeros((), _float(a))[()]
    t_a = np.broadcast_to(t_a, a.shape)
    ones = np.ones_like(y, dtype=_float(a))
    if np.all(a != 0):
        others = prod_adjoint(ones, a, y, axis, keepdims)  # y / a
        t_y = np.sum(others * t_a, axis=axis, keepdims=True)
        return _expand(g, a, axis, keepdims) * (t_y - others * t_a) / a
    # zeros present: d others_i = sum_{j != i} t_j prod_{k != i, j} a_k, one j at a time
    axes = tuple(range(a.ndim)) if axis is None else tuple(np.atleast_1d(axis) % a.ndim)
    total = np.zeros(a.shape, _float(a))
    reduced = [a.shape[ax] for ax in axes]
    for j in np.ndindex(*reduced):
        sel = [slice(None)] * a.ndim
        for ax, k in zip(axes, j):
            sel[ax] = slice(k, k + 1)
        sel = tuple(sel)
        a_j = a.astype(_float(a))
        a_j[sel] = 1.0
        others_j = prod_adjoint(ones, a_j, np.prod(a_j, axis=axis, keepdims=keepdims), axis, keepdims)
        others_j[sel] = 0.0
        total = total + others_j * t_a[sel]
    return _expand(g, a, axis, keepdims) * total


def norm_adjoint_dot(g, x, y, t_x, t_y, ord, axis, keepdims):
    """The part of norm_adjoint's tangent from `x` and `y`."""
    x = np.asarray(x)
    matrix = (axis is None and x.ndim == 2 and ord is not None) or (isinstance(axis, tuple) and len(axis) == 2)
    g_e, y_e, t_y_e = (_expand(v, x, axis, keepdims) for v in (g, y, t_y))
    safe = np.where(y_e == 0, 1.0, y_e)
    if ord in (None, 2, "fro") and not (matrix and ord == 2):
        return g_e * (t_x / safe - x * t_y_e / (safe * safe))
    if ord in (1, np.inf, -np.inf, 0) and not matrix or ord in (1, -1, np.inf, -np.inf) and matrix:
        return np.zeros(x.shape, _float(x))  # piecewise linear
    if not matrix and not isinstance(ord, str):
        p = float(ord)
        return g_e * (p - 1) * (np.abs(x) ** (p - 2) * t_x / safe ** (p - 1)
                                - np.sign(x) * np.abs(x) ** (p - 1) * t_y_e / safe ** p)
    # spectral and nuclear norms: the adjoint g u_i v_i^T (summed over i for 'nuc') moves with the SVD
    ax = (0, 1) if axis is None else axis
    u, s, vh, du, dvh = svd_dot(np.moveaxis(x, ax, (-2, -1)), np.moveaxis(np.broadcast_to(t_x, x.shape), ax, (-2, -1)))
    if ord != "nuc":
        i = 0 if ord == 2 else s.shape[-1] - 1
        u, vh, du, dvh = u[..., :, i:i + 1], vh[..., i:i + 1, :], du[..., :, i:i + 1], dvh[..., i:i + 1, :]
    gm = np.moveaxis(np.broadcast_to(g_e, x.shape), ax, (-2, -1))
    return np.moveaxis(gm * (du @ vh + u @ dvh), (-2, -1), ax)


def svd_dot(a, t):
    """The thin SVD a = U diag(s) Vh and the tangents dU, dVh along `t` (Townsend 2016)."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    v = np.swapaxes(vh, -1, -2)
    dP = np.swapaxes(u, -1, -2) @ t @ v
    s2 = s * s
    gaps = s2[..., None, :] - s2[..., :, None]
    F = np.where(gaps == 0, 0.0, 1.0 / np.where(gaps == 0, 1.0, gaps))
    dPt = np.swapaxes(dP, -1, -2)
    du = u @ (F * (dP * s[..., None, :] + s[..., :, None] * dPt))
    dv = v @ (F * (s[..., :, None] * dP + dPt * s[..., None, :]))
    if u.shape[-2] > u.shape[-1]:
        du = du + (t @ v - u @ dP) / s[..., None, :]
    if v.shape[-2] > v.shape[-1]:
        dv = dv + (np.swapaxes(t, -1, -2) @ u - v @ dPt) / s[..., None, :]
    return u, s, vh, du, np.swapaxes(dv, -1, -2)


def einsum_adjoints_dot(g, t_g, subscripts, operands, t_operands):
    """Tangents of every operand's einsum adjoint: linear in g and in each other operand."""
    out = [np.zeros(np.shape(x), _float(x)) for x in operands]

    def add(parts):
        return [o + p for o, p in zip(out, parts, strict=True)]

    if t_g is not None:
        out = add(einsum_adjoints(t_g, subscripts, operands))
    for j, t in enumerate(t_operands if t_operands is not None else ()):
        if t is None or (np.ndim(t) == 0 and t == 0):
            continue
        replaced = list(operands)
        replaced[j] = np.broadcast_to(t, np.shape(operands[j]))
        parts = einsum_adjoints(g, subscripts, replaced)
        parts[j] = 0.0  # operand j's own adjoint does not read operand j
        out = add(parts)
    return out


def solve_adjoint_b_dot(g, a, b, t_g, t_a):
    """Tangent of solve(a.T, g): solve(a.T, t_g - t_a.T @ solve(a.T, g))."""
    gb = solve_adjoint_b(g, a, b)
    vector = np.ndim(b) == 1 or (np.ndim(b) == np.ndim(a) - 1)
    t_aT = np.swapaxes(np.broadcast_to(t_a, np.shape(a)), -1, -2)
    inner = t_g - ((t_aT @ gb[..., None])[..., 0] if vector else t_aT @ gb)
    return solve_adjoint_b(inner, a, b)


def solve_adjoint_a_dot(g, a, b, y, t_g, t_a, t_y):
    """Tangent of solve_adjoint_a = -gb y^T with gb = solve(a.T, g)."""
    gb = solve_adjoint_b(g, a, b)
    t_gb = solve_adjoint_b_dot(g, a, b, t_g, t_a)
    if np.ndim(b) == 1 or (np.ndim(b) == np.ndim(a) - 1):
        return -(t_gb[..., :, None] * y[..., None, :] + gb[..., :, None] * np.asarray(t_y)[..., None, :])
    return -(t_gb @ np.swapaxes(y, -1, -2) + gb @ np.swapaxes(np.broadcast_to(t_y, np.shape(y)), -1, -2))


def sinc_derivative_dot(x, y, t_x, t_y):
    """Tangent of (cos(pi x) - y) / x (0 at x = 0, where the second derivative is -pi^2 / 3)."""
    safe = np.where(x == 0, 1.0, x)
    inner = (-np.pi * np.sin(np.pi * x) * t_x - t_y) / safe - (np.cos(np.pi * x) - y) * t_x / (safe * safe)
    return np.where(x == 0, -np.pi ** 2 / 3 * t_x, inner)


# ---- templates: linear in the adjoint ----------------------------------------------------------


@tangent(unbroadcast)
def unbroadcast_rule(y, g, x, z=None):
    d[y] = unbroadcast(d[g], x, z)


@tangent(unreduce)
def unreduce_rule(y, g, x, axis=None, keepdims=False):
    d[y] = unreduce(d[g], x, axis, keepdims)


@tangent(complete)
def complete_rule(y, g, x):
    d[y] = complete(d[g], x)


@tangent(index_grad)
def index_grad_rule(y, x, index, g):
    d[y] = index_grad(x, index, d[g])


@tangent(index_add, structure.index_add_inplace)
def index_add_rule(y, acc, x, index, g):
    d[y] = index_add(d[acc], x, index, d[g])


@tangent(item_adjoint)
def item_adjoint_rule(y, g, key, x):
    d[y] = item_adjoint(d[g], key, x)


@tangent(sum_adjoint)
def sum_adjoint_rule(y, g, iterable):
    d[y] = sum_adjoint(d[g], iterable)


@tangent(part_adjoint)
def part_adjoint_rule(y, g, start, x):
    d[y] = part_adjoint(d[g], start, x)


@tangent(structure.values_adjoint)
def values_adjoint_rule(y, g, mapping):
    d[y] = structure.values_adjoint(d[g], mapping)


@tangent(structure.items_adjoint)
def items_adjoint_rule(y, g, mapping):
    d[y] = structure.items_adjoint(d[g], mapping)


@tangent(dict_entry_adjoint)
def dict_entry_adjoint_rule(y, g, key, value, later_keys=(), later_dicts=()):
    d[y] = dict_entry_adjoint(d[g], key, value, later_keys, later_dicts)


@tangent(sequence_adjoint)
def sequence_adjoint_rule(y, g, x):
    d[y] = sequence_adjoint(d[g], x)


@tangent(repeat_adjoint)
def repeat_adjoint_rule(y, g, x, count):
    d[y] = repeat_adjoint(d[g], x, count)


@tangent(take_adjoint)
def take_adjoint_rule(y, g, index, value, x=None):
    d[y] = take_adjoint(d[g], index, value, x)


@tangent(clear_adjoint, structure.clear_adjoint_inplace)
def clear_adjoint_rule(y, g, index, x=None):
    d[y] = clear_adjoint(d[g], index, x)


@tangent(copy_item)
def copy_item_rule(y, x, index):
    d[y] = copy_item(d[x], index)


@tangent(select_adjoint)
def select_adjoint_rule(z, g, a, y, axis, keepdims):
    d[z] = select_adjoint(d[g], a, y, axis, keepdims)


@tangent(cumsum_adjoint)
def cumsum_adjoint_rule(y, g, a, axis):
    d[y] = cumsum_adjoint(d[g], a, axis)


@tangent(trace_adjoint)
def trace_adjoint_rule(y, g, a, offset, axis1, axis2):
    d[y] = trace_adjoint(d[g], a, offset, axis1, axis2)


@tangent(split_like)
def split_like_rule(y, g, arrays, axis):
    d[y] = split_like(d[g], arrays, axis)


@tangent(unstack)
def unstack_rule(y, g, arrays, axis):
    d[y] = unstack(d[g], arrays, axis)


@tangent(unhstack)
def unhstack_rule(y, g, tup):
    d[y] = unhstack(d[g], tup)


@tangent(unvstack)
def unvstack_rule(y, g, tup):
    d[y] = unvstack(d[g], tup)


@tangent(untile)
def untile_rule(y, g, A, reps):
    d[y] = untile(d[g], A, reps)


@tangent(unrepeat)
def unrepeat_rule(y, g, a, repeats, axis):
    d[y] = unrepeat(d[g], a, repeats, axis)


@tangent(untake)
def untake_rule(y, g, a, indices, axis):
    d[y] = untake(d[g], a, indices, axis)


@tangent(undiag)
def undiag_rule(y, g, v, k):
    d[y] = undiag(d[g], v, k)


@tangent(cast_like)
def cast_like_rule(y, g, a):
    d[y] = cast_like(d[g], a)


@tangent(item_or_zero)
def item_or_zero_rule(y, g, i):
    d[y] = item_or_zero(d[g], i)


# ---- templates: bilinear and nonlinear ---------------------------------------------------------


@tangent(matmul_adjoint_left)
def matmul_adjoint_left_rule(z, g, x, y):
    d[z] = matmul_adjoint_left(d[g], x, y) + matmul_adjoint_left(g, x, d[y])


@tangent(matmul_adjoint_right)
def matmul_adjoint_right_rule(z, g, x, y):
    d[z] = matmul_adjoint_right(d[g], x, y) + matmul_adjoint_right(g, d[x], y)


@tangent(dot_adjoint_left)
def dot_adjoint_left_rule(z, g, a, b):
    d[z] = dot_adjoint_left(d[g], a, b) + dot_adjoint_left(g, a, d[b])


@tangent(dot_adjoint_right)
def dot_adjoint_right_rule(z, g, a, b):
    d[z] = dot_adjoint_right(d[g], a, b) + dot_adjoint_right(g, d[a], b)


@tangent(prod_adjoint)
def prod_adjoint_rule(z, g, a, y, axis, keepdims):
    d[z] = prod_adjoint(d[g], a, y, axis, keepdims) + prod_adjoint_dot(g, a, y, d[a], axis, keepdims)


@tangent(norm_adjoint)
def norm_adjoint_rule(z, g, x, y, ord, axis, keepdims):
    d[z] = norm_adjoint(d[g], x, y, ord, axis, keepdims) + norm_adjoint_dot(g, x, y, d[x], d[y], ord, axis, keepdims)


@tangent(einsum_adjoints)
def einsum_adjoints_rule(z, g, subscripts, operands):
    d[z] = einsum_adjoints_dot(g, d[g], subscripts, operands, d[operands])


@tangent(solve_adjoint_b)
def solve_adjoint_b_rule(z, g, a, b):
    d[z] = solve_adjoint_b_dot(g, a, b, d[g], d[a])


@tangent(arrays.solve_adjoint_a)
def solve_adjoint_a_rule(z, g, a, b, y):
    d[z] = solve_adjoint_a_dot(g, a, b, y, d[g], d[a], d[y])


@tangent(arrays.sinc_derivative)
def sinc_derivative_rule(z, x, y):
    d[z] = sinc_derivative_dot(x, y, d[x], d[y])


LINEAR.update({
    matmul_adjoint_left: ((0, 2),), matmul_adjoint_right: ((0, 1),), dot_adjoint_left: ((0, 2),),
    dot_adjoint_right: ((0, 1),), prod_adjoint_dot: ((3,),), norm_adjoint_dot: ((3, 4),),
})
# matmul_adjoint_left(g, x, y) reads x only for its shape, so a zero in g or in y alone kills a term
LINEAR.update({f: ((0,), (2,)) for f in (matmul_adjoint_left, dot_adjoint_left)})
LINEAR.update({f: ((0,), (1,)) for f in (matmul_adjoint_right, dot_adjoint_right)})



@tangent(uniform_adjoint)
def uniform_adjoint_rule(y, g, x):
    d[y] = uniform_adjoint(d[g], x)


@tangent(expand)
def expand_rule(z, g, y):
    d[z] = expand(d[g], y)


LINEAR[uniform_adjoint] = ((0,),)
LINEAR[expand] = ((0,),)


# ---- helpers of the SciPy tables (runtime/scipy.py): linear, so each tangent is the helper itself ----

@tangent(scipy_helpers.value_or)
def value_or_rule(y, x, default):
    d[y] = d[x]


@tangent(scipy_helpers.transpose_if)
def transpose_if_rule(y, g, flag):
    d[y] = scipy_helpers.transpose_if(d[g], flag)


@tangent(scipy_helpers.triangle)
def triangle_rule(y, g, lower, strict=False):
    d[y] = scipy_helpers.triangle(d[g], lower, strict)


@tangent(scipy_helpers.phi)
def phi_rule(y, g):
    d[y] = scipy_helpers.phi(d[g])


@tangent(scipy_helpers.fold_triangle)
def fold_triangle_rule(y, g, lower, symmetric=True):
    d[y] = scipy_helpers.fold_triangle(d[g], lower, symmetric)


@tangent(scipy_helpers.unfold_triangle)
def unfold_triangle_rule(y, h, lower, symmetric=True):
    d[y] = scipy_helpers.unfold_triangle(d[h], lower, symmetric)


@tangent(scipy_helpers.covariance_matrix)
def covariance_matrix_rule(y, cov, n):
    d[y] = scipy_helpers.covariance_matrix(d[cov], n)


@tangent(scipy_helpers.covariance_back)
def covariance_back_rule(y, g, cov):
    d[y] = scipy_helpers.covariance_back(d[g], cov)


LINEAR.update({f: ((0,),) for f in (scipy_helpers.transpose_if, scipy_helpers.triangle, scipy_helpers.phi,
                                     scipy_helpers.fold_triangle, scipy_helpers.unfold_triangle,
                                     scipy_helpers.covariance_matrix, scipy_helpers.covariance_back)})
ZERO_TANGENT = ZERO_TANGENT | {scipy_helpers.no_sign, scipy_helpers.symmetric_assumption, scipy_helpers.adjoint_transposed,
                               scipy_helpers.is_transposed, scipy_helpers.flipped_trans, scipy_helpers.mvn_dim,
                               scipy_helpers.no_disp, scipy_helpers.signal_layout}


# ---- helpers of the NumPy tables for layouts, order statistics, scans and containers ---------------


@tangent(shapes.pad_adjoint)
def pad_adjoint_rule(y, g, array, pad_width, mode, kwargs):
    d[y] = shapes.pad_adjoint(d[g], array, pad_width, mode, kwargs)


@tangent(shapes.pad_linear)
def pad_linear_rule(y, t, array, pad_width, mode, kwargs):
    d[y] = shapes.pad_linear(d[t], array, pad_width, mode, kwargs)


@tangent(shapes.pad_values_adjoint)
def pad_values_adjoint_rule(y, g, array, pad_width, mode, values):
    d[y] = shapes.pad_values_adjoint(d[g], array, pad_width, mode, values)


@tangent(shapes.pad_values)
def pad_values_rule(y, t, array, pad_width, mode):
    d[y] = shapes.pad_values(d[t], array, pad_width, mode)


@tangent(shapes.diagonal_adjoint)
def diagonal_adjoint_rule(y, g, a, offset, axis1, axis2):
    d[y] = shapes.diagonal_adjoint(d[g], a, offset, axis1, axis2)


@tangent(shapes.untake_along)
def untake_along_rule(y, g, arr, indices, axis):
    d[y] = shapes.untake_along(d[g], arr, indices, axis)


@tangent(shapes.unsplit)
def unsplit_rule(y, g, ary, indices_or_sections, axis):
    d[y] = shapes.unsplit(d[g], ary, indices_or_sections, axis)


@tangent(shapes.resplit)
def resplit_rule(y, h, ary, indices_or_sections, axis):
    d[y] = shapes.resplit(d[h], ary, indices_or_sections, axis)


@tangent(shapes.aligned_weights)
def aligned_weights_rule(y, weights, a, axis, returned):
    d[y] = shapes.aligned_weights(d[weights], a, axis, returned)


@tangent(order.sort_adjoint)
def sort_adjoint_rule(y, g, a, z, axis):
    d[y] = order.sort_adjoint(d[g], a, z, axis)


@tangent(order.sort_forth)
def sort_forth_rule(y, t, a, z, axis):
    d[y] = order.sort_forth(d[t], a, z, axis)


@tangent(scans.cumprod_adjoint)
def cumprod_adjoint_rule(z, g, a, y, axis):
    # y = cumprod(a) is read only to save work: the whole derivative in a goes through a
    d[z] = scans.cumprod_adjoint(d[g], a, y, axis) + scans.cumprod_adjoint_dot(g, a, y, d[a], axis)


@tangent(arrays.masked)
def masked_rule(y, g, where):
    d[y] = arrays.masked(d[g], where)


@tangent(containers.dict_source_adjoint)
def dict_source_adjoint_rule(y, g, source, kwargs):
    d[y] = containers.dict_source_adjoint(d[g], source, kwargs)


@tangent(containers.dict_source_forth)
def dict_source_forth_rule(y, t, source, kwargs):
    d[y] = containers.dict_source_forth(d[t], source, kwargs)


LINEAR.update({f: ((0,),) for f in (shapes.pad_adjoint, shapes.pad_linear, shapes.pad_values_adjoint, shapes.pad_values,
                                     shapes.diagonal_adjoint, shapes.aligned_weights, shapes.untake_along,
                                     shapes.unsplit, shapes.resplit, order.sort_adjoint,
                                     order.sort_forth, arrays.masked, containers.dict_source_adjoint,
                                     containers.dict_source_forth)})
LINEAR[scans.cumprod_adjoint_dot] = ((0,), (3,))
# NumPy's linear and bilinear functions that the new tangent templates call: a zero tangent drops the term
# (pad, diff: keywords vary too)
LINEAR.update({f: ((0,),) for f in (np.roll, np.triu, np.tril, np.diagonal, np.take_along_axis, np.split,
                                     np.array_split, np.hsplit, np.vsplit, np.dsplit)})
LINEAR.update({f: ((0,), (1,)) for f in (np.kron, np.tensordot, np.convolve, np.cross)})
ZERO_TANGENT = ZERO_TANGENT | {shapes.diff_pad, shapes.diff_parts, shapes.kron_layout, shapes.tensordot_layout,
                               shapes.convolve_widths, shapes.check_cross, shapes.hsplit_axis,
                               shapes.split_positions, shapes.outer_layout, order.quantile_weights,
                               order.interp_segment, factorizations.check_svd, factorizations.check_qr,
                               factorizations.lstsq_cutoff, factorizations.lower_triangle}
