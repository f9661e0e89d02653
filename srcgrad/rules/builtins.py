"""Adjoint templates for Python builtins that numeric code calls."""
# ruff: noqa: F821
import builtins

from srcgrad.rules.registry import adjoint, nondifferentiable
import numpy as np

from srcgrad.runtime import (as_sequence, field_index, in_place, index_grad, item_adjoint, sequence_adjoint, stop_gradient,
                             sum_adjoint)
from srcgrad.runtime.arrays import balanced_eq
from srcgrad.runtime.containers import dict_source_adjoint


@adjoint(builtins.float)
def float_(y, x=0.0):
    d[x] = d[y]


@adjoint(builtins.abs)
def abs_(y, x):
    d[x] = d[y] * np.sign(x)


@adjoint(builtins.sum)
def sum_(y, iterable, start=0):
    d[iterable] = sum_adjoint(d[y], iterable)
    d[start] = d[y]


@adjoint(builtins.max)
def max_(y, a, b):
    d[a] = d[y] * balanced_eq(a, y, b)
    d[b] = d[y] * balanced_eq(b, y, a)


@adjoint(builtins.min)
def min_(y, a, b):
    d[a] = d[y] * balanced_eq(a, y, b)
    d[b] = d[y] * balanced_eq(b, y, a)


@adjoint(builtins.pow)
def pow_(z, base, exp):
    d[base] = d[z] * exp * base ** (exp - 1)
    d[exp] = d[z] * z * np.log(np.where(base > 0, base, 1))


@adjoint(builtins.divmod)
def divmod_(y, a, b):
    d[a] = item_adjoint(d[y], 1, a)
    d[b] = -item_adjoint(d[y], 1, b) * (a // b)


@adjoint(builtins.list, builtins.tuple)
def list_(y, iterable=()):
    d[iterable] = sequence_adjoint(d[y], iterable)


@adjoint(as_sequence)
def as_sequence_(y, iterable):
    d[iterable] = d[y]


@adjoint(in_place)
def in_place_(y, new, old):
    d[new] = d[y]


@adjoint(builtins.getattr)
def getattr_(y, obj, name):
    # `getattr(p, "W")` of a named tuple or dataclass is the field `p.W`
    d[obj] = index_grad(obj, field_index(obj, name), d[y])


@adjoint(builtins.dict)
def dict_(y, source=(), /, **kwargs):
    # a container constructor: each keyword value, or the source item that supplied a key, gets that key's adjoint
    d[source] = dict_source_adjoint(d[y], source, kwargs)
    d[kwargs] = d[y]


nondifferentiable(stop_gradient)
nondifferentiable(builtins.len, builtins.range, builtins.int, builtins.bool, builtins.round, builtins.print,
                  builtins.isinstance, builtins.type, builtins.str, builtins.repr,
                  builtins.any, builtins.all, builtins.hash, builtins.id,
                  )
