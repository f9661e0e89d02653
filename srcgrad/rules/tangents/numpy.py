"""Tangent templates for NumPy: primal result first, then the primal's arguments by name.

`d[v]` is the tangent of `v`; a template assigns `d[result]`. Linear functions apply themselves
to the tangent. Reductions that pick one element (max, min) take the mean tangent over ties,
matching the adjoints' even split.
"""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.tangents.helpers import (
    broadcast_like, cast_tangent, einsum_tangent, norm_tangent, prod_tangent, select_tangent, zeros_tangent,
)
from srcgrad.rules.outer import outer_rules
from srcgrad.rules.tangents.registry import TANGENTS, tangent
from srcgrad.runtime.arrays import above, balanced_eq, below, count, inside_clip, sinc_derivative

# ---- elementwise, one argument ------------------------------------------------------------


@tangent(np.negative)
def negative(y, x):
    d[y] = -d[x]


@tangent(np.positive)
def positive(y, x):
    d[y] = d[x]


@tangent(np.exp)
def exp(y, x):
    d[y] = d[x] * y


@tangent(np.exp2)
def exp2(y, x):
    d[y] = d[x] * y * np.log(2.0)


@tangent(np.expm1)
def expm1(y, x):
    d[y] = d[x] * (y + 1.0)


@tangent(np.log)
def log(y, x):
    d[y] = d[x] / x


@tangent(np.log2)
def log2(y, x):
    d[y] = d[x] / (x * np.log(2.0))


@tangent(np.log10)
def log10(y, x):
    d[y] = d[x] / (x * np.log(10.0))


@tangent(np.log1p)
def log1p(y, x):
    d[y] = d[x] / (1.0 + x)


@tangent(np.sqrt)
def sqrt(y, x):
    d[y] = d[x] * 0.5 / y


@tangent(np.cbrt)
def cbrt(y, x):
    d[y] = d[x] / (3.0 * y * y)


@tangent(np.square)
def square(y, x):
    d[y] = d[x] * 2.0 * x


@tangent(np.reciprocal)
def reciprocal(y, x):
    d[y] = -d[x] * y * y


@tangent(np.abs, np.absolute, np.fabs)
def absolute(y, x):
    d[y] = d[x] * np.sign(x)


@tangent(np.sin)
def sin(y, x):
    d[y] = d[x] * np.cos(x)


@tangent(np.cos)
def cos(y, x):
    d[y] = -d[x] * np.sin(x)


@tangent(np.tan)
def tan(y, x):
    d[y] = d[x] * (1.0 + y * y)


@tangent(np.arcsin)
def arcsin(y, x):
    d[y] = d[x] / np.sqrt(1.0 - x * x)


@tangent(np.arccos)
def arccos(y, x):
    d[y] = -d[x] / np.sqrt(1.0 - x * x)


@tangent(np.arctan)
def arctan(y, x):
    d[y] = d[x] / (1.0 + x * x)


@tangent(np.sinh)
def sinh(y, x):
    d[y] = d[x] * np.cosh(x)


@tangent(np.cosh)
def cosh(y, x):
    d[y] = d[x] * np.sinh(x)


@tangent(np.tanh)
def tanh(y, x):
    d[y] = d[x] * (1.0 - y * y)


@tangent(np.arcsinh)
def arcsinh(y, x):
    d[y] = d[x] / np.sqrt(x * x + 1.0)


@tangent(np.arccosh)
def arccosh(y, x):
    d[y] = d[x] / np.sqrt(x * x - 1.0)


@tangent(np.arctanh)
def arctanh(y, x):
    d[y] = d[x] / (1.0 - x * x)


@tangent(np.sinc)
def sinc(y, x):
    d[y] = d[x] * sinc_derivative(x, y)


# ---- elementwise, two arguments (broadcasting) -----------------------------------------------


@tangent(np.add)
def add(z, x1, x2):
    d[z] = broadcast_like(d[x1] + d[x2], z)


@tangent(np.subtract)
def subtract(z, x1, x2):
    d[z] = broadcast_like(d[x1] - d[x2], z)


@tangent(np.multiply)
def multiply(z, x1, x2):
    d[z] = d[x1] * x2 + x1 * d[x2]


@tangent(np.divide, np.true_divide)
def divide(z, x1, x2):
    d[z] = (d[x1] - z * d[x2]) / x2


@tangent(np.power)
def power(z, x1, x2):
    d[z] = d[x1] * x2 * x1 ** (x2 - 1) + d[x2] * z * np.log(np.where(x1 > 0, x1, 1))


@tangent(np.arctan2)
def arctan2(z, x1, x2):
    d[z] = (d[x1] * x2 - d[x2] * x1) / (x1 * x1 + x2 * x2)


@tangent(np.hypot)
def hypot(z, x1, x2):
    d[z] = (d[x1] * x1 + d[x2] * x2) / z


@tangent(np.maximum, np.fmax, np.minimum, np.fmin)
def maximum(z, x1, x2):
    d[z] = d[x1] * balanced_eq(x1, z, x2) + d[x2] * balanced_eq(x2, z, x1)


@tangent(np.logaddexp)
def logaddexp(z, x1, x2):
    d[z] = d[x1] * np.exp(x1 - z) + d[x2] * np.exp(x2 - z)


@tangent(np.logaddexp2)
def logaddexp2(z, x1, x2):
    d[z] = d[x1] * np.exp2(x1 - z) + d[x2] * np.exp2(x2 - z)


@tangent(np.where)
def where(out, condition, x=None, y=None):
    d[out] = broadcast_like(np.where(condition, d[x], d[y]), out)


@tangent(np.clip)
def clip(y, a, a_min=None, a_max=None):
    d[y] = broadcast_like(d[a] * inside_clip(a, a_min, a_max) + d[a_min] * below(a, a_min)
                          + d[a_max] * above(a, a_max), y)


@tangent(np.mod, np.remainder)
def mod(z, x1, x2):
    d[z] = broadcast_like(d[x1] - d[x2] * np.floor_divide(x1, x2), z)


@tangent(np.fmod)
def fmod(z, x1, x2):
    d[z] = broadcast_like(d[x1] - d[x2] * np.trunc(x1 / x2), z)


# ---- reductions ------------------------------------------------------------------------------


@tangent(np.sum)
def sum_(y, a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    d[y] = np.sum(d[a], axis=axis, keepdims=keepdims, where=where) + broadcast_like(d[initial], y)


@tangent(np.mean)
def mean(y, a, axis=None, dtype=None, out=None, keepdims=False, where=True):
    d[y] = np.mean(d[a], axis=axis, keepdims=keepdims, where=where)


@tangent(np.prod)
def prod(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[y] = prod_tangent(d[a], a, y, axis, keepdims)


@tangent(np.max, np.amax, np.min, np.amin)
def max_(y, a, axis=None, out=None, keepdims=False):
    d[y] = select_tangent(d[a], a, y, axis, keepdims)


@tangent(np.var)
def var(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[y] = np.sum(2.0 * (a - np.mean(a, axis, keepdims=True)) * d[a], axis=axis, keepdims=keepdims) \
        / (count(a, axis) - ddof)


@tangent(np.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[y] = np.sum((a - np.mean(a, axis, keepdims=True)) * d[a], axis=axis, keepdims=keepdims) \
        / ((count(a, axis) - ddof) * y)


@tangent(np.cumsum)
def cumsum(y, a, axis=None, dtype=None, out=None):
    d[y] = np.cumsum(d[a], axis)


@tangent(np.trace)
def trace(y, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    d[y] = np.trace(d[a], offset, axis1, axis2)


# ---- products --------------------------------------------------------------------------------


@tangent(np.dot)
def dot(y, a, b, out=None):
    d[y] = np.dot(d[a], b) + np.dot(a, d[b])


@tangent(np.matmul)
def matmul(y, x1, x2):
    d[y] = np.matmul(d[x1], x2) + np.matmul(x1, d[x2])


@tangent(np.outer)
def outer(y, a, b):
    d[y] = np.outer(d[a], b) + np.outer(a, d[b])


@tangent(np.vdot)
def vdot(y, a, b):
    d[y] = np.vdot(d[a], b) + np.vdot(a, d[b])


@tangent(np.einsum)
def einsum(y, subscripts, *operands):
    d[y] = einsum_tangent(subscripts, operands, d[operands])


# ---- shapes: linear, so the tangent goes through the same function ---------------------------


@tangent(np.reshape, np.ravel, np.squeeze, np.expand_dims, np.atleast_1d, np.atleast_2d, np.atleast_3d)
def reshape(y, a, *args, **kwargs):
    d[y] = np.reshape(d[a], np.shape(y))


@tangent(np.transpose)
def transpose(y, a, axes=None):
    d[y] = np.transpose(d[a], axes)


@tangent(np.swapaxes)
def swapaxes(y, a, axis1, axis2):
    d[y] = np.swapaxes(d[a], axis1, axis2)


@tangent(np.moveaxis)
def moveaxis(y, a, source, destination):
    d[y] = np.moveaxis(d[a], source, destination)


@tangent(np.broadcast_to)
def broadcast_to(y, array, shape, subok=False):
    d[y] = np.broadcast_to(d[array], np.shape(y))


@tangent(np.concatenate)
def concatenate(y, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    d[y] = np.concatenate(d[arrays], axis)


@tangent(np.stack)
def stack(y, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    d[y] = np.stack(d[arrays], axis)


@tangent(np.hstack)
def hstack(y, tup, dtype=None, casting="same_kind"):
    d[y] = np.hstack(d[tup])


@tangent(np.vstack)
def vstack(y, tup, dtype=None, casting="same_kind"):
    d[y] = np.vstack(d[tup])


@tangent(np.tile)
def tile(y, A, reps):
    d[y] = np.tile(d[A], reps)


@tangent(np.repeat)
def repeat(y, a, repeats, axis=None):
    d[y] = np.repeat(d[a], repeats, axis)


@tangent(np.take)
def take(y, a, indices, axis=None, out=None, mode="raise"):
    d[y] = np.take(d[a], indices, axis, mode=mode)


@tangent(np.diag)
def diag(y, v, k=0):
    d[y] = np.diag(d[v], k)


@tangent(np.flip)
def flip(y, m, axis=None):
    d[y] = np.flip(d[m], axis)


@tangent(np.copy, np.array, np.asarray, np.ascontiguousarray)
def copy(y, a, *args, **kwargs):
    d[y] = cast_tangent(d[a], y)


@tangent(np.float64, np.float32, np.float16, np.longdouble)
def float_cast(y, x=0.0):
    d[y] = cast_tangent(d[x], y)


# ---- linear algebra --------------------------------------------------------------------------


@tangent(np.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[y] = norm_tangent(d[x], x, y, ord, axis, keepdims)


@tangent(np.linalg.det)
def det(y, a):
    # Jacobi's formula: d det(A) = det(A) tr(A^-1 dA)
    d[y] = y * np.trace(np.linalg.solve(a, d[a]), axis1=-2, axis2=-1)


@tangent(np.linalg.slogdet)
def slogdet(y, a):
    d[y] = (zeros_tangent(y[0]), np.trace(np.linalg.solve(a, d[a]), axis1=-2, axis2=-1))


@tangent(np.linalg.inv)
def inv(y, a):
    d[y] = -(y @ d[a] @ y)


@tangent(np.linalg.solve)
def solve(y, a, b):
    d[y] = np.linalg.solve(a, d[b] - d[a] @ y)


# ---- ufunc.outer: derived from the ufunc's own rule (rules/outer.py) ----------------------------

outer_rules(TANGENTS, np.add, np.subtract, np.multiply, np.divide, np.power, np.arctan2, np.hypot, np.maximum,
            np.fmax, np.minimum, np.fmin, np.logaddexp, np.logaddexp2, np.mod, np.fmod)
