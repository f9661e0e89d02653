"""Adjoint templates for NumPy functions that move, copy or mask elements: roll, pad, triu, tril,
diagonal, diff, take_along_axis, and the split family (split, array_split, hsplit, vsplit, dsplit).
All are linear in the array, so each adjoint is the transposed map.
"""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.registry import adjoint, method_alias, nondifferentiable
from srcgrad.runtime import unbroadcast
from srcgrad.runtime.shapes import (
    diagonal_adjoint, diff_pad, diff_parts, hsplit_axis, pad_adjoint, pad_values_adjoint, split_positions,
    untake_along, unsplit,
)

# ---- moves and copies ------------------------------------------------------------------------


@adjoint(np.roll)
def roll(y, a, shift, axis=None):
    d[a] = np.roll(d[y], np.negative(shift), axis)


@adjoint(np.pad)
def pad(y, array, pad_width, mode="constant", *, constant_values=0, **kwargs):
    # each input element collects the adjoints of its copies; constant_values those of the cells it fills
    d[array] = pad_adjoint(d[y], array, pad_width, mode, kwargs)
    d[constant_values] = pad_values_adjoint(d[y], array, pad_width, mode, constant_values)


@adjoint(np.take_along_axis)
def take_along_axis(y, arr, indices, axis=-1):
    # a gather: repeated indices (and axes of length one broadcast against indices) add their adjoints up
    d[arr] = untake_along(d[y], arr, indices, axis)


@adjoint(np.diagonal)
def diagonal(y, a, offset=0, axis1=0, axis2=1):
    d[a] = diagonal_adjoint(d[y], a, offset, axis1, axis2)


# ---- masks -----------------------------------------------------------------------------------


@adjoint(np.triu)
def triu(y, m, k=0):
    d[m] = np.triu(d[y], k)


@adjoint(np.tril)
def tril(y, m, k=0):
    d[m] = np.tril(d[y], k)


# ---- differences -----------------------------------------------------------------------------


@adjoint(np.diff)
def diff(y, a, n=1, axis=-1, prepend=None, append=None):
    # the n-th difference D^n of the joined array [prepend, a, append] has adjoint (-D)^n of the
    # adjoint padded with n zeros on both sides (D's transpose is minus a difference)
    joined = (-1.0) ** n * np.diff(np.pad(d[y], diff_pad(d[y], n, axis)), n, axis)
    parts = diff_parts(a, axis, prepend, append)
    d[a] = joined[parts.a]
    d[prepend] = unbroadcast(joined[parts.prepend], prepend)
    d[append] = unbroadcast(joined[parts.append], append)


# ---- splits: the result is a list of slices, whose adjoint arrives piece by piece -------------


@adjoint(np.split, np.array_split)
def split(y, ary, indices_or_sections, axis=0):
    d[ary] = unsplit(d[y], ary, indices_or_sections, axis)


@adjoint(np.hsplit)
def hsplit(y, ary, indices_or_sections):
    d[ary] = unsplit(d[y], ary, indices_or_sections, hsplit_axis(ary))


@adjoint(np.vsplit)
def vsplit(y, ary, indices_or_sections):
    d[ary] = unsplit(d[y], ary, indices_or_sections, 0)


@adjoint(np.dsplit)
def dsplit(y, ary, indices_or_sections):
    d[ary] = unsplit(d[y], ary, indices_or_sections, 2)


nondifferentiable(diff_pad, diff_parts, hsplit_axis, split_positions)
method_alias(diagonal=np.diagonal)
