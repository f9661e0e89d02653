"""The tangent table: `TANGENTS` maps a primal (function, operator type or method key) to its template.

A tangent template is a plain Python function whose first parameter is the primal's result and
whose other parameters are the primal's, by name, exactly like an adjoint template. Its body is
never run: it is parsed once and inlined, with `d[v]` standing for the tangent of `v`. The
template *assigns* `d[result]`; the tangent of an argument that does not vary is a symbolic zero,
so terms that carry it drop out at the call site. A template that assigns nothing says the
result's tangent is zero (piecewise-constant functions).
"""
from typing import Any, Callable

from srcgrad.errors import SrcgradError
from srcgrad.rules.registry import METHODS, Rule, _key, _parse_template

TANGENTS: dict[Any, Rule] = {}  # primal (same keys as ADJOINTS) -> tangent rule


def _register(key: Any, template: Callable, name: str) -> Rule:
    result, sig, body = _parse_template(template)
    code = template.__code__
    rule = Rule(key, name, result, sig, body, template.__globals__,
                f"{code.co_filename.rsplit('/', 1)[-1]}:{code.co_firstlineno}")
    k = _key(key)
    if k in TANGENTS and TANGENTS[k].where != rule.where:
        raise SrcgradError(f"a tangent rule for {name} is already registered at {TANGENTS[k].where}")
    TANGENTS[k] = rule
    return rule


def tangent(*primals: Any) -> Callable[[Callable], Callable]:
    """Register the decorated template as the tangent rule of each primal.

    >>> import numpy as np
    >>> @tangent(np.tanh)            # doctest: +SKIP
    ... def tanh(y, x):
    ...     d[y] = d[x] * (1.0 - y * y)
    """
    def register(template: Callable) -> Callable:
        for primal in primals:
            _register(primal, template, getattr(primal, "__name__", str(primal)))
        return template

    return register


def tangent_method(*names: str) -> Callable[[Callable], Callable]:
    """Register a tangent template for an array method (`x.reshape(...)`); its first parameter after the result is `self`."""
    def register(template: Callable) -> Callable:
        for method in names:
            _register(("method", method), template, f".{method}()")
        return template

    return register


def lookup_tangent(key: Any) -> Rule | None:
    """The tangent rule for a primal, or for the key of its adjoint rule (`Rule.key`)."""
    return TANGENTS.get(_key(key))


def lookup_tangent_method(method: str) -> Rule | None:
    if ("method", method) in TANGENTS:
        return TANGENTS[("method", method)]
    if method in METHODS:
        return lookup_tangent(METHODS[method])
    return None
