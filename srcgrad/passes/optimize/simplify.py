"""Constant folding and algebraic simplification of instantiated adjoint expressions.

Templates are written for the general case; at a call site some operands are constants, and
`d_y * 2 * x ** (2 - 1)` should read `d_y * 2 * x`. Only rewrites that keep the value (and so
the gradient) identical for every operand type are made.

>>> from srcgrad.codegen.unparse import unparse
>>> from srcgrad.syntax import parse_expr
>>> print(unparse(simplify(parse_expr("d_y * 2 * x ** (2 - 1) + -(-a) * (b * c) * 1"))).strip())
d_y * 2 * x + a * (b * c)
"""
import operator

import gast

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul, gast.Pow: operator.pow}


def _number(node: gast.expr) -> float | int | None:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _arithmetic(node: gast.expr) -> bool:
    """A product or sum (not a comparison): multiplying it by 1 changes nothing."""
    return isinstance(node, gast.BinOp) or (isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub))


class _Simplify(gast.NodeTransformer):
    def visit_BinOp(self, node: gast.BinOp):
        self.generic_visit(node)
        left, right, op = _number(node.left), _number(node.right), type(node.op)
        if left is not None and right is not None and op in _FOLD:
            try:
                return gast.Constant(value=_FOLD[op](left, right), kind=None)
            except (OverflowError, ZeroDivisionError):
                return node
        if op is gast.Pow and right == 1:
            return node.left
        # `b * 1.0` turns a boolean into a number: only drop the factor from arithmetic
        if op is gast.Mult and right == 1 and _arithmetic(node.left):
            return node.left
        if op is gast.Mult and left == 1 and _arithmetic(node.right):
            return node.right
        if op is gast.Div and right == 1 and _arithmetic(node.left):
            return node.left
        return node

    def visit_UnaryOp(self, node: gast.UnaryOp):
        self.generic_visit(node)
        if isinstance(node.op, gast.USub) and isinstance(node.operand, gast.UnaryOp) \
                and isinstance(node.operand.op, gast.USub):
            return node.operand.operand
        value = _number(node.operand)
        if isinstance(node.op, gast.USub) and value is not None:
            return node  # keep literal negatives as written
        return node


def simplify(node: gast.AST) -> gast.AST:
    """`node` with constant sub-expressions folded and identities (x * 1, x ** 1, --x) removed."""
    return _Simplify().visit(node)
