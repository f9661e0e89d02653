"""Compile generated functions into live ones that tracebacks, pdb and inspect can read.

The generated functions are wrapped in a factory whose parameters are the objects the code
needs (runtime helpers, rules' helpers, other generated functions). The factory is created
with the user's module as its globals, so the code sees the user's globals live, and nothing
is ever added to the user's module. The text is registered in `linecache` under a unique
file name, which is what makes `inspect.getsource` (and so grad-of-grad) work on it.
"""
import itertools
import linecache
import types
from typing import Any

import gast

from srcgrad import syntax
from srcgrad.codegen.unparse import unparse

_counter = itertools.count(1)
FACTORY = "_srcgrad_factory"


class NestedTooDeep(Exception):
    """The generated code nests more blocks than Python compiles (an expression with many conditionals
    becomes nested `if` statements)."""


def compile_functions(functions: list[gast.FunctionDef], injected: dict[str, Any], module_globals: dict,
                      label: str, cells: dict[str, types.CellType] | None = None
                      ) -> tuple[dict[str, types.FunctionType], str]:
    """Compile `functions`; return them by name, and their source text as shown to users.

    `cells` maps some injected names to the user's own closure cells: the generated code reads
    those variables live, as the user's function does (a coefficient updated with `nonlocal`).
    """
    names = sorted(injected)
    args = gast.arguments(args=[syntax.name(n, gast.Param) for n in names], posonlyargs=[], vararg=None,
                          kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    result = gast.Dict(keys=[syntax.const(f.name) for f in functions], values=[syntax.name(f.name) for f in functions])
    factory = gast.FunctionDef(name=FACTORY, args=args, body=list(functions) + [gast.Return(value=result)],
                               decorator_list=[], returns=None, type_comment=None, type_params=[])
    text = unparse(gast.Module(body=[factory], type_ignores=[]))
    filename = f"<srcgrad {label} #{next(_counter)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    try:
        code = compile(text, filename, "exec")
    except SyntaxError as exc:  # "too many levels of indentation", "too many statically nested blocks"
        if "too many" not in str(exc.msg):
            raise
        raise NestedTooDeep(str(exc.msg)) from None
    factory_code = next(c for c in code.co_consts if isinstance(c, types.CodeType) and c.co_name == FACTORY)
    make = types.FunctionType(factory_code, module_globals)
    compiled = make(**injected)
    if cells:
        compiled = _share_cells(compiled, cells)
    shown = unparse(gast.Module(body=list(functions), type_ignores=[]))
    return compiled, shown


def _share_cells(compiled: dict[str, types.FunctionType], cells: dict[str, types.CellType]
                 ) -> dict[str, types.FunctionType]:
    """The same functions, their free variables named in `cells` bound to those cells instead of the factory's."""
    out = {}
    for name, fn in compiled.items():
        closure = tuple(cells.get(var, cell) for var, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()))
        new = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, closure or None)
        new.__kwdefaults__ = fn.__kwdefaults__
        new.__qualname__ = fn.__qualname__
        out[name] = new
    rebound = {id(old): out[name] for name, old in compiled.items()}
    user = {id(cell) for cell in cells.values()}
    for fn in out.values():  # a generated function that calls a sibling calls the rebound sibling
        for cell in fn.__closure__ or ():
            try:
                contents = cell.cell_contents
            except ValueError:
                continue
            if id(cell) not in user and id(contents) in rebound:
                cell.cell_contents = rebound[id(contents)]
    return out
