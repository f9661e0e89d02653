"""Adjoint templates for the runtime helpers that generated gradient code calls.

With these, generated code is itself in the differentiable subset: grad(grad(f)) differentiates
f's gradient function. Helpers that only describe shapes (seed, count, zeros_like, shape_of)
carry no derivative. Template functions end in `_rule` so they never shadow the helpers they call.
"""
# ruff: noqa: F821
import numpy as np

from srcgrad import runtime
from srcgrad.rules.registry import adjoint, nondifferentiable
from srcgrad.runtime import arrays, containers, linalg, order, scans, shapes
from srcgrad.runtime import structure
from srcgrad.runtime import scipy as scipy_helpers  # NumPy only: SciPy is not imported
from srcgrad.runtime.structure import clear_adjoint, index_grad
from srcgrad.rules.tangents.helpers import norm_tangent, prod_tangent
from srcgrad.rules.tangents.runtime import norm_adjoint_dot, prod_adjoint_dot
from srcgrad.runtime.transpose import (
    einsum_back,
    broadcast_back,
    complete_back,
    complete_forth,
    dot_left_back,
    dot_right_back,
    hstack_back,
    join_back,
    stack_back,
    vstack_back,
    index_back,
    item_back,
    matmul_left_back,
    matmul_right_back,
    part_back,
    reduce_back,
    repeat_back,
    sequence_back,
    values_back,
    items_back,
    dict_entry_back,
    take_back,
    select_back,
    sum_of,
)


@adjoint(runtime.unbroadcast)
def unbroadcast_rule(y, g, x):
    d[g] = broadcast_back(d[y], g)


@adjoint(runtime.unreduce)
def unreduce_rule(y, g, x, axis=None, keepdims=False):
    d[g] = reduce_back(d[y], g, x, axis, keepdims)


@adjoint(runtime.complete)
def complete_rule(y, g, x):
    d[g] = complete_back(d[y], g)


@adjoint(runtime.index_grad)
def index_grad_rule(y, x, index, g):
    d[g] = index_back(d[y], index, g, x)


@adjoint(runtime.index_add)
def index_add_rule(y, acc, x, index, g):
    d[acc] = d[y]
    d[g] = index_back(d[y], index, g, x)


@adjoint(runtime.item_adjoint)
def item_adjoint_rule(y, g, key, x):
    d[g] = item_back(d[y], key, g)


@adjoint(runtime.take_adjoint)
def take_adjoint_rule(y, g, index, value, x=None):
    d[g] = take_back(d[y], g, index, value, x)


@adjoint(take_back)
def take_back_rule(y, h, g, index, value, x=None):
    d[h] = runtime.take_adjoint(d[y], index, value, x)


@adjoint(runtime.clear_adjoint)
def clear_adjoint_rule(y, g, index, x=None):
    d[g] = clear_adjoint(d[y], index, x)


@adjoint(runtime.copy_item)
def copy_item_rule(y, x, index):
    d[x] = item_back(d[y], index, x)


@adjoint(linalg.matmul_adjoint_left)
def matmul_adjoint_left_rule(z, g, x, y):
    back = matmul_left_back(d[z], g, x, y)
    d[g] = back[0]
    d[y] = back[1]


@adjoint(linalg.matmul_adjoint_right)
def matmul_adjoint_right_rule(z, g, x, y):
    back = matmul_right_back(d[z], g, x, y)
    d[g] = back[0]
    d[x] = back[1]


@adjoint(arrays.select_adjoint)
def select_adjoint_rule(z, g, a, y, axis, keepdims):
    d[g] = select_back(d[z], g, a, y, axis, keepdims)


@adjoint(runtime.sum_adjoint)
def sum_adjoint_rule(z, g, iterable):
    d[g] = sum_of(d[z])


@adjoint(runtime.part_adjoint)
def part_adjoint_rule(y, g, start, x):
    d[g] = part_back(d[y], start, x)


@adjoint(runtime.dict_entry_adjoint)
def dict_entry_adjoint_rule(y, g, key, value, later_keys=(), later_dicts=()):
    d[g] = dict_entry_back(d[y], key, value, later_keys, later_dicts)


@adjoint(dict_entry_back)
def dict_entry_back_rule(y, h, key, value, later_keys=(), later_dicts=()):
    d[h] = runtime.dict_entry_adjoint(d[y], key, value, later_keys, later_dicts)


@adjoint(structure.values_adjoint)
def values_adjoint_rule(y, g, mapping):
    d[g] = values_back(d[y], mapping)


@adjoint(values_back)
def values_back_rule(y, h, mapping):
    d[h] = structure.values_adjoint(d[y], mapping)


@adjoint(structure.items_adjoint)
def items_adjoint_rule(y, g, mapping):
    d[g] = items_back(d[y], mapping)


@adjoint(items_back)
def items_back_rule(y, h, mapping):
    d[h] = structure.items_adjoint(d[y], mapping)


@adjoint(runtime.sequence_adjoint)
def sequence_adjoint_rule(y, g, x):
    d[g] = sequence_back(d[y], x)


@adjoint(sequence_back)
def sequence_back_rule(y, h, x):
    d[h] = runtime.sequence_adjoint(d[y], x)


@adjoint(runtime.repeat_adjoint)
def repeat_adjoint_rule(y, g, x, count):
    d[g] = repeat_back(d[y], x, count)


nondifferentiable(runtime.check_unshared, runtime.check_write, runtime.check_callee_write,
                  runtime.check_constant_callee)
nondifferentiable(runtime.seed, runtime.zeros_like, runtime.shape_of, arrays.count, arrays.balanced_eq,
                  arrays.inside_clip, arrays.below, arrays.above, runtime.field_index)


# ---- the transposes above are linear too: their rules close the table under differentiation ----

@adjoint(complete_back)
def complete_back_rule(y, h, g):
    d[h] = complete_forth(d[y], h)


@adjoint(broadcast_back)
def broadcast_back_rule(y, h, g):
    d[h] = runtime.unbroadcast(d[y], h)


@adjoint(reduce_back)
def reduce_back_rule(y, h, g, x, axis, keepdims):
    d[h] = runtime.unreduce(d[y], x, axis, keepdims)


@adjoint(select_back)
def select_back_rule(y, h, g, a, z, axis, keepdims):
    d[h] = arrays.select_adjoint(d[y], a, z, axis, keepdims)


@adjoint(item_back)
def item_back_rule(y, h, key, g):
    d[h] = runtime.item_adjoint(d[y], key, h)


@adjoint(index_back)
def index_back_rule(y, h, index, g):
    d[h] = index_grad(h, index, d[y])


@adjoint(sum_of)
def sum_of_rule(y, h):
    d[h] = runtime.sum_adjoint(d[y], h)


@adjoint(part_back)
def part_back_rule(y, h, start, x):
    d[h] = runtime.part_adjoint(d[y], start, x)


@adjoint(repeat_back)
def repeat_back_rule(y, h, x, count):
    d[h] = runtime.repeat_adjoint(d[y], x, count)


# ---- shape helpers and products of the NumPy table ----------------------------------------------

@adjoint(arrays.cast_like)
def cast_like_rule(y, g, a):
    d[g] = d[y]


@adjoint(arrays.split_like)
def split_like_rule(y, g, arrays, axis):
    d[g] = join_back(d[y], arrays, axis, g)


@adjoint(arrays.unstack)
def unstack_rule(y, g, arrays, axis):
    d[g] = stack_back(d[y], arrays, axis, g)


@adjoint(arrays.unhstack)
def unhstack_rule(y, g, tup):
    d[g] = hstack_back(d[y], tup, g)


@adjoint(arrays.unvstack)
def unvstack_rule(y, g, tup):
    d[g] = vstack_back(d[y], tup, g)


@adjoint(arrays.dot_adjoint_left)
def dot_adjoint_left_rule(z, g, a, b):
    back = dot_left_back(d[z], g, a, b)
    d[g] = back[0]
    d[b] = back[1]


@adjoint(arrays.dot_adjoint_right)
def dot_adjoint_right_rule(z, g, a, b):
    back = dot_right_back(d[z], g, a, b)
    d[g] = back[0]
    d[a] = back[1]


# ---- helpers of the SciPy tables (runtime/scipy.py): linear maps, each rule its transpose ------

@adjoint(scipy_helpers.value_or)
def value_or_rule(y, x, default):
    d[x] = d[y]


@adjoint(scipy_helpers.transpose_if)
def transpose_if_rule(y, g, flag):
    d[g] = scipy_helpers.transpose_if(d[y], flag)


@adjoint(scipy_helpers.triangle)
def triangle_rule(y, g, lower, strict=False):
    d[g] = scipy_helpers.triangle(d[y], lower, strict)


@adjoint(scipy_helpers.phi)
def phi_rule(y, g):
    d[g] = scipy_helpers.phi(d[y])


@adjoint(scipy_helpers.fold_triangle)
def fold_triangle_rule(y, g, lower, symmetric=True):
    d[g] = scipy_helpers.unfold_triangle(d[y], lower, symmetric)


@adjoint(scipy_helpers.unfold_triangle)
def unfold_triangle_rule(y, h, lower, symmetric=True):
    d[h] = scipy_helpers.fold_triangle(d[y], lower, symmetric)


@adjoint(scipy_helpers.covariance_matrix)
def covariance_matrix_rule(y, cov, n):
    d[cov] = scipy_helpers.covariance_back(d[y], cov)


@adjoint(scipy_helpers.covariance_back)
def covariance_back_rule(y, g, cov):
    d[g] = scipy_helpers.covariance_matrix(d[y], np.shape(g)[-1])


nondifferentiable(scipy_helpers.no_sign, scipy_helpers.symmetric_assumption, scipy_helpers.adjoint_transposed,
                  scipy_helpers.is_transposed, scipy_helpers.flipped_trans, scipy_helpers.mvn_dim, scipy_helpers.no_disp)
nondifferentiable(scipy_helpers.signal_layout)


# ---- helpers of the NumPy tables: cumsum, einsum, norm, layouts, order statistics, scans, where= ---
# (rules/numpy*.py): linear helpers get their transposes;
# cumprod_adjoint, linear in g, gets the transpose in g (cumprod's tangent map) and, in a, the
# second derivative of cumprod (the Hessian is symmetric, so it is cumprod_adjoint's own tangent).

@adjoint(arrays.cumsum_adjoint)
def cumsum_adjoint_rule(y, g, a, axis):
    d[g] = np.cumsum(d[y], axis)


@adjoint(arrays.einsum_adjoints)
def einsum_adjoints_rule(z, g, subscripts, operands):
    back = einsum_back(d[z], g, subscripts, operands)
    d[g] = back[0]
    d[operands] = back[1]


@adjoint(arrays.norm_adjoint)
def norm_adjoint_rule(z, g, x, y, ord, axis, keepdims):
    # linear in g (transpose: the tangent map of the norm); in x, g times the norm's Hessian, which is
    # symmetric: the adjoint along d[z] is the tangent along it (y = norm(x) follows x)
    d[g] = norm_tangent(d[z], x, y, ord, axis, keepdims)
    d[x] = norm_adjoint_dot(g, x, y, d[z], norm_tangent(d[z], x, y, ord, axis, keepdims), ord, axis, keepdims)


@adjoint(arrays.prod_adjoint)
def prod_adjoint_rule(z, g, a, y, axis, keepdims):
    # as for the norm: the transpose in g is prod's tangent map, and in a (y follows a) the Hessian of
    # the product, symmetric, so its product with d[z] is prod_adjoint's tangent along d[z]
    d[g] = prod_tangent(d[z], a, y, axis, keepdims)
    d[a] = prod_adjoint_dot(g, a, y, d[z], axis, keepdims)


@adjoint(arrays.untake)
def untake_rule(y, g, a, indices, axis):
    d[g] = np.take(d[y], indices, axis)


@adjoint(shapes.pad_adjoint)
def pad_adjoint_rule(y, g, array, pad_width, mode, kwargs):
    d[g] = shapes.pad_linear(d[y], array, pad_width, mode, kwargs)


@adjoint(shapes.pad_linear)
def pad_linear_rule(y, t, array, pad_width, mode, kwargs):
    d[t] = shapes.pad_adjoint(d[y], array, pad_width, mode, kwargs)


@adjoint(shapes.pad_values_adjoint)
def pad_values_adjoint_rule(y, g, array, pad_width, mode, values):
    d[g] = shapes.pad_values(d[y], array, pad_width, mode)


@adjoint(shapes.pad_values)
def pad_values_rule(y, t, array, pad_width, mode):
    d[t] = shapes.pad_values_adjoint(d[y], array, pad_width, mode, t)


@adjoint(shapes.diagonal_adjoint)
def diagonal_adjoint_rule(y, g, a, offset, axis1, axis2):
    d[g] = np.diagonal(d[y], offset, axis1, axis2)


@adjoint(shapes.untake_along)
def untake_along_rule(y, g, arr, indices, axis):
    d[g] = np.take_along_axis(d[y], indices, axis)


@adjoint(shapes.unsplit)
def unsplit_rule(y, g, ary, indices_or_sections, axis):
    d[g] = shapes.resplit(d[y], ary, indices_or_sections, axis)


@adjoint(shapes.resplit)
def resplit_rule(y, h, ary, indices_or_sections, axis):
    d[h] = shapes.unsplit(d[y], ary, indices_or_sections, axis)


@adjoint(shapes.aligned_weights)
def aligned_weights_rule(y, weights, a, axis, returned):
    d[weights] = np.reshape(d[y], np.shape(weights))


@adjoint(order.sort_adjoint)
def sort_adjoint_rule(y, g, a, z, axis):
    d[g] = order.sort_forth(d[y], a, z, axis)


@adjoint(order.sort_forth)
def sort_forth_rule(y, t, a, z, axis):
    d[t] = order.sort_adjoint(d[y], a, z, axis)


@adjoint(scans.cumprod_adjoint)
def cumprod_adjoint_rule(z, g, a, y, axis):
    d[g] = scans.cumprod_jvp(d[z], a, y, axis)
    d[a] = scans.cumprod_adjoint_dot(g, a, y, d[z], axis)


@adjoint(arrays.masked)
def masked_rule(y, g, where):
    d[g] = arrays.masked(d[y], where)


@adjoint(containers.dict_source_adjoint)
def dict_source_adjoint_rule(y, g, source, kwargs):
    d[g] = containers.dict_source_forth(d[y], source, kwargs)


@adjoint(containers.dict_source_forth)
def dict_source_forth_rule(y, t, source, kwargs):
    d[t] = containers.dict_source_adjoint(d[y], source, kwargs)
