"""Tangent templates for Python's operators (keyed by gast operator type) and builtins.

`d[v]` is the tangent of `v`; a template assigns `d[result]`. The tangent of an argument that
does not vary is a symbolic zero, so `d[x] * y + x * d[y]` reads `t_x * y` when only x varies.
`broadcast_like(e, z)` keeps the result's shape when a broadcast partner's term dropped out.
"""
# ruff: noqa: F821
import builtins
import operator

import gast
import numpy as np

from srcgrad.rules.tangents.helpers import (broadcast_like, dict_tangent, field_tangent, in_place_tangent, list_tangent,
                                            sequence_tangent, zeros_tangent)
from srcgrad.rules.tangents.registry import tangent
from srcgrad.runtime import as_sequence, in_place
from srcgrad.runtime.arrays import balanced_eq

# ---- operators -------------------------------------------------------------------------------


@tangent(gast.Add)
def add(z, x, y):
    d[z] = broadcast_like(d[x] + d[y], z)


@tangent(gast.Sub)
def sub(z, x, y):
    d[z] = broadcast_like(d[x] - d[y], z)


@tangent(gast.Mult)
def mult(z, x, y):
    d[z] = d[x] * y + x * d[y]


@tangent(gast.Div)
def div(z, x, y):
    d[z] = (d[x] - z * d[y]) / y


@tangent(gast.Pow)
def pow_(z, x, y):
    d[z] = d[x] * y * x ** (y - 1) + d[y] * z * np.log(np.where(x > 0, x, 1))


@tangent(gast.MatMult)
def matmult(z, x, y):
    d[z] = d[x] @ y + x @ d[y]


@tangent(gast.FloorDiv)
def floordiv(z, x, y):
    # piecewise constant: zero derivative almost everywhere
    pass


@tangent(gast.Mod)
def mod(z, x, y):
    d[z] = broadcast_like(d[x] - d[y] * np.floor_divide(x, y), z)


@tangent(gast.USub)
def usub(y, x):
    d[y] = -d[x]


@tangent(gast.UAdd)
def uadd(y, x):
    d[y] = d[x]


@tangent(operator.getitem)
def getitem(y, x, index):
    d[y] = d[x][index]


# ---- builtins --------------------------------------------------------------------------------


@tangent(builtins.float)
def float_(y, x=0.0):
    d[y] = d[x]


@tangent(builtins.abs)
def abs_(y, x):
    d[y] = d[x] * np.sign(x)


@tangent(builtins.sum)
def sum_(y, iterable, start=0):
    d[y] = sum(d[iterable], d[start])


@tangent(builtins.max)
def max_(y, a, b):
    d[y] = d[a] * balanced_eq(a, y, b) + d[b] * balanced_eq(b, y, a)


@tangent(builtins.min)
def min_(y, a, b):
    d[y] = d[a] * balanced_eq(a, y, b) + d[b] * balanced_eq(b, y, a)


@tangent(builtins.pow)
def bpow(z, base, exp):
    d[z] = d[base] * exp * base ** (exp - 1) + d[exp] * z * np.log(np.where(base > 0, base, 1))


@tangent(builtins.divmod)
def divmod_(y, a, b):
    d[y] = (zeros_tangent(y[0]), d[a] - d[b] * (a // b))


@tangent(builtins.list, builtins.tuple)
def list_(y, iterable=()):
    d[y] = list_tangent(d[iterable], y)


@tangent(builtins.getattr)
def getattr_(y, obj, name):
    d[y] = field_tangent(d[obj], obj, name)


@tangent(builtins.dict)
def dict_(y, source=(), /, **kwargs):
    d[y] = dict_tangent(d[source], d[kwargs], y, source, kwargs)


@tangent(in_place)
def in_place_(y, new, old):
    d[y] = in_place_tangent(d[new], y)


@tangent(as_sequence)
def as_sequence_(y, iterable):
    d[y] = sequence_tangent(d[iterable], y)
