"""Derivative rules as data: one table per library, each rule a small Python template.

Importing this package fills the registry with every built-in table.
"""
from srcgrad.rules import builtins, math, methods, numpy, operators, runtime  # noqa: F401  (fill the tables)
from srcgrad.rules.registry import ADJOINTS, NONDIFFERENTIABLE, Rule, adjoint, adjoint_method, lookup, nondifferentiable

__all__ = ["ADJOINTS", "NONDIFFERENTIABLE", "Rule", "adjoint", "adjoint_method", "lookup", "nondifferentiable"]
