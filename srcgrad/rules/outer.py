"""Rules for `ufunc.outer` (`np.subtract.outer(a, b)`), derived from the ufunc's own elementwise rules.

`f.outer(a, b)` is `f(a2, b)` with `a2 = np.reshape(a, np.shape(a) + (1,) * np.ndim(b))`: a's axes
first, then b's by broadcasting. The derived adjoint template computes `a2` and runs the ufunc's
adjoint template with `a2` in place of its first argument, reshaping what it writes into `d[a2]`
back to a's shape (the ufunc's template already sums it over b's axes: unbroadcast). The derived
tangent template reads the tangent of `a2`, np.reshape of a's tangent, where the ufunc's reads a's.
Both are made of rules the tables already hold (np.reshape, the ufunc's), so gradients of `.outer`
differentiate again like the ufunc's own.
"""
import copy
from typing import Any

import gast
import numpy as np

from srcgrad.rules.registry import Rule, _key
from srcgrad.runtime.shapes import outer_layout

_RESHAPED = "outer_operand"  # the template-local name of a2


def _name(id_: str, ctx: Any = None) -> gast.Name:
    return gast.Name(id=id_, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


def _call(func: gast.expr, *args: gast.expr) -> gast.Call:
    return gast.Call(func=func, args=list(args), keywords=[])


def _np(attr: str) -> gast.Attribute:
    return gast.Attribute(value=_name("np"), attr=attr, ctx=gast.Load())


def _reshaped(value: gast.expr, first: str, second: str) -> gast.Call:
    """`np.reshape(value, outer_layout(first, second))`."""
    return _call(_np("reshape"), value, _call(_name("outer_layout"), _name(first), _name(second)))


def _is_d(node: gast.AST, name: str | None = None) -> bool:
    return (isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and node.value.id == "d"
            and isinstance(node.slice, gast.Name) and (name is None or node.slice.id == name))


class _Rename(gast.NodeTransformer):
    """Reads of `first` become reads of a2; `d[first]` (a tangent template's) the tangent of a2."""

    def __init__(self, first: str, second: str):
        self.first, self.second = first, second

    def visit_Subscript(self, node: gast.Subscript):
        if _is_d(node, self.first):
            return _reshaped(node, self.first, self.second)
        if _is_d(node):
            return node
        return self.generic_visit(node)

    def visit_Name(self, node: gast.Name):
        if node.id == self.first and isinstance(node.ctx, gast.Load):
            return _name(_RESHAPED)
        return node


def _derive(rule: Rule, ufunc: np.ufunc, adjoint: bool) -> Rule:
    first, second = list(rule.signature.parameters)[:2]
    body = [gast.Assign(targets=[_name(_RESHAPED, gast.Store())],
                        value=_reshaped(_name(first), first, second), type_comment=None)]
    for stmt in rule.body:
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 else None
        new = _Rename(first, second).visit(copy.deepcopy(stmt))
        if _is_d(target):  # the write itself keeps its target
            new.targets = [copy.deepcopy(target)]
        if adjoint and _is_d(target, first):  # what flows into a2, back in a's shape
            new.value = _call(_np("reshape"), new.value, _call(_np("shape"), _name(first)))
        body.append(new)
    for stmt in body:
        gast.fix_missing_locations(stmt)
    namespace = {**rule.namespace, "np": np, "outer_layout": outer_layout}
    return Rule(ufunc.outer, f"{rule.name}.outer", rule.result, rule.signature, tuple(body), namespace,
                f"{rule.where} (.outer)")


def outer_rules(table: dict[Any, Rule], *ufuncs: np.ufunc) -> None:
    """Register in `table` (the adjoint or the tangent table) the rule of `f.outer` for each two-argument ufunc f
    whose own rule it holds."""
    from srcgrad.rules.registry import ADJOINTS

    for ufunc in ufuncs:
        if ufunc.nin != 2 or ufunc.signature is not None:
            raise ValueError(f"{ufunc.__name__}.outer: not an elementwise two-argument ufunc")
        table[_key(ufunc.outer)] = _derive(table[_key(ufunc)], ufunc, table is ADJOINTS)
