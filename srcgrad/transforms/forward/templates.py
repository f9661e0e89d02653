"""Instantiate a tangent template at a call site, with symbolic zeros.

Template parameters become the call's atoms and `d[arg]` the argument's tangent: `t_x` for a
varied name, a display of tangents for a display, and a symbolic zero for anything that cannot
vary. Zeros are folded away (`0 * e`, `e + 0`, `-0`, `0[i]`, ...); a zero left where it cannot be
folded (inside a call) becomes a real one: `0.0` for a constant, `zeros_tangent(x)` otherwise.

>>> from srcgrad.codegen.unparse import unparse
>>> from srcgrad.syntax import parse_expr
>>> expr = parse_expr("t_x * y + x * ZERO")
>>> expr.right.right = zero(parse_expr("y"))
>>> print(unparse(fold(expr)).strip())
t_x * y
"""
import builtins
import copy
import inspect
from typing import Any, Callable

import gast

from srcgrad import syntax
from srcgrad.passes.optimize.simplify import simplify
from srcgrad.rules.registry import Rule
from srcgrad.rules.tangents.helpers import zeros_tangent

ZERO = "__srcgrad_zero__"


def zero(of: gast.expr) -> gast.Name:
    """A symbolic zero standing for the tangent of the expression `of`."""
    node = syntax.name(ZERO)
    node.of = of
    return node


def is_zero(node: gast.AST) -> bool:
    return isinstance(node, gast.Name) and node.id == ZERO


def fold(node: gast.expr, linear: Callable[[gast.Call], bool] = lambda call: False) -> gast.expr:
    """Fold symbolic zeros through arithmetic, subscripts, and the calls `linear` says vanish (bottom-up)."""
    for field, value in gast.iter_fields(node):
        if isinstance(value, gast.expr):
            setattr(node, field, fold(value, linear))
        elif isinstance(value, list):
            setattr(node, field, [fold(v, linear) if isinstance(v, gast.expr) else v for v in value])
        elif isinstance(value, gast.keyword):
            value.value = fold(value.value, linear)
    if isinstance(node, gast.Call):
        for kw in node.keywords:
            kw.value = fold(kw.value, linear)
    if isinstance(node, gast.BinOp):
        left, right = is_zero(node.left), is_zero(node.right)
        if isinstance(node.op, gast.Add):
            return node.right if left else node.left if right else node
        if isinstance(node.op, gast.Sub):
            if right:
                return node.left
            return gast.UnaryOp(op=gast.USub(), operand=node.right) if left else node
        if isinstance(node.op, (gast.Mult, gast.MatMult)):
            return node.left if left else node.right if right else node
        if isinstance(node.op, (gast.Div, gast.FloorDiv, gast.Mod)) and left:
            return node.left
        return node
    if isinstance(node, gast.UnaryOp) and is_zero(node.operand) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return node.operand
    if isinstance(node, (gast.Subscript, gast.Attribute)) and is_zero(node.value):
        return node.value
    if isinstance(node, gast.IfExp) and is_zero(node.body) and is_zero(node.orelse):
        return node.body
    if isinstance(node, gast.Call) and any(is_zero(a) for a in node.args) and linear(node):
        return zero(node)
    return node


def materialize(node: gast.expr, zero_of: Callable[[gast.expr], gast.expr]) -> gast.expr:
    """Replace the zeros left in `node` by real ones."""
    class Real(gast.NodeTransformer):
        def visit_Name(self, name: gast.Name):
            return zero_of(name.of) if is_zero(name) else name

    return Real().visit(node)


class _Substitute(gast.NodeTransformer):
    def __init__(self, rule: Rule, bindings: dict[str, gast.expr], tangent_of: Callable[[gast.expr], gast.expr],
                 renames: dict[str, str], ref: Callable[[Any, str], gast.Name]):
        self.rule, self.bindings, self.tangent_of, self.renames, self.ref = rule, bindings, tangent_of, renames, ref

    def visit_Subscript(self, node: gast.Subscript):
        if syntax.is_name(node.value, "d") and isinstance(node.slice, gast.Name):
            if node.slice.id not in self.bindings or node.slice.id == self.rule.result:
                raise AssertionError(f"tangent rule {self.rule.name} ({self.rule.where}) reads d[{node.slice.id}]")
            return self.tangent_of(self.bindings[node.slice.id])
        return self.generic_visit(node)

    def visit_Name(self, node: gast.Name):
        if node.id in self.renames:
            return gast.Name(id=self.renames[node.id], ctx=node.ctx, annotation=None, type_comment=None)
        if node.id in self.bindings:
            return copy.deepcopy(self.bindings[node.id])
        if node.id in self.rule.namespace or hasattr(builtins, node.id):
            obj = self.rule.namespace[node.id] if node.id in self.rule.namespace else getattr(builtins, node.id)
            name = self.ref(obj, node.id)
            name.obj = obj  # lets `fold` recognize linear functions
            return name
        raise AssertionError(f"tangent rule {self.rule.name} ({self.rule.where}) uses undefined name {node.id}")


def instantiate(rule: Rule, bindings: dict[str, gast.expr], tangent_of: Callable[[gast.expr], gast.expr],
                fresh: Callable[[str], str], ref: Callable[[Any, str], gast.Name],
                linear: Callable[[gast.expr], bool]) -> tuple[list[gast.stmt], gast.expr | None]:
    """The template's own statements, and the result's tangent (folded; a symbolic zero when it vanishes).

    `bindings` maps every template parameter and the result to an expression at the call site.
    """
    local: set[str] = set()
    for stmt in rule.body:
        local |= syntax.names_stored(stmt)
    local -= set(bindings)
    renames = {name: fresh(name) for name in sorted(local)}
    substitute = _Substitute(rule, bindings, tangent_of, renames, ref)
    stmts: list[gast.stmt] = []
    result: gast.expr | None = None
    for stmt in rule.body:
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript)
                and syntax.is_name(stmt.targets[0].value, "d")):
            result = fold(substitute.visit(copy.deepcopy(stmt.value)), linear)
        else:
            stmts.append(substitute.visit(copy.deepcopy(stmt)))
    return stmts, result


def _without_defaults(node: gast.expr) -> gast.expr:
    """Drop arguments a template passes at their default values (`np.sum(t, axis=None)` -> `np.sum(t)`)."""
    for call in gast.walk(node):
        if not isinstance(call, gast.Call):
            continue
        func = call.func
        obj = getattr(func, "obj", None) if isinstance(func, gast.Name) else None
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            obj = getattr(getattr(func.value, "obj", None), func.attr, None)
        try:
            params = list(inspect.signature(obj).parameters.values()) if obj is not None else []
        except (TypeError, ValueError):
            params = []
        defaults = {p.name: p.default for p in params if p.default is not p.empty}

        def is_default(name: str, value: gast.expr) -> bool:
            if name not in defaults:
                return False
            if getattr(value, "defaulted", False):  # the call site left the template's parameter at its default
                return True
            default = defaults.get(name, params)  # params: a sentinel that equals no constant
            return isinstance(value, gast.Constant) and type(value.value) is type(default) and value.value == default

        call.keywords = [kw for kw in call.keywords if not is_default(kw.arg, kw.value)]
        while not call.keywords and len(call.args) > 1 and len(call.args) <= len(params) \
                and not isinstance(call.args[-1], gast.Starred) \
                and is_default(params[len(call.args) - 1].name, call.args[-1]):
            call.args.pop()
    return node


def finish(expr: gast.expr, zero_of: Callable[[gast.expr], gast.expr]) -> gast.expr:
    """Real zeros for the symbolic ones left, defaults dropped, then constant folding (`x ** (2 - 1)` -> `x`)."""
    return simplify(_without_defaults(materialize(expr, zero_of)))


__all__ = ["ZERO", "finish", "fold", "instantiate", "is_zero", "zero", "zeros_tangent"]
