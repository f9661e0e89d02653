"""What one compilation read from the program's namespaces (srcgrad/binding.py says why it matters).

After a function's derivative code is generated, the facts it relied on are collected as `Read`s:

- the function's own code and defaults (not for srcgrad's generated code, which never changes);
- for every call resolved to a rule, a non-differentiable function or a user function, each step of
  the name chain as written: `np` in the module, then `np.linalg`, then `.norm`; rooted in a
  closure cell, a module global, a builtin, or a parameter known at compile time (`self.act`);
- every user name the generated code uses for an object of its own (`np` in an adjoint template).

Values the generated code reads live (globals, closure cells shared with the user's function,
attributes of arguments) need no read: they are what `f` sees by construction.
"""
import builtins
from typing import Any

import gast

from srcgrad import binding
from srcgrad.binding import Builtin, Cell, Const, Global, Param, Read, Root
from srcgrad.passes.analyses.resolve import dotted

_BAKED = ("rule", "nondiff", "user")  # resolutions that shape the generated code
_MISSING = object()


def _name_root(name: str, source, ctx, cells: dict) -> tuple[Root | None, Any]:
    """Where the generated code's compilation found `name`, and what it found (None, _MISSING: nowhere)."""
    if name in ctx.injected:
        return (Cell(cells[name]) if name in cells else None), ctx.injected[name]
    namespace = source.globals
    if name in namespace:
        return Global(namespace, name), namespace[name]
    if name in builtins.__dict__:
        return Builtin(namespace, name), builtins.__dict__[name]
    return None, _MISSING


def chain_reads(chain: list[str], source, ctx, cells: dict) -> list[Read]:
    """Reads for `a.b.c` as the compiler resolved it: the root binding, then each attribute."""
    root, obj = _name_root(chain[0], source, ctx, cells)
    if obj is _MISSING:
        return []
    reads = [] if root is None else [Read(root, None, obj)]
    for attr in chain[1:]:
        try:
            value = getattr(obj, attr)
        except Exception:
            break
        read = binding.attribute_read(Const(obj), obj, attr, value)
        if read is None:  # a new object at every read that compares unequal: nothing can tell it is the same
            return reads + [binding.NEVER]
        reads.append(read)
        obj = value
    return reads


def reads_of(source, tree: gast.AST, resolved: dict[int, Any], ctx, cells: dict) -> list[Read]:
    """Everything the compilation of `source` (its tree `tree`, calls `resolved`) baked in."""
    from srcgrad.frontend.nested import LocalFunction

    reads: list[Read] = []
    func = source.func
    if not hasattr(func, "__srcgrad_unit__"):
        reads += binding.function_reads(func)
    for node in gast.walk(tree):
        if not isinstance(node, gast.Call):
            continue
        found = resolved.get(id(node))
        if found is None or found.kind not in _BAKED or isinstance(found.obj, LocalFunction):
            continue
        callee = node.func
        if isinstance(callee, gast.Attribute) and isinstance(callee.value, gast.Name) and callee.value.id in ctx.known:
            known = ctx.known[callee.value.id]
            try:
                read = binding.attribute_read(Param(callee.value.id), known, callee.attr, getattr(known, callee.attr))
            except Exception:
                read = None
            reads.append(read or binding.NEVER)
            continue
        chain = dotted(callee)
        if chain is not None and chain.split(".")[0] not in ctx.local_names:
            reads += chain_reads(chain.split("."), source, ctx, cells)
    for name in set(ctx._refs.values()) - set(ctx.injected):  # the user's own names for srcgrad's objects
        reads += chain_reads([name], source, ctx, cells)
    return reads


def receiver_roots(tree: gast.AST, resolved: dict[int, Any], ctx) -> dict[int, list[Root]]:
    """id(receiver) -> how the caller reached it, for each method call resolved with a receiver:
    a known parameter of the caller (`model.act(z)`, model an argument), or a fixed object."""
    roots: dict[int, list[Root]] = {}
    for node in gast.walk(tree):
        found = resolved.get(id(node)) if isinstance(node, gast.Call) else None
        if found is None or found.receiver is None:
            continue
        value = node.func.value if isinstance(node.func, gast.Attribute) else None
        if isinstance(value, gast.Name) and value.id in ctx.known and ctx.known[value.id] is found.receiver:
            root: Root = Param(value.id)
        else:
            root = Const(found.receiver)
        listed = roots.setdefault(id(found.receiver), [])
        if not any(type(r) is type(root) and getattr(r, "name", None) == getattr(root, "name", None)
                   and getattr(r, "obj", None) is getattr(root, "obj", None) for r in listed):
            listed.append(root)
    return roots
