"""Tangent (forward-mode) rules as data: one table per library, mirroring the adjoint tables.

Importing this package fills `TANGENTS` with every built-in table.
"""
from srcgrad.rules.tangents import (  # noqa: F401  (fill the tables)
    math, methods, numpy, numpy_linalg, numpy_products, numpy_shapes, numpy_stats, operators, runtime,
)
from srcgrad.rules.tangents.registry import TANGENTS, lookup_tangent, lookup_tangent_method, tangent, tangent_method

__all__ = ["TANGENTS", "lookup_tangent", "lookup_tangent_method", "tangent", "tangent_method"]
