"""Derivative rules as data: one table per library, each rule a small Python template.

Importing this package fills the registry with every built-in table.
"""
from srcgrad.rules import (  # noqa: F401  (fill the tables)
    builtins, math, methods, numpy, numpy_linalg, numpy_products, numpy_shapes, numpy_stats, operators, runtime,
)
from srcgrad.rules.registry import (
    ADJOINTS, NONDIFFERENTIABLE, Rule, adjoint, adjoint_method, lookup, nondifferentiable, optional,
)

# SciPy's tables load with the first lookup after the program imports that part of SciPy
optional("scipy.special", "srcgrad.rules.scipy_special", "srcgrad.rules.tangents.scipy_special")
optional("scipy.stats", "srcgrad.rules.scipy_stats", "srcgrad.rules.tangents.scipy_stats")
optional("scipy.linalg", "srcgrad.rules.scipy_linalg", "srcgrad.rules.tangents.scipy_linalg")
optional("scipy.signal", "srcgrad.rules.scipy_signal", "srcgrad.rules.tangents.scipy_signal")

__all__ = ["ADJOINTS", "NONDIFFERENTIABLE", "Rule", "adjoint", "adjoint_method", "lookup", "nondifferentiable"]
