"""Which variables always hold scalars: Python numbers, or NumPy scalars (full reductions, ufuncs of numbers).

Gradient code is specialized on the kinds of arguments seen at the first call: where a
variable is known to be a scalar (shape ()), broadcasting cannot have happened, so `unbroadcast`
disappears and zeros are `0.0`. That is what makes scalar-heavy loops cheap.

>>> import gast, math
>>> tree = gast.parse('''
... def f(a, x, n):
...     b = a * 2.0
...     c = math.sin(b) + a
...     y = x * b
...     for i in range(n):
...         b = b + i
...     return c
... ''').body[0]
>>> callee = lambda call: {"math.sin": math.sin, "range": range}.get(gast.dump(call.func).count("sin") and "math.sin"
...                                                                  or "range")
>>> sorted(number_names(tree, {"a", "n"}, callee))
['a', 'b', 'c', 'i', 'n']
"""
import builtins
import math
from typing import Any, Callable

import gast
import numpy as np

from srcgrad import syntax

_NUMERIC_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.FloorDiv, gast.Mod)
_MATH = {getattr(math, n) for n in dir(math) if callable(getattr(math, n))}
_BUILTINS = {builtins.abs, builtins.float, builtins.int, builtins.len, builtins.pow, builtins.round}
# reductions that return a scalar when called on one array without `axis`
_FULL_REDUCTIONS = {np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod, np.var, np.std}


def _hashable(obj: Any) -> bool:
    try:
        hash(obj)
        return True
    except TypeError:
        return False


def _is_number(expr: gast.expr, numbers: set[str], callee: Callable[[gast.Call], Any]) -> bool:
    if isinstance(expr, gast.Constant):
        return type(expr.value) in (int, float)
    if isinstance(expr, gast.Name):
        return expr.id in numbers
    if isinstance(expr, gast.BinOp):
        return isinstance(expr.op, _NUMERIC_OPS) and _is_number(expr.left, numbers, callee) \
            and _is_number(expr.right, numbers, callee)
    if isinstance(expr, gast.UnaryOp):
        return isinstance(expr.op, (gast.USub, gast.UAdd)) and _is_number(expr.operand, numbers, callee)
    if isinstance(expr, gast.Call):
        obj = callee(expr)
        if obj in (builtins.len, builtins.int, builtins.round):
            return True
        if obj in _MATH or obj in (builtins.float, builtins.abs, builtins.pow):
            return all(_is_number(a, numbers, callee) for a in expr.args)
        if obj in (builtins.max, builtins.min):
            return all(_is_number(a, numbers, callee) for a in expr.args)
        if isinstance(obj, np.ufunc) and obj.nout == 1 and not expr.keywords:  # np.sin(x) of a float: a scalar
            return len(expr.args) == obj.nin and all(_is_number(a, numbers, callee) for a in expr.args)
        if _hashable(obj) and obj in _FULL_REDUCTIONS:
            axis_free = len(expr.args) == 1 or (len(expr.args) == 2 and isinstance(expr.args[1], gast.Constant)
                                                and expr.args[1].value is None)
            keywords = {k.arg for k in expr.keywords}
            return axis_free and not keywords & {"axis", "keepdims", "out"}
    if isinstance(expr, gast.IfExp):
        return _is_number(expr.body, numbers, callee) and _is_number(expr.orelse, numbers, callee)
    return False


def number_names(fdef: gast.FunctionDef, number_params: set[str], callee: Callable[[gast.Call], Any]) -> set[str]:
    """The variables that hold a Python int or float at every assignment (greatest fixed point)."""
    bindings: dict[str, list] = {}
    for node in gast.walk(fdef):
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name):
                    bindings.setdefault(target.id, []).append(node.value)
                else:
                    for name in syntax.names_stored(target) | syntax.names_loaded(target):
                        bindings.setdefault(name, []).append(None)  # element writes, unpacking: unknown
        elif isinstance(node, gast.For):
            ranged = isinstance(node.iter, gast.Call) and callee(node.iter) is builtins.range
            for name in syntax.names_stored(node.target):
                bindings.setdefault(name, []).append(syntax.const(0) if ranged else None)
        elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) \
                and isinstance(node.value.func, gast.Attribute) and isinstance(node.value.func.value, gast.Name):
            bindings.setdefault(node.value.func.value.id, []).append(None)  # a method may mutate it
    params = {a.id for a in fdef.args.posonlyargs + fdef.args.args + fdef.args.kwonlyargs}
    numbers = (set(bindings) - params) | set(number_params)
    for param in params - set(number_params):
        numbers.discard(param)
    changed = True
    while changed:
        changed = False
        for name in list(numbers):
            values = bindings.get(name, [])
            if any(v is None or not _is_number(v, numbers, callee) for v in values):
                numbers.discard(name)
                changed = True
    return numbers
