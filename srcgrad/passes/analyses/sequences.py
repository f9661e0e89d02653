"""Which variables always hold a Python list or tuple, so `+` and `*` on them concatenate and repeat.

`(a,) + (b,)` joins two tuples; `x + y` on arrays adds them. The adjoint of a concatenation hands
each operand its own slice of the result's adjoint, so the compiler must know which it is. A
variable is a sequence when every assignment to it is a list or tuple display, a call to `list`
or `tuple`, a concatenation or repetition of sequences, a slice of a sequence, or a copy of one
(greatest fixed point, like `numbers.py`). Appending to a list or writing its elements keeps it
a list. Anything else (a parameter, a loop variable, an element of a container) is not known to
be one.

>>> import gast
>>> tree = gast.parse('''
... def f(a, b, xs):
...     p = (a,) + (b,)
...     q = [a] * 3
...     r = p[1:] + q
...     s = xs + p
...     return r
... ''').body[0]
>>> sorted(sequence_names(tree, lambda call: None))
['p', 'q', 'r']
"""
import builtins
from typing import Any, Callable

import gast

from srcgrad import runtime, syntax

_MAKERS = (builtins.list, builtins.tuple)


def _is_sequence(expr: gast.expr, sequences: set[str], callee: Callable[[gast.Call], Any],
                 numbers: set[str] = frozenset()) -> bool:
    if isinstance(expr, (gast.Tuple, gast.List)):
        return True
    if isinstance(expr, gast.Name):
        return expr.id in sequences
    if isinstance(expr, gast.Call):
        if callee(expr) is runtime.in_place:  # `xs += ys` (passes/normalize/in_place.py): xs + ys
            return bool(expr.args) and _is_sequence(expr.args[0], sequences, callee, numbers)
        return callee(expr) in _MAKERS
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Add):
        return _is_sequence(expr.left, sequences, callee, numbers) and \
            _is_sequence(expr.right, sequences, callee, numbers)
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Mult):
        return is_repetition(expr.left, expr.right, sequences, numbers) is not None
    if isinstance(expr, gast.Subscript) and isinstance(expr.slice, gast.Slice):
        return _is_sequence(expr.value, sequences, callee, numbers)
    return False


def is_repetition(left: gast.expr, right: gast.expr, sequences: set[str],
                  numbers: set[str]) -> gast.expr | None:
    """In `left * right`, the sequence operand when the other is a count (`[a] * 3`, `n * (x,)`), else None."""
    def sequence(e: gast.expr) -> bool:
        return isinstance(e, (gast.Tuple, gast.List)) or (isinstance(e, gast.Name) and e.id in sequences)

    def count(e: gast.expr) -> bool:
        return (isinstance(e, gast.Constant) and type(e.value) is int) or (isinstance(e, gast.Name) and e.id in numbers)

    if sequence(left) and count(right):
        return left
    if sequence(right) and count(left):
        return right
    return None


def is_concatenation(left: gast.expr, right: gast.expr, sequences: set[str]) -> bool:
    """`left + right` joins two sequences (operands are atoms: names or displays)."""
    return all(isinstance(e, (gast.Tuple, gast.List)) or (isinstance(e, gast.Name) and e.id in sequences)
               for e in (left, right))


def _is_restore(node: gast.Assign) -> bool:
    """`v = None` (a placeholder) or `v = _tape.pop()` (a restore) in srcgrad's generated code."""
    value = node.value
    if isinstance(value, gast.Constant) and value.value is None:
        return True
    return (isinstance(value, gast.Call) and not value.args and isinstance(value.func, gast.Attribute)
            and value.func.attr == "pop" and isinstance(value.func.value, gast.Name)
            and value.func.value.id.startswith("_tape"))


def sequence_names(fdef: gast.FunctionDef, callee: Callable[[gast.Call], Any],
                   numbers: set[str] = frozenset(), generated: bool = False) -> set[str]:
    """The variables that hold a list or a tuple after every assignment to them.

    In srcgrad's own generated code (`generated`), placeholders and tape restores give a variable back
    a value it held before, so they do not count.
    """
    bindings: dict[str, list[gast.expr | None]] = {}
    for node in gast.walk(fdef):
        if isinstance(node, gast.Assign) and generated and _is_restore(node):
            continue
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name):
                    bindings.setdefault(target.id, []).append(node.value)
                elif not isinstance(target, gast.Subscript):  # element writes keep a list a list
                    for name in syntax.names_stored(target):
                        bindings.setdefault(name, []).append(None)
        elif isinstance(node, gast.For):
            for name in syntax.names_stored(node.target):
                bindings.setdefault(name, []).append(None)
    args = fdef.args
    params = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg] if a is not None}
    sequences = set(bindings) - params
    changed = True
    while changed:
        changed = False
        for name in sorted(sequences):
            if any(v is None or not _is_sequence(v, sequences, callee, numbers) for v in bindings[name]):
                sequences.discard(name)
                changed = True
    return sequences
