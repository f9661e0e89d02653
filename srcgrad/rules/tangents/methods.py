"""Tangent templates for array methods whose signature differs from a NumPy function's.

Methods that match a NumPy function (`x.sum(axis=0)`) use that function's tangent rule.
"""
# ruff: noqa: F821
import numpy as np

from srcgrad.rules.tangents.helpers import cast_tangent, dict_part_tangent, item_tangent
from srcgrad.rules.tangents.registry import tangent_method


@tangent_method("reshape", "flatten", "ravel", "squeeze")
def reshape(y, self, *args, **kwargs):
    d[y] = np.reshape(d[self], np.shape(y))


@tangent_method("transpose")
def transpose(y, self, *axes):
    d[y] = np.transpose(d[self], axes[0] if len(axes) == 1 else axes or None)


@tangent_method("T")
def T(y, self):
    d[y] = np.transpose(d[self])


@tangent_method("copy", "astype")
def copy(y, self, *args, **kwargs):
    d[y] = cast_tangent(d[self], y)


@tangent_method("item")
def item(y, self, *args):
    d[y] = item_tangent(d[self], args)


@tangent_method("get")
def get(y, self, key, default=None):
    d[y] = d[self][key] if key in self else d[default]


@tangent_method("values")
def dict_values(y, self):
    d[y] = dict_part_tangent(d[self], self, 1)


@tangent_method("items")
def dict_items(y, self):
    d[y] = dict_part_tangent(d[self], self, 2)
