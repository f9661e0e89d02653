"""Tangent (forward-mode) rules as data: one table per library, mirroring the adjoint tables.

Importing this package fills `TANGENTS` with every built-in table.
"""
from srcgrad.rules.tangents import math, methods, numpy, operators, runtime  # noqa: F401  (fill the tables)
from srcgrad.rules.tangents.registry import TANGENTS, lookup_tangent, lookup_tangent_method, tangent, tangent_method

__all__ = ["TANGENTS", "lookup_tangent", "lookup_tangent_method", "tangent", "tangent_method"]
