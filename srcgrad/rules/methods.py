"""Adjoint templates for array methods and attributes whose signature differs from a NumPy function's.

Methods that take the array first and otherwise match a NumPy function (`x.sum(axis=0)`)
reuse that function's rule (see `method_alias` in rules/numpy.py).
"""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.registry import adjoint_method, nondifferentiable
from srcgrad.runtime import index_grad
from srcgrad.runtime.structure import items_adjoint, values_adjoint
from srcgrad.runtime.arrays import cast_like, inverse_axes, item_index


@adjoint_method("reshape")
def reshape(y, self, *shape, **kwargs):
    d[self] = np.reshape(d[y], np.shape(self))


@adjoint_method("flatten", "ravel", "squeeze")
def flatten(y, self, *args, **kwargs):
    d[self] = np.reshape(d[y], np.shape(self))


@adjoint_method("transpose")
def transpose(y, self, *axes):
    d[self] = np.transpose(d[y], inverse_axes(axes[0] if len(axes) == 1 else axes or None, self))


@adjoint_method("T")
def T(y, self):
    d[self] = np.transpose(d[y])


@adjoint_method("copy", "astype")
def copy(y, self, *args, **kwargs):
    d[self] = cast_like(d[y], self)


@adjoint_method("item")
def item(y, self, *args):
    d[self] = np.reshape(d[y], np.shape(self)) if not args else index_grad(self, item_index(self, args), d[y])


@adjoint_method("get")
def get(y, self, key, default=None):
    d[self] = index_grad(self, key, d[y])


# methods whose results carry no derivative (indices, tests, rounding), on arrays and on lists
nondifferentiable(*[("method", m) for m in ("argmax", "argmin", "argsort", "nonzero", "any", "all", "round",
                                             "index", "count", "keys", "searchsorted")])


@adjoint_method("values")
def dict_values(y, self):
    d[self] = values_adjoint(d[y], self)


@adjoint_method("items")
def dict_items(y, self):
    d[self] = items_adjoint(d[y], self)
