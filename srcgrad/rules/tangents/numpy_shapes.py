"""Tangent templates for NumPy functions that move, copy or mask elements: linear, so the tangent
goes through the same map (np.pad's constants contribute their own tangents; a split's tangent is
the list of the tangent's pieces)."""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.tangents.helpers import diff_tangent
from srcgrad.rules.tangents.registry import tangent
from srcgrad.runtime.shapes import pad_linear, pad_values


@tangent(np.roll)
def roll(y, a, shift, axis=None):
    d[y] = np.roll(d[a], shift, axis)


@tangent(np.pad)
def pad(y, array, pad_width, mode="constant", *, constant_values=0, **kwargs):
    d[y] = pad_linear(d[array], array, pad_width, mode, kwargs) + pad_values(d[constant_values], array, pad_width, mode)


@tangent(np.take_along_axis)
def take_along_axis(y, arr, indices, axis=-1):
    d[y] = np.take_along_axis(d[arr], indices, axis)


@tangent(np.diagonal)
def diagonal(y, a, offset=0, axis1=0, axis2=1):
    d[y] = np.diagonal(d[a], offset, axis1, axis2)


@tangent(np.triu)
def triu(y, m, k=0):
    d[y] = np.triu(d[m], k)


@tangent(np.tril)
def tril(y, m, k=0):
    d[y] = np.tril(d[m], k)


@tangent(np.diff)
def diff(y, a, n=1, axis=-1, prepend=None, append=None):
    d[y] = diff_tangent(d[a], d[prepend], d[append], a, n, axis, prepend, append)


@tangent(np.split)
def split(y, ary, indices_or_sections, axis=0):
    d[y] = np.split(d[ary], indices_or_sections, axis)


@tangent(np.array_split)
def array_split(y, ary, indices_or_sections, axis=0):
    d[y] = np.array_split(d[ary], indices_or_sections, axis)


@tangent(np.hsplit)
def hsplit(y, ary, indices_or_sections):
    d[y] = np.hsplit(d[ary], indices_or_sections)


@tangent(np.vsplit)
def vsplit(y, ary, indices_or_sections):
    d[y] = np.vsplit(d[ary], indices_or_sections)


@tangent(np.dsplit)
def dsplit(y, ary, indices_or_sections):
    d[y] = np.dsplit(d[ary], indices_or_sections)
