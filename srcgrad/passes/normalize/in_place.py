"""`x op= e` on an array keeps the array's dtype and shape: generated code casts `x op e` back.

desugar.py turns `x += e` into `x = x + e` (marked augmented), which is right for numbers, tuples
and lists, but NumPy writes the result into the array x: a float32 x stays float32 when e is
float64, and an x that `x op e` would broadcast to a larger shape is an error. Where x may hold an
array (it is not among the names the numbers analysis proved hold Python numbers), the statement
becomes `_t = x + e; x = in_place(_t, x)` (runtime/augmented.py), which does what NumPy does.
`xs[i] += e`, which ANF made `_t = xs[i] + e; xs[i] = _t`, gets `_t1 = xs[i]; _t2 = in_place(_t, _t1)`
before `xs[i] = _t2`: an array item of a list changes in place the same way (and
passes/analyses/aliasing.py checks that no other name holds it).

>>> from srcgrad.passes.normalize.testing import show
>>> from srcgrad.naming import Namer
>>> import gast
>>> def mark(tree):
...     for stmt in tree.body[:2]:
...         stmt.augmented = True
...     return cast_in_place(tree, {'n'}, Namer({'f', 'x', 'n', 'e'}), lambda obj, n: gast.Name(n, gast.Load(), None, None))
>>> show(mark, '''
... def f(x, n, e):
...     x = x + e
...     n = n + 1
...     return x * n
... ''')
def f(x, n, e):
    _t1 = x + e
    x = in_place(_t1, x)
    n = n + 1
    return x * n
"""
from typing import Any, Callable

import gast

from srcgrad import runtime, syntax
from srcgrad.naming import Namer


def _updates(value: gast.expr, name: str) -> bool:
    """`name op e`, as desugar.py writes `name op= e` (not `[v] + xs`, its rebinding for `xs.insert(0, v)`),
    with no display operand (`xs + [v]` is a list's)."""
    return (isinstance(value, gast.BinOp) and isinstance(value.left, gast.Name) and value.left.id == name
            and not isinstance(value.right, (gast.List, gast.Tuple, gast.Dict)))


def cast_in_place(tree: gast.FunctionDef, numbers: set[str], namer: Namer,
                  ref: Callable[[Any, str], gast.Name]) -> gast.FunctionDef:
    """Give every augmented assignment to a name that may hold an array NumPy's in-place result."""

    def block(stmts: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    setattr(stmt, field, block(getattr(stmt, field)))
            target = stmt.targets[0] if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 else None
            if getattr(stmt, "augmented", False) and isinstance(target, gast.Subscript):
                # after ANF: `xs[i] = _t` with _t = xs[i] + e; xs[i] still holds the old item
                old, result = namer.numbered("_t"), namer.numbered("_t")
                out.append(gast.copy_location(syntax.assign(old, syntax.with_load(target)), stmt))
                out.append(gast.copy_location(syntax.assign(result, syntax.call(
                    ref(runtime.in_place, "in_place"), stmt.value, syntax.name(old))), stmt))
                stmt.value = syntax.name(result)
                stmt.in_place_item = old  # passes/analyses/aliasing.py: other names holding the item see the write
            elif (getattr(stmt, "augmented", False) and isinstance(target, gast.Name) and target.id not in numbers
                    and _updates(stmt.value, target.id)):
                result = namer.numbered("_t")
                out.append(gast.copy_location(syntax.assign(result, stmt.value), stmt))
                stmt.value = gast.copy_location(
                    syntax.call(ref(runtime.in_place, "in_place"), syntax.name(result), syntax.name(target.id)), stmt)
            out.append(stmt)
        return out

    tree.body = block(tree.body)
    return tree
