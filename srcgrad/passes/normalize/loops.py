"""Loops over iterables become loops over an index range, so the backward sweep can run them in reverse.

`for TARGET in ITER` with ITER a list, tuple, array, dict, `zip(...)`, `enumerate(...)` or
`reversed(...)` becomes `for _i in range(n): TARGET = <element _i>`. Loops over `range(...)`
stay as they are.

>>> from srcgrad.passes.normalize.testing import show
>>> from srcgrad.naming import Namer
>>> show(lambda t: expand_loops(t, Namer({'f', 'xs', 'ys', 'x', 'y', 's'}), lambda obj, n: name(n)), '''
... def f(xs, ys):
...     s = 0.0
...     for x, y in zip(xs, ys):
...         s = s + x * y
...     return s
... ''')
def f(xs, ys):
    s = 0.0
    _s1 = as_sequence(xs)
    _s2 = as_sequence(ys)
    for _i1 in range(min(len(_s1), len(_s2))):
        x = _s1[_i1]
        y = _s2[_i1]
        s = s + x * y
    return s
"""
import builtins
from typing import Any, Callable

import gast

from srcgrad import runtime, syntax
from srcgrad.naming import Namer
from srcgrad.syntax import assign, call, const, name


def _is_builtin_call(node: gast.expr, fname: str) -> bool:
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == fname


class _Loops(gast.NodeTransformer):
    def __init__(self, namer: Namer, ref: Callable[[Any, str], gast.Name], local_names: set[str]):
        self.namer = namer
        self.ref = ref
        self.locals = local_names
        self.pre: list[gast.stmt] = []
        self.written: set[str] = set()  # arrays the loop being expanded writes into

    def builtin(self, fname: str) -> gast.Name:
        return self.ref(getattr(builtins, fname), fname)

    def is_builtin(self, node: gast.expr, fname: str) -> bool:
        return _is_builtin_call(node, fname) and fname not in self.locals

    def view(self, iterable: gast.expr) -> tuple[gast.expr, Callable[[gast.expr], gast.expr]]:
        """(length, element-at-index builder) for an iterable expression."""
        if self.is_builtin(iterable, "zip"):
            views = [self.view(arg) for arg in iterable.args]
            length = views[0][0] if len(views) == 1 else call(self.builtin("min"), *(v[0] for v in views))
            return length, lambda i: gast.Tuple(elts=[v[1](i) for v in views], ctx=gast.Load())
        if self.is_builtin(iterable, "enumerate"):
            length, element = self.view(iterable.args[0])
            start = iterable.args[1] if len(iterable.args) > 1 else next(
                (k.value for k in iterable.keywords if k.arg == "start"), None)
            index = (lambda i: i) if start is None else (lambda i: gast.BinOp(left=i, op=gast.Add(), right=start))
            return length, lambda i: gast.Tuple(elts=[index(i), element(i)], ctx=gast.Load())
        if self.is_builtin(iterable, "reversed"):
            length, element = self.view(iterable.args[0])
            last = gast.BinOp(left=length, op=gast.Sub(), right=const(1))
            return length, lambda i: element(gast.BinOp(left=last, op=gast.Sub(), right=i))
        seq = self.namer.numbered("_s")
        self.pre.append(assign(seq, call(self.ref(runtime.as_sequence, "as_sequence"), iterable)))
        length = call(self.builtin("len"), name(seq))
        if isinstance(iterable, gast.Name) and iterable.id in self.written:
            # the body writes into the array it iterates over: read it live, through its own name
            live = iterable.id
            return length, lambda i: gast.IfExp(
                test=gast.Compare(left=name(seq), ops=[gast.Is()], comparators=[name(live)]),
                body=gast.Subscript(value=name(live), slice=i, ctx=gast.Load()),
                orelse=gast.Subscript(value=name(seq), slice=syntax.clone(i), ctx=gast.Load()))
        return length, lambda i: gast.Subscript(value=name(seq), slice=i, ctx=gast.Load())

    def bind(self, target: gast.expr, value: gast.expr, out: list[gast.stmt]) -> None:
        if isinstance(target, (gast.Tuple, gast.List)) and isinstance(value, gast.Tuple) \
                and len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts, strict=True):
                self.bind(t, v, out)
        else:
            out.append(assign(target, value))

    def visit_For(self, node: gast.For):
        self.generic_visit(node)
        if self.is_builtin(node.iter, "range"):
            return node
        self.pre = []
        self.written = {t.value.id for n in gast.walk(node) if isinstance(n, (gast.Assign, gast.AugAssign))
                        for t in (n.targets if isinstance(n, gast.Assign) else [n.target])
                        if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)}
        length, element = self.view(node.iter)
        target = node.target
        # `for i, x in enumerate(xs)` can use i itself as the index
        if (self.is_builtin(node.iter, "enumerate") and len(node.iter.args) == 1 and not node.iter.keywords
                and isinstance(target, gast.Tuple) and isinstance(target.elts[0], gast.Name)):
            index = target.elts[0].id
            target = target.elts[1]
            element_of = element
            element = lambda i: element_of(i).elts[1]  # noqa: E731
        else:
            index = self.namer.numbered("_i")
        binds: list[gast.stmt] = []
        self.bind(target, element(name(index)), binds)
        for stmt in binds:
            gast.copy_location(stmt, node)
        loop = gast.For(target=name(index, gast.Store), iter=call(self.builtin("range"), length),
                        body=binds + node.body, orelse=[], type_comment=None)
        pre = [gast.copy_location(s, node) for s in self.pre]
        return pre + [gast.copy_location(loop, node)]


def expand_loops(tree: gast.FunctionDef, namer: Namer, ref: Callable[[Any, str], gast.Name],
                 local_names: set[str] = frozenset()) -> gast.FunctionDef:
    """Rewrite every loop over an iterable into a loop over an index range."""
    return _Loops(namer, ref, set(local_names)).visit(tree)
