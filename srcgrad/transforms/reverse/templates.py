"""Instantiate an adjoint template at a call site.

Template parameters are replaced by the call's atoms, `d[result]` by the incoming adjoint,
template-local names by fresh names, and free names (np, unbroadcast, ...) by names the
generated module can see. Each `d[x] = value` becomes an accumulation into x's adjoint, or is
dropped when x does not vary.
"""
import builtins
import copy
from typing import Any, Callable

import gast

from srcgrad import syntax
from srcgrad.passes.optimize.simplify import simplify
from srcgrad.rules.registry import Rule

_LITERALS = (type(None), bool, int, float, complex, str, bytes, type(Ellipsis))


def value_node(value: Any, ref: Callable[[Any, str], gast.Name]) -> gast.expr:
    """An expression for a Python value: a literal when it has one, else a name bound to it."""
    if isinstance(value, _LITERALS):
        return syntax.const(value)
    if isinstance(value, tuple) and all(isinstance(v, _LITERALS) for v in value):
        return gast.Tuple(elts=[syntax.const(v) for v in value], ctx=gast.Load())
    return ref(value, getattr(value, "__name__", "value"))


def bind_arguments(rule: Rule, args: list[gast.expr], keywords: dict[str, gast.expr],
                   ref: Callable[[Any, str], gast.Name]) -> dict[str, gast.expr]:
    """Template parameter -> expression at this call site (TypeError when the call does not fit)."""
    bound = rule.signature.bind(*args, **keywords)
    result: dict[str, gast.expr] = {}
    for param in rule.signature.parameters.values():
        if param.name in bound.arguments:
            value = bound.arguments[param.name]
            if param.kind == param.VAR_POSITIONAL:
                value = gast.Tuple(elts=list(value), ctx=gast.Load())
            elif param.kind == param.VAR_KEYWORD:
                value = gast.Dict(keys=[syntax.const(k) for k in value], values=list(value.values()))
            result[param.name] = value
        elif param.kind == param.VAR_POSITIONAL:
            result[param.name] = gast.Tuple(elts=[], ctx=gast.Load())
        elif param.kind == param.VAR_KEYWORD:
            result[param.name] = gast.Dict(keys=[], values=[])
        else:
            result[param.name] = value_node(param.default, ref)
    return result


class _Substitute(gast.NodeTransformer):
    def __init__(self, rule: Rule, bindings: dict[str, gast.expr], incoming: gast.expr,
                 renames: dict[str, str], ref: Callable[[Any, str], gast.Name]):
        self.rule = rule
        self.bindings = bindings
        self.incoming = incoming
        self.renames = renames
        self.ref = ref

    def visit_Subscript(self, node: gast.Subscript):
        if syntax.is_name(node.value, "d") and isinstance(node.slice, gast.Name):
            if node.slice.id != self.rule.result:
                raise AssertionError(f"rule {self.rule.name} ({self.rule.where}) reads an argument's adjoint")
            return copy.deepcopy(self.incoming)
        return self.generic_visit(node)

    def visit_Name(self, node: gast.Name):
        if node.id in self.renames:
            return gast.Name(id=self.renames[node.id], ctx=node.ctx, annotation=None, type_comment=None)
        if node.id == self.rule.result:
            return copy.deepcopy(self.bindings[node.id])
        if node.id in self.bindings:
            return copy.deepcopy(self.bindings[node.id])
        if node.id in self.rule.namespace:
            return self.ref(self.rule.namespace[node.id], node.id)
        if hasattr(builtins, node.id):
            return self.ref(getattr(builtins, node.id), node.id)
        raise AssertionError(f"rule {self.rule.name} ({self.rule.where}) uses undefined name {node.id}")


def instantiate(rule: Rule, bindings: dict[str, gast.expr], incoming: gast.expr, fresh: Callable[[str], str],
                ref: Callable[[Any, str], gast.Name]):
    """Yield ('stmt', node) for plain template statements and ('write', param, value) for `d[param] = value`."""
    local = set()
    for stmt in rule.body:
        local |= syntax.names_stored(stmt)
    local -= set(bindings)
    renames = {name: fresh(name) for name in sorted(local)}
    substitute = _Substitute(rule, bindings, incoming, renames, ref)
    for stmt in rule.body:
        if (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], gast.Subscript) and syntax.is_name(stmt.targets[0].value, "d")):
            param = stmt.targets[0].slice.id
            value = stmt.value
            if isinstance(value, gast.Call) and syntax.is_name(value.func, "index_grad"):
                primal, index, grad = (simplify(substitute.visit(copy.deepcopy(a))) for a in value.args)
                yield ("write_index", param, primal, index, grad)
            else:
                yield ("write", param, simplify(substitute.visit(copy.deepcopy(value))))
        else:
            yield ("stmt", simplify(substitute.visit(copy.deepcopy(stmt))))
