"""Desugar: docstrings and `pass` dropped, `x op= e` becomes `x = x op e`; list and dict methods that change
their object in place become assignments (`xs.extend(e)`: `xs = xs + list(e)`; `xs.insert(0, v)`:
`xs = [v] + xs`; `v = xs.pop(0)`; `d.update(k=v)`: `d["k"] = v`; `d.update(e)`: `d = {**d, **e}`), each
marked so that passes/analyses/aliasing.py checks that no other name sees the object change.

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
from srcgrad.codegen.unparse import unparse


def _rebind(name: str, value: gast.expr, origin: gast.stmt) -> gast.Assign:
    """`name = value`, standing for a change of name's object in place (aliasing.py checks no one else sees it)."""
    stmt = gast.copy_location(syntax.assign(name, value), origin)
    for sub in gast.walk(stmt):
        gast.copy_location(sub, origin)
    stmt.augmented = True
    return stmt


def _slice(value: gast.expr, lower: gast.expr | None, upper: gast.expr | None) -> gast.Subscript:
    return gast.Subscript(value=value, slice=gast.Slice(lower=lower, upper=upper, step=None), ctx=gast.Load())


def _container_method(node: gast.stmt) -> tuple[str, str, gast.Call] | None:
    call = node.value
    if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name):
        return call.func.value.id, call.func.attr, call
    return None


class _Desugar(gast.NodeTransformer):
    def __init__(self, namer=None):
        self.namer = namer

    def _element_of_element(self, node: gast.Assign) -> list[gast.stmt] | gast.Assign:
        """`a[i][j] = v`: `_e = a[i]` then `_e[j] = v`, as Python runs it (v first, then a[i]); the write
        through `_e` is then a write through a second name, which aliasing.py decides like any other."""
        target = node.targets[0] if len(node.targets) == 1 else None
        if self.namer is None or not (isinstance(target, gast.Subscript) and isinstance(target.value, gast.Subscript)):
            return node
        out = []
        value = node.value
        if not isinstance(value, (gast.Name, gast.Constant)):
            temp = self.namer.numbered("_v")
            out.append(gast.copy_location(syntax.assign(temp, value), node))
            value = syntax.name(temp)
        element = self.namer.numbered("_e")
        out.append(gast.copy_location(syntax.assign(element, syntax.with_load(target.value)), node))
        write = gast.copy_location(gast.Assign(targets=[gast.Subscript(
            value=syntax.name(element), slice=target.slice, ctx=gast.Store())], value=value, type_comment=None), node)
        write.augmented = getattr(node, "augmented", False)
        write.element_of = unparse(target.value).strip()  # for messages: the user's `a[i]`, not `_e1`
        out.append(write)
        for stmt in out:
            for sub in gast.walk(stmt):
                gast.copy_location(sub, node)
        return out

    def visit_Expr(self, node: gast.Expr):
        if isinstance(node.value, gast.Constant) and isinstance(node.value.value, str):
            return None  # docstring or stray string
        found = _container_method(node)
        if found is None:
            return node
        name, method, call = found
        args, keywords = call.args, call.keywords
        if any(isinstance(a, gast.Starred) for a in args) or any(k.arg is None for k in keywords):
            return node
        xs = syntax.name(name)
        if method == "extend" and len(args) == 1 and not keywords:  # xs += list(e)
            return _rebind(name, gast.BinOp(left=xs, op=gast.Add(), right=syntax.call("list", args[0])), node)
        if method == "insert" and len(args) == 2 and not keywords:  # xs[:i] + [v] + xs[i:]
            index, value = args
            item = gast.List(elts=[value], ctx=gast.Load())
            if isinstance(index, gast.Constant) and index.value == 0:
                return _rebind(name, gast.BinOp(left=item, op=gast.Add(), right=xs), node)
            front = gast.BinOp(left=_slice(xs, None, index), op=gast.Add(), right=item)
            return _rebind(name, gast.BinOp(left=front, op=gast.Add(), right=_slice(syntax.name(name), syntax.clone(index),
                                                                                      None)), node)
        if method == "update" and not args and keywords:  # d[k] = v for each keyword
            return [gast.copy_location(syntax.assign(gast.Subscript(value=syntax.name(name), slice=syntax.const(k.arg),
                                                                    ctx=gast.Store()), k.value), node)
                    for k in keywords]
        if method == "update" and len(args) == 1 and not keywords and isinstance(args[0], gast.Dict) \
                and None not in args[0].keys:
            return [gast.copy_location(syntax.assign(gast.Subscript(value=syntax.name(name), slice=key,
                                                                    ctx=gast.Store()), value), node)
                    for key, value in zip(args[0].keys, args[0].values, strict=True)]
        if method == "update" and len(args) == 1 and not keywords:  # d = {**d, **other}
            return _rebind(name, gast.Dict(keys=[None, None], values=[xs, args[0]]), node)
        return node

    def visit_Assign(self, node: gast.Assign):
        """`v = xs.pop(0)` (a constant position): `v = xs[0]`, then xs without it."""
        value = node.value
        if (len(node.targets) == 1 and isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "pop" and isinstance(value.func.value, gast.Name) and len(value.args) == 1
                and not value.keywords and isinstance(value.args[0], gast.Constant)
                and type(value.args[0].value) is int and value.args[0].value >= 0):
            name, index = value.func.value.id, value.args[0].value
            read = gast.copy_location(syntax.assign(node.targets[0], gast.Subscript(
                value=syntax.name(name), slice=syntax.const(index), ctx=gast.Load())), node)
            rest = gast.BinOp(left=_slice(syntax.name(name), None, syntax.const(index)), op=gast.Add(),
                              right=_slice(syntax.name(name), syntax.const(index + 1), None))
            return [read, _rebind(name, rest, node)]
        return self._element_of_element(node)

    def visit_Pass(self, node: gast.Pass):
        return None

    def visit_AugAssign(self, node: gast.AugAssign):
        value = gast.BinOp(left=syntax.with_load(node.target), op=node.op, right=node.value)
        stmt = gast.copy_location(syntax.assign(syntax.clone(node.target), gast.copy_location(value, node)), node)
        stmt.augmented = True  # `x += e` works in place on arrays: passes/analyses/aliasing.py checks nothing sees it
        return self._element_of_element(stmt)

    def visit_AnnAssign(self, node: gast.AnnAssign):
        if node.value is None:
            return None
        return gast.copy_location(syntax.assign(node.target, node.value), node)


def desugar(tree: gast.FunctionDef, namer=None) -> gast.FunctionDef:
    """Rewrite sugar into the core statements later passes handle (`namer`: for `a[i][j] = v`)."""
    tree = _Desugar(namer).visit(tree)
    if not tree.body:
        tree.body = [gast.Return(value=syntax.const(None))]
    return tree
