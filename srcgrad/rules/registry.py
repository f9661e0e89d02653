"""The rule tables: `ADJOINTS` maps a primal (function, operator type or method name) to its template.

A template is a plain Python function whose first parameter is the primal's result and whose
other parameters are the primal's, by name. Its body is never run: it is parsed once and
inlined, with `d[v]` standing for the adjoint of `v`. Writes to `d[x]` are accumulated by the
compiler, so a template only says what flows into `x`.
"""
import importlib
import inspect
import sys
import textwrap
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import gast

from srcgrad.errors import SrcgradError


@dataclass(frozen=True, slots=True)
class Rule:
    """A parsed adjoint template."""

    key: Any
    name: str
    result: str  # the template's name for the primal result
    signature: inspect.Signature  # the template's parameters after the result
    body: tuple[gast.stmt, ...]
    namespace: dict[str, Any] = field(repr=False)  # where the template's free names live
    where: str = ""

    def bind(self, args: list, kwargs: dict) -> dict[str, Any]:
        """Map call-site arguments onto template parameters; defaults fill the rest.

        Raises TypeError when the call does not fit the template's signature.
        """
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)


# What each table holds.
ADJOINTS: dict[Any, Rule] = {}  # primal -> rule
NONDIFFERENTIABLE: set[Any] = set()  # primals whose outputs carry no derivative
METHODS: dict[str, Any] = {}  # array method name -> the primal whose rule it uses
# Tables of libraries srcgrad does not import itself (SciPy): library module -> rule modules. A table
# is imported by the first lookup after its library is: an object of the library reaches the
# compiler only once the library is in sys.modules, and `import srcgrad` stays as fast without it.
OPTIONAL: dict[str, tuple[str, ...]] = {}
_LOADING = threading.RLock()


def _key(obj: Any) -> Any:
    try:
        hash(obj)
        return obj
    except TypeError:
        return id(obj)


def _parse_template(template: Callable) -> tuple[str, inspect.Signature, tuple[gast.stmt, ...]]:
    source = textwrap.dedent(inspect.getsource(template))
    fdef = gast.parse(source).body[0]
    sig = inspect.signature(template)
    params = list(sig.parameters.values())
    if not params:
        raise SrcgradError(f"adjoint template {template.__name__} needs the result as first parameter")
    rest = sig.replace(parameters=params[1:])
    body = [s for s in fdef.body
            if not isinstance(s, gast.Pass) and not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant))]
    return params[0].name, rest, tuple(body)


def register_template(table: dict[Any, Rule], key: Any, template: Callable, name: str,
                      what: str = "derivative rule") -> Rule:
    """Parse `template` and store it in `table` (the adjoint or the tangent table) under `key`."""
    result, sig, body = _parse_template(template)
    code = template.__code__
    rule = Rule(key, name, result, sig, body, template.__globals__,
                f"{code.co_filename.rsplit('/', 1)[-1]}:{code.co_firstlineno}")
    k = _key(key)
    if k in table and table[k].where != rule.where:
        raise SrcgradError(f"a {what} for {name} is already registered at {table[k].where}")
    table[k] = rule
    return rule


def template_decorator(table: dict[Any, Rule], keys: list[tuple[Any, str]],
                       what: str = "derivative rule") -> Callable[[Callable], Callable]:
    """A decorator registering its template under each (key, printable name)."""
    def register(template: Callable) -> Callable:
        for key, name in keys:
            register_template(table, key, template, name, what)
            if table is ADJOINTS:
                NONDIFFERENTIABLE.discard(_key(key))
        return template

    return register


def adjoint(*primals: Any) -> Callable[[Callable], Callable]:
    """Register the decorated template as the adjoint of each primal.

    >>> import numpy as np
    >>> @adjoint(np.sinc)            # doctest: +SKIP
    ... def sinc(y, x):
    ...     d[x] = d[y] * dsinc(x)
    """
    return template_decorator(ADJOINTS, [(p, getattr(p, "__name__", str(p))) for p in primals])


def adjoint_method(*names: str) -> Callable[[Callable], Callable]:
    """Register a template for an array method (`x.reshape(...)`); its first parameter after the result is `self`."""
    return template_decorator(ADJOINTS, [(("method", m), f".{m}()") for m in names])


def method_alias(**aliases: Any) -> None:
    """Array methods whose rule is the rule of a NumPy function taking the array first (`x.sum` -> np.sum)."""
    METHODS.update(aliases)


def nondifferentiable(*primals: Any) -> None:
    """Declare that these functions' outputs carry no derivative (shapes, indices, constants)."""
    for primal in primals:
        NONDIFFERENTIABLE.add(_key(primal))


def optional(library: str, *modules: str) -> None:
    """Import the rule `modules` once `library` has been imported (see `OPTIONAL`)."""
    OPTIONAL[library] = OPTIONAL.get(library, ()) + modules


def load_optional() -> None:
    """Import the tables of the optional libraries imported since the last call.

    A library leaves `OPTIONAL` only once its tables are in: another thread's lookup waits for them.
    """
    with _LOADING:
        for library in [name for name in OPTIONAL if name in sys.modules]:
            try:
                for module in OPTIONAL.get(library, ()):
                    importlib.import_module(module)
            finally:
                OPTIONAL.pop(library, None)


def is_nondifferentiable(primal: Any) -> bool:
    if OPTIONAL:
        load_optional()
    return _key(primal) in NONDIFFERENTIABLE


def lookup(primal: Any) -> Rule | None:
    if OPTIONAL:
        load_optional()
    return ADJOINTS.get(_key(primal))


def lookup_method(method: str) -> Rule | None:
    if ("method", method) in ADJOINTS:
        return ADJOINTS[("method", method)]
    if method in METHODS:
        return lookup(METHODS[method])
    return None

