"""Local names for modules and functions: `xp = np`, `sqrt, tanh = np.sqrt, np.tanh`, `xp = get_xp(x)`.

A call through such a name (`xp.sum(a, axis=0)`, `tanh(z)`) is rewritten to call the object itself,
so it resolves to its derivative rule instead of being taken for a method of an array named xp.
A name counts when every assignment to it gives the same module or function: a global dotted
name (`np.linalg`), or a call to a function of the user's whose every `return` gives the same module
(an array-namespace helper). Other reads of the name are left alone.

>>> import numpy as np
>>> from srcgrad.passes.normalize.testing import show
>>> from srcgrad import syntax
>>> show(lambda t: substitute_aliases(t, {"np": np}.get, lambda obj, name: syntax.name(name)), '''
... def f(x):
...     xp = np
...     tanh = np.tanh
...     return xp.sum(tanh(x), axis=0)
... ''')
def f(x):
    xp = np
    tanh = np.tanh
    return np.sum(np.tanh(x), axis=0)
"""
import types
from typing import Any, Callable

import gast
import numpy as np

from srcgrad import syntax

_MISSING = object()


def _static(node: gast.expr, lookup: Callable[[str], Any], local_names: set[str]) -> Any:
    """The object a global dotted name denotes, or _MISSING."""
    chain = []
    while isinstance(node, gast.Attribute):
        chain.append(node.attr)
        node = node.value
    if not isinstance(node, gast.Name) or node.id in local_names:
        return _MISSING
    obj = lookup(node.id)
    if obj is None:
        return _MISSING
    for attr in reversed(chain):
        obj = getattr(obj, attr, _MISSING)
        if obj is _MISSING:
            return _MISSING
    return obj


def _is_alias_target(obj: Any) -> bool:
    return isinstance(obj, types.ModuleType | types.BuiltinFunctionType | np.ufunc) or \
        (callable(obj) and getattr(obj, "__module__", "") and str(obj.__module__).split(".")[0] == "numpy")


def _module_returned(func: Any) -> Any:
    """The module a user function always returns (`def get_xp(x): return np`), or _MISSING."""
    if not isinstance(func, types.FunctionType):
        return _MISSING
    try:
        from srcgrad.frontend.parse import parse_function

        tree = parse_function(func).tree
    except Exception:
        return _MISSING
    returns = [n.value for n in gast.walk(tree) if isinstance(n, gast.Return)]
    found = {id(_static(r, func.__globals__.get, set())) for r in returns if r is not None}
    objs = [_static(r, func.__globals__.get, set()) for r in returns if r is not None]
    if objs and len(found) == 1 and isinstance(objs[0], types.ModuleType):
        return objs[0]
    return _MISSING


def _bindings(fdef: gast.FunctionDef) -> dict[str, list[gast.expr | None]]:
    """name -> the values assigned to it (None where it is bound some other way)."""
    out: dict[str, list[gast.expr | None]] = {}
    args = fdef.args
    for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if a is not None:
            out.setdefault(a.id, []).append(None)
    for node in gast.walk(fdef):
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name):
                    out.setdefault(target.id, []).append(node.value)
                elif isinstance(target, (gast.Tuple, gast.List)) and isinstance(node.value, (gast.Tuple, gast.List)) \
                        and len(target.elts) == len(node.value.elts):
                    for t, v in zip(target.elts, node.value.elts, strict=True):
                        for name in syntax.names_stored(t):
                            out.setdefault(name, []).append(v if isinstance(t, gast.Name) else None)
                else:
                    for name in syntax.names_stored(target):
                        out.setdefault(name, []).append(None)
        elif isinstance(node, (gast.For, gast.AugAssign, gast.AnnAssign, gast.With, gast.FunctionDef)):
            targets = [node.target] if hasattr(node, "target") else []
            if isinstance(node, gast.FunctionDef):
                out.setdefault(node.name, []).append(None)
            for target in targets:
                for name in syntax.names_stored(target):
                    out.setdefault(name, []).append(None)
    return out


class _Substitute(gast.NodeTransformer):
    def __init__(self, aliases: dict[str, gast.expr]):
        self.aliases = aliases

    def visit_Call(self, node: gast.Call):
        self.generic_visit(node)
        root, parent = node.func, node
        while isinstance(root, gast.Attribute):
            parent, root = root, root.value
        if isinstance(root, gast.Name) and root.id in self.aliases and isinstance(root.ctx, gast.Load):
            replacement = syntax.clone(self.aliases[root.id])
            if parent is node:
                node.func = replacement
            else:
                parent.value = replacement
        return node


def substitute_aliases(fdef: gast.FunctionDef, lookup: Callable[[str], Any],
                       ref: Callable[[Any, str], gast.expr]) -> gast.FunctionDef:
    """Calls through local names of modules and functions call those objects directly."""
    local_names = set(_bindings(fdef))
    aliases: dict[str, gast.expr] = {}
    for name, values in _bindings(fdef).items():
        objs = []
        for value in values:
            if value is None:
                break
            obj = _static(value, lookup, local_names)
            if obj is _MISSING and isinstance(value, gast.Call) and not value.keywords:
                obj = _module_returned(_static(value.func, lookup, local_names))
            if obj is _MISSING or not _is_alias_target(obj):
                break
            objs.append(obj)
        else:
            if objs and all(o is objs[0] for o in objs):
                aliases[name] = _expression_for(values[0], objs[0], lookup, local_names, ref, name)
    if not aliases:
        return fdef
    return _Substitute(aliases).visit(fdef)


def _expression_for(value: gast.expr, obj: Any, lookup, local_names: set[str], ref, name: str) -> gast.expr:
    """The dotted global the user wrote (`np.tanh`), or a name the compiler gives the object."""
    if _static(value, lookup, local_names) is obj:
        return value
    return ref(obj, getattr(obj, "__name__", name).split(".")[-1])
