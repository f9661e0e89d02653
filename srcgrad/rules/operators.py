"""Adjoint templates for Python's operators, keyed by gast operator type.

`d[v]` is the adjoint of `v`; writes to `d[x]` are accumulated by the compiler.
Templates are parsed once and inlined, never executed, so `d` is never defined.
"""
# ruff: noqa: F821
import operator

import gast
import numpy as np

from srcgrad.rules.registry import adjoint, nondifferentiable
from srcgrad.runtime import index_grad, unbroadcast
from srcgrad.runtime.linalg import matmul_adjoint_left, matmul_adjoint_right


@adjoint(gast.Add)
def add(z, x, y):
    d[x] = unbroadcast(d[z], x)
    d[y] = unbroadcast(d[z], y)


@adjoint(gast.Sub)
def sub(z, x, y):
    d[x] = unbroadcast(d[z], x)
    d[y] = unbroadcast(-d[z], y)


@adjoint(gast.Mult)
def mult(z, x, y):
    d[x] = unbroadcast(d[z] * y, x)
    d[y] = unbroadcast(d[z] * x, y)


@adjoint(gast.Div)
def div(z, x, y):
    d[x] = unbroadcast(d[z] / y, x)
    d[y] = unbroadcast(-d[z] * z / y, y)


@adjoint(gast.Pow)
def pow_(z, x, y):
    d[x] = unbroadcast(d[z] * y * x ** (y - 1), x)
    d[y] = unbroadcast(d[z] * z * np.log(np.where(x > 0, x, 1)), y)


@adjoint(gast.MatMult)
def matmult(z, x, y):
    d[x] = matmul_adjoint_left(d[z], x, y)
    d[y] = matmul_adjoint_right(d[z], x, y)


@adjoint(gast.FloorDiv)
def floordiv(z, x, y):
    # piecewise constant: zero derivative almost everywhere
    pass


@adjoint(gast.Mod)
def mod(z, x, y):
    d[x] = unbroadcast(d[z], x)
    d[y] = unbroadcast(-d[z] * np.floor_divide(x, y), y)


@adjoint(gast.USub)
def usub(y, x):
    d[x] = -d[y]


@adjoint(gast.UAdd)
def uadd(y, x):
    d[x] = d[y]


@adjoint(operator.getitem)
def getitem(y, x, index):
    d[x] = index_grad(x, index, d[y])


nondifferentiable(gast.Not, gast.Invert, gast.BitAnd, gast.BitOr, gast.BitXor, gast.LShift, gast.RShift)

