"""Desugar: docstrings and `pass` dropped, `x op= e` becomes `x = x op e`.

>>> from srcgrad.passes.normalize.testing import show
>>> show(desugar, '''
... def f(x):
...     "doc"
...     x += 2.0
...     return x
... ''')
def f(x):
    x = x + 2.0
    return x
"""
import gast

from srcgrad import syntax


class _Desugar(gast.NodeTransformer):
    def visit_Expr(self, node: gast.Expr):
        if isinstance(node.value, gast.Constant) and isinstance(node.value.value, str):
            return None  # docstring or stray string
        return node

    def visit_Pass(self, node: gast.Pass):
        return None

    def visit_AugAssign(self, node: gast.AugAssign):
        value = gast.BinOp(left=syntax.with_load(node.target), op=node.op, right=node.value)
        stmt = gast.copy_location(syntax.assign(syntax.clone(node.target), gast.copy_location(value, node)), node)
        stmt.augmented = True  # `x += e` works in place on arrays: passes/analyses/aliasing.py checks nothing sees it
        return stmt

    def visit_AnnAssign(self, node: gast.AnnAssign):
        if node.value is None:
            return None
        return gast.copy_location(syntax.assign(node.target, node.value), node)


def desugar(tree: gast.FunctionDef, ctx=None) -> gast.FunctionDef:
    """Rewrite sugar into the core statements later passes handle."""
    tree = _Desugar().visit(tree)
    if not tree.body:
        tree.body = [gast.Return(value=syntax.const(None))]
    return tree
