"""Activity: which variables vary with the `wrt` arguments (flow-insensitive, to a fixed point).

A variable is varied when some assignment to it reads a varied variable through a
differentiable operation. Only varied variables get adjoints; everything else is left as the
user wrote it. (Usefulness to the output is handled later: an adjoint that stays zero emits nothing.)
"""
from typing import Callable

import gast

from srcgrad import syntax

NONDIFF_ATTRIBUTES = frozenset({"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "flags", "strides"})


def _assignments(body: list[gast.stmt]):
    """(targets, value) for every binding statement, nested ones included."""
    for stmt in body:
        for node in gast.walk(stmt):
            if isinstance(node, gast.Assign):
                yield [container_of(t) for t in node.targets], node.value
            elif isinstance(node, gast.For):
                yield [node.target], node.iter
            elif isinstance(node, gast.Expr) and is_append(node):
                yield [container_of(node.value.func.value)], node.value.args[0]


def container_of(target: gast.expr) -> gast.expr:
    """The name an assignment target rebinds or mutates: `buf` for `buf[i] = ...`."""
    while isinstance(target, gast.Subscript):
        target = target.value
    if isinstance(target, gast.Name) and not isinstance(target.ctx, gast.Store):
        return gast.Name(id=target.id, ctx=gast.Store(), annotation=None, type_comment=None)
    return target


def is_pop(value: gast.expr) -> bool:
    """`xs.pop()` on a local name, with no argument (the last element)."""
    return (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "pop"
            and isinstance(value.func.value, gast.Name) and not value.args and not value.keywords)


def is_append(stmt: gast.Expr) -> bool:
    """`xs.append(v)` on a local name, with one positional argument."""
    call = stmt.value
    return (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and call.func.attr == "append"
            and isinstance(call.func.value, gast.Name) and len(call.args) == 1 and not call.keywords)


def reads_varied(expr: gast.expr, varied: set[str], differentiable: Callable[[gast.Call], bool],
                 implicit: dict[str, tuple[str, ...]] | None = None) -> bool:
    """Whether `expr`'s value depends differentiably on a varied variable.

    `implicit` maps nested functions to the outer variables they read, which their calls read too.
    Walked with a stack, not recursion (a 500-term sum nests 500 levels): left to right, stopping at the first
    varied read, so `differentiable` sees the same calls in the same order as a recursive walk would.
    """
    stack = [expr]  # subexpressions still to look at, the leftmost last
    while stack:
        expr = stack.pop()
        if isinstance(expr, gast.Name):
            if expr.id in varied:
                return True
        elif isinstance(expr, (gast.Compare, gast.BoolOp)):
            continue
        elif isinstance(expr, gast.UnaryOp) and isinstance(expr.op, (gast.Not, gast.Invert)):
            continue
        elif isinstance(expr, gast.Attribute):
            if expr.attr not in NONDIFF_ATTRIBUTES:
                stack.append(expr.value)
        elif isinstance(expr, gast.Call):
            if not differentiable(expr):
                continue
            parts = list(expr.args) + [kw.value for kw in expr.keywords]
            if isinstance(expr.func, gast.Attribute):
                parts.append(expr.func.value)
            else:  # a function held in a variable (`f = partial(g, c=w)`) varies with what it was built from
                parts.append(expr.func)
            if implicit and isinstance(expr.func, gast.Name) and expr.func.id in implicit:
                if any(v in varied for v in implicit[expr.func.id]):
                    return True
            stack.extend(reversed(parts))
        elif isinstance(expr, gast.Subscript):
            stack.append(expr.value)
        else:
            stack.extend(reversed([child for child in gast.iter_child_nodes(expr) if isinstance(child, gast.expr)]))
    return False


def varied_names(body: list[gast.stmt], wrt: set[str],
                 differentiable: Callable[[gast.Call], bool] = lambda call: True,
                 implicit: dict[str, tuple[str, ...]] | None = None) -> set[str]:
    """The variables that vary with `wrt`."""
    varied = set(wrt)
    bindings = list(_assignments(body))
    changed = True
    while changed:
        changed = False
        for targets, value in bindings:
            if reads_varied(value, varied, differentiable, implicit):
                for target in targets:
                    new = syntax.names_stored(target) - varied
                    if new:
                        varied |= new
                        changed = True
    return varied
