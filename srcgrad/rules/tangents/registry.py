"""The tangent table: `TANGENTS` maps a primal (function, operator type or method key) to its template.

A tangent template is a plain Python function whose first parameter is the primal's result and
whose other parameters are the primal's, by name, exactly like an adjoint template. Its body is
never run: it is parsed once and inlined, with `d[v]` standing for the tangent of `v`. The
template *assigns* `d[result]`; the tangent of an argument that does not vary is a symbolic zero,
so terms that carry it drop out at the call site. A template that assigns nothing says the
result's tangent is zero (piecewise-constant functions).
"""
from typing import Any, Callable

from srcgrad.rules.registry import METHODS, OPTIONAL, Rule, _key, load_optional, template_decorator

TANGENTS: dict[Any, Rule] = {}  # primal (same keys as ADJOINTS) -> tangent rule


def tangent(*primals: Any) -> Callable[[Callable], Callable]:
    """Register the decorated template as the tangent rule of each primal.

    >>> import numpy as np
    >>> @tangent(np.tanh)            # doctest: +SKIP
    ... def tanh(y, x):
    ...     d[y] = d[x] * (1.0 - y * y)
    """
    return template_decorator(TANGENTS, [(p, getattr(p, "__name__", str(p))) for p in primals], "tangent rule")


def tangent_method(*names: str) -> Callable[[Callable], Callable]:
    """Register a tangent template for an array method (`x.reshape(...)`); its first parameter after the result is `self`."""
    return template_decorator(TANGENTS, [(("method", m), f".{m}()") for m in names], "tangent rule")


def lookup_tangent(key: Any) -> Rule | None:
    """The tangent rule for a primal, or for the key of its adjoint rule (`Rule.key`)."""
    if OPTIONAL:
        load_optional()
    return TANGENTS.get(_key(key))


def lookup_tangent_method(method: str) -> Rule | None:
    if ("method", method) in TANGENTS:
        return TANGENTS[("method", method)]
    if method in METHODS:
        return lookup_tangent(METHODS[method])
    return None
