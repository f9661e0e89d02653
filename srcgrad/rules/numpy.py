"""Adjoint templates for NumPy: primal result first, then the primal's arguments by name.

`d[v]` is the adjoint of `v`; writes to `d[x]` are accumulated by the compiler.
Templates are parsed once and inlined, never executed, so `d` is never defined.
Reductions that pick one element (max, min) split the adjoint evenly between ties.
"""
# ruff: noqa: F821
import numpy as np

from srcgrad.runtime.arrays import (
    above, balanced_eq, below, cast_like, count, cumsum_adjoint, dot_adjoint_left, dot_adjoint_right, einsum_adjoints, inside_clip, inverse_axes, item_or_zero, masked, norm_adjoint, prod_adjoint, select_adjoint, sinc_derivative, solve_adjoint_a, solve_adjoint_b, split_like, trace_adjoint, undiag, unhstack, unrepeat, unstack, untake, untile, unvstack,
)
from srcgrad.rules.outer import outer_rules
from srcgrad.rules.registry import ADJOINTS, adjoint, method_alias, nondifferentiable
from srcgrad.runtime import unbroadcast, unreduce
from srcgrad.runtime.linalg import matmul_adjoint_left, matmul_adjoint_right
from srcgrad.runtime.shapes import outer_layout

# ---- elementwise, one argument ------------------------------------------------------------

@adjoint(np.negative)
def negative(y, x):
    d[x] = -d[y]


@adjoint(np.positive)
def positive(y, x):
    d[x] = d[y]


@adjoint(np.exp)
def exp(y, x):
    d[x] = d[y] * y


@adjoint(np.exp2)
def exp2(y, x):
    d[x] = d[y] * y * np.log(2.0)


@adjoint(np.expm1)
def expm1(y, x):
    d[x] = d[y] * (y + 1.0)


@adjoint(np.log)
def log(y, x):
    d[x] = d[y] / x


@adjoint(np.log2)
def log2(y, x):
    d[x] = d[y] / (x * np.log(2.0))


@adjoint(np.log10)
def log10(y, x):
    d[x] = d[y] / (x * np.log(10.0))


@adjoint(np.log1p)
def log1p(y, x):
    d[x] = d[y] / (1.0 + x)


@adjoint(np.sqrt)
def sqrt(y, x):
    d[x] = d[y] * 0.5 / y


@adjoint(np.cbrt)
def cbrt(y, x):
    d[x] = d[y] / (3.0 * y * y)


@adjoint(np.square)
def square(y, x):
    d[x] = d[y] * 2.0 * x


@adjoint(np.reciprocal)
def reciprocal(y, x):
    d[x] = -d[y] * y * y


@adjoint(np.abs, np.absolute, np.fabs)
def absolute(y, x):
    d[x] = d[y] * np.sign(x)


@adjoint(np.sin)
def sin(y, x):
    d[x] = d[y] * np.cos(x)


@adjoint(np.cos)
def cos(y, x):
    d[x] = -d[y] * np.sin(x)


@adjoint(np.tan)
def tan(y, x):
    d[x] = d[y] * (1.0 + y * y)


@adjoint(np.arcsin)
def arcsin(y, x):
    d[x] = d[y] / np.sqrt(1.0 - x * x)


@adjoint(np.arccos)
def arccos(y, x):
    d[x] = -d[y] / np.sqrt(1.0 - x * x)


@adjoint(np.arctan)
def arctan(y, x):
    d[x] = d[y] / (1.0 + x * x)


@adjoint(np.sinh)
def sinh(y, x):
    d[x] = d[y] * np.cosh(x)


@adjoint(np.cosh)
def cosh(y, x):
    d[x] = d[y] * np.sinh(x)


@adjoint(np.tanh)
def tanh(y, x):
    d[x] = d[y] * (1.0 - y * y)


@adjoint(np.arcsinh)
def arcsinh(y, x):
    d[x] = d[y] / np.sqrt(x * x + 1.0)


@adjoint(np.arccosh)
def arccosh(y, x):
    d[x] = d[y] / np.sqrt(x * x - 1.0)


@adjoint(np.arctanh)
def arctanh(y, x):
    d[x] = d[y] / (1.0 - x * x)


@adjoint(np.sinc)
def sinc(y, x):
    d[x] = d[y] * sinc_derivative(x, y)


# ---- elementwise, two arguments (broadcasting) -----------------------------------------------

@adjoint(np.add)
def add(z, x1, x2):
    d[x1] = unbroadcast(d[z], x1)
    d[x2] = unbroadcast(d[z], x2)


@adjoint(np.subtract)
def subtract(z, x1, x2):
    d[x1] = unbroadcast(d[z], x1)
    d[x2] = unbroadcast(-d[z], x2)


@adjoint(np.multiply)
def multiply(z, x1, x2):
    d[x1] = unbroadcast(d[z] * x2, x1)
    d[x2] = unbroadcast(d[z] * x1, x2)


@adjoint(np.divide, np.true_divide)
def divide(z, x1, x2):
    d[x1] = unbroadcast(d[z] / x2, x1)
    d[x2] = unbroadcast(-d[z] * z / x2, x2)


@adjoint(np.power)
def power(z, x1, x2):
    d[x1] = unbroadcast(d[z] * x2 * x1 ** (x2 - 1), x1)
    d[x2] = unbroadcast(d[z] * z * np.log(np.where(x1 > 0, x1, 1)), x2)


@adjoint(np.arctan2)
def arctan2(z, x1, x2):
    d[x1] = unbroadcast(d[z] * x2 / (x1 * x1 + x2 * x2), x1)
    d[x2] = unbroadcast(-d[z] * x1 / (x1 * x1 + x2 * x2), x2)


@adjoint(np.hypot)
def hypot(z, x1, x2):
    d[x1] = unbroadcast(d[z] * x1 / z, x1)
    d[x2] = unbroadcast(d[z] * x2 / z, x2)


@adjoint(np.maximum, np.fmax)
def maximum(z, x1, x2):
    d[x1] = unbroadcast(d[z] * balanced_eq(x1, z, x2), x1)
    d[x2] = unbroadcast(d[z] * balanced_eq(x2, z, x1), x2)


@adjoint(np.minimum, np.fmin)
def minimum(z, x1, x2):
    d[x1] = unbroadcast(d[z] * balanced_eq(x1, z, x2), x1)
    d[x2] = unbroadcast(d[z] * balanced_eq(x2, z, x1), x2)


@adjoint(np.logaddexp)
def logaddexp(z, x1, x2):
    d[x1] = unbroadcast(d[z] * np.exp(x1 - z), x1)
    d[x2] = unbroadcast(d[z] * np.exp(x2 - z), x2)


@adjoint(np.logaddexp2)
def logaddexp2(z, x1, x2):
    d[x1] = unbroadcast(d[z] * np.exp2(x1 - z), x1)
    d[x2] = unbroadcast(d[z] * np.exp2(x2 - z), x2)


@adjoint(np.where)
def where(out, condition, x=None, y=None):
    d[x] = unbroadcast(np.where(condition, d[out], 0.0), x)
    d[y] = unbroadcast(np.where(condition, 0.0, d[out]), y)


@adjoint(np.clip)
def clip(y, a, a_min=None, a_max=None):
    d[a] = unbroadcast(d[y] * inside_clip(a, a_min, a_max), a)
    d[a_min] = unbroadcast(d[y] * below(a, a_min), a_min)
    d[a_max] = unbroadcast(d[y] * above(a, a_max), a_max)


# ---- reductions ------------------------------------------------------------------------------

@adjoint(np.sum)
def sum_(y, a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True):
    d[a] = masked(unreduce(d[y], a, axis, keepdims), where)
    d[initial] = np.sum(d[y])


@adjoint(np.mean)
def mean(y, a, axis=None, dtype=None, out=None, keepdims=False, where=True):
    d[a] = masked(unreduce(d[y] / count(a, axis, where, keepdims), a, axis, keepdims), where)


@adjoint(np.prod)
def prod(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] = prod_adjoint(d[y], a, y, axis, keepdims)


@adjoint(np.max, np.amax)
def max_(y, a, axis=None, out=None, keepdims=False):
    d[a] = select_adjoint(d[y], a, y, axis, keepdims)


@adjoint(np.min, np.amin)
def min_(y, a, axis=None, out=None, keepdims=False):
    d[a] = select_adjoint(d[y], a, y, axis, keepdims)


@adjoint(np.var)
def var(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[a] = unreduce(d[y], a, axis, keepdims) * 2.0 * (a - np.mean(a, axis, keepdims=True)) / (count(a, axis) - ddof)


@adjoint(np.std)
def std(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[a] = unreduce(d[y] / y, a, axis, keepdims) * (a - np.mean(a, axis, keepdims=True)) / (count(a, axis) - ddof)


@adjoint(np.cumsum)
def cumsum(y, a, axis=None, dtype=None, out=None):
    d[a] = cumsum_adjoint(d[y], a, axis)


@adjoint(np.trace)
def trace(y, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    d[a] = trace_adjoint(d[y], a, offset, axis1, axis2)


# ---- products --------------------------------------------------------------------------------

@adjoint(np.dot)
def dot(y, a, b, out=None):
    d[a] = dot_adjoint_left(d[y], a, b)
    d[b] = dot_adjoint_right(d[y], a, b)


@adjoint(np.matmul)
def matmul(y, x1, x2):
    d[x1] = matmul_adjoint_left(d[y], x1, x2)
    d[x2] = matmul_adjoint_right(d[y], x1, x2)


@adjoint(np.outer)
def outer(y, a, b):
    d[a] = np.reshape(np.dot(d[y], np.ravel(b)), np.shape(a))
    d[b] = np.reshape(np.dot(np.ravel(a), d[y]), np.shape(b))


@adjoint(np.vdot)
def vdot(y, a, b):
    d[a] = np.reshape(d[y] * np.ravel(b), np.shape(a))
    d[b] = np.reshape(d[y] * np.ravel(a), np.shape(b))


@adjoint(np.einsum)
def einsum(y, subscripts, *operands):
    d[operands] = einsum_adjoints(d[y], subscripts, operands)


# ---- shapes ----------------------------------------------------------------------------------

@adjoint(np.reshape)
def reshape(y, a, *args, **kwargs):
    d[a] = np.reshape(d[y], np.shape(a))


@adjoint(np.ravel)
def ravel(y, a, order="C"):
    d[a] = np.reshape(d[y], np.shape(a))


@adjoint(np.squeeze)
def squeeze(y, a, axis=None):
    d[a] = np.reshape(d[y], np.shape(a))


@adjoint(np.expand_dims)
def expand_dims(y, a, axis):
    d[a] = np.reshape(d[y], np.shape(a))


@adjoint(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast(y, a):
    d[a] = np.reshape(d[y], np.shape(a))


@adjoint(np.transpose)
def transpose(y, a, axes=None):
    d[a] = np.transpose(d[y], inverse_axes(axes, a))


@adjoint(np.swapaxes)
def swapaxes(y, a, axis1, axis2):
    d[a] = np.swapaxes(d[y], axis1, axis2)


@adjoint(np.moveaxis)
def moveaxis(y, a, source, destination):
    d[a] = np.moveaxis(d[y], destination, source)


@adjoint(np.broadcast_to)
def broadcast_to(y, array, shape, subok=False):
    d[array] = unbroadcast(d[y], array)


@adjoint(np.concatenate)
def concatenate(y, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    d[arrays] = split_like(d[y], arrays, axis)


@adjoint(np.stack)
def stack(y, arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    d[arrays] = unstack(d[y], arrays, axis)


@adjoint(np.hstack)
def hstack(y, tup, dtype=None, casting="same_kind"):
    d[tup] = unhstack(d[y], tup)


@adjoint(np.vstack)
def vstack(y, tup, dtype=None, casting="same_kind"):
    d[tup] = unvstack(d[y], tup)


@adjoint(np.tile)
def tile(y, A, reps):
    d[A] = untile(d[y], A, reps)


@adjoint(np.repeat)
def repeat(y, a, repeats, axis=None):
    d[a] = unrepeat(d[y], a, repeats, axis)


@adjoint(np.take)
def take(y, a, indices, axis=None, out=None, mode="raise"):
    d[a] = untake(d[y], a, indices, axis)


@adjoint(np.diag)
def diag(y, v, k=0):
    d[v] = undiag(d[y], v, k)


@adjoint(np.flip)
def flip(y, m, axis=None):
    d[m] = np.flip(d[y], axis)


@adjoint(np.copy, np.array, np.asarray, np.ascontiguousarray)
def copy(y, a, *args, **kwargs):
    d[a] = cast_like(d[y], a)


@adjoint(np.float64, np.float32, np.float16, np.longdouble)
def float_cast(y, x=0.0):
    d[x] = d[y]


@adjoint(np.mod, np.remainder)
def mod(z, x1, x2):
    d[x1] = unbroadcast(d[z], x1)
    d[x2] = unbroadcast(-d[z] * np.floor_divide(x1, x2), x2)


@adjoint(np.fmod)
def fmod(z, x1, x2):
    d[x1] = unbroadcast(d[z], x1)
    d[x2] = unbroadcast(-d[z] * np.trunc(x1 / x2), x2)


# ---- linear algebra --------------------------------------------------------------------------

@adjoint(np.linalg.norm)
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[x] = norm_adjoint(d[y], x, y, ord, axis, keepdims)


@adjoint(np.linalg.det)
def det(y, a):
    # Jacobi's formula: d det(A) = det(A) tr(A^-1 dA)
    d[a] = (d[y] * y)[..., None, None] * np.swapaxes(np.linalg.inv(a), -1, -2)


@adjoint(np.linalg.slogdet)
def slogdet(y, a):
    d[a] = item_or_zero(d[y], 1)[..., None, None] * np.swapaxes(np.linalg.inv(a), -1, -2)


@adjoint(np.linalg.inv)
def inv(y, a):
    d[a] = -np.swapaxes(y, -1, -2) @ d[y] @ np.swapaxes(y, -1, -2)


@adjoint(np.linalg.solve)
def solve(y, a, b):
    d[b] = solve_adjoint_b(d[y], a, b)
    d[a] = solve_adjoint_a(d[y], a, b, y)


# ---- no derivative ---------------------------------------------------------------------------

nondifferentiable(
    np.zeros, np.ones, np.empty, np.full, np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    np.arange, np.linspace, np.logspace, np.eye, np.identity, np.shape, np.ndim, np.size,
    np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero, np.flatnonzero, np.sign, np.floor,
    np.ceil, np.round, np.rint, np.trunc, np.fix, np.isfinite, np.isnan, np.isinf, np.isclose,
    np.allclose, np.array_equal, np.equal, np.not_equal, np.less, np.less_equal, np.greater,
    np.greater_equal, np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.all, np.any,
    np.count_nonzero, np.searchsorted, np.unique, np.tri, np.triu_indices, np.tril_indices,
    np.diag_indices, np.indices, np.meshgrid, np.result_type, np.dtype,
    np.int32, np.int64, np.floor_divide, np.isscalar, np.broadcast_shapes, np.heaviside, np.bincount,
    np.digitize, np.histogram,
)
nondifferentiable(*(getattr(np.random, name) for name in dir(np.random) if callable(getattr(np.random, name))))
if hasattr(np, "round_"):
    nondifferentiable(np.round_)

# ---- ufunc.outer: derived from the ufunc's own rule (rules/outer.py) ----------------------------

outer_rules(ADJOINTS, np.add, np.subtract, np.multiply, np.divide, np.power, np.arctan2, np.hypot, np.maximum,
            np.fmax, np.minimum, np.fmin, np.logaddexp, np.logaddexp2, np.mod, np.fmod)
nondifferentiable(outer_layout)

method_alias(
    sum=np.sum, mean=np.mean, prod=np.prod, max=np.max, min=np.min, var=np.var, std=np.std,
    cumsum=np.cumsum, dot=np.dot, clip=np.clip, ravel=np.ravel, squeeze=np.squeeze,
    swapaxes=np.swapaxes, trace=np.trace, take=np.take, repeat=np.repeat,
)
