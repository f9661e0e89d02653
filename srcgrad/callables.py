"""What srcgrad compiles for a callable that is not a plain Python function, and what a gradient says when it
is called with arguments its function does not take.

- `python_form(func)`: the Python function compiled for `func`. A function, a bound method or a gradient is
  itself. A `functools.partial` becomes a generated `def` with the partial's remaining parameters that calls
  the underlying function with the bound arguments: `wrt` names the remaining parameters, and the underlying
  function is differentiated from its source like any callee. A function with a derivative rule but no Python
  source (`np.sum`, a ufunc, `np.linalg.norm`) becomes a generated `def` that calls it, as run-time dispatch
  does for such calls (runtime/dispatch.py); the rule is used. An object whose class defines `__call__` in
  Python is its bound `__call__`.
- `call_error(...)`: the TypeError Python gives for calling the user's function itself with the arguments a
  gradient was given, with its file, line and signature. Built only after a call failed, so a correct call
  pays nothing for it.
"""
import functools
import inspect
import itertools
import keyword
import linecache
import types
import weakref
from typing import Any, Callable

from srcgrad.errors import Origin, SignatureError

_counter = itertools.count(1)
_RULE_FORMS: dict[Any, Callable] = {}  # a function with a rule (np.sum, a ufunc) -> its generated caller
_PARTIAL_FORMS: "weakref.WeakKeyDictionary[functools.partial, Callable]" = weakref.WeakKeyDictionary()


class _Name:
    """A default shown as the name it is bound to in the generated function's namespace."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


def innermost(func: Any) -> Any:
    """The function a gradient, a partial or a bound method finally calls (for its name and where it is defined)."""
    from srcgrad.api import GradientFunction

    while True:
        if isinstance(func, GradientFunction):
            func = func.func
        elif isinstance(func, functools.partial):
            func = func.func
        elif isinstance(func, types.MethodType):
            func = func.__func__
        else:
            return func


def name_of(func: Any) -> str:
    """The user's name for `func` (`h` for `partial(h, y=2.0)`, `sum` for `np.sum`, `grad_h` for `grad(h)`)."""
    from srcgrad.api import GradientFunction

    if isinstance(func, GradientFunction):
        return func.__name__
    inner = innermost(func)
    return getattr(inner, "__name__", None) or type(inner).__name__


def origin_of(func: Any) -> Origin | None:
    """The file, line and text of the `def` of the function `func` finally calls (None for a builtin)."""
    inner = innermost(func)
    code = getattr(inner, "__code__", None)
    if not isinstance(code, types.CodeType) or code.co_filename.startswith("<srcgrad"):
        return None  # a builtin, or srcgrad's own caller of one
    line = code.co_firstlineno
    return Origin(code.co_filename, line, linecache.getline(code.co_filename, line).rstrip("\n"),
                  getattr(inner, "__qualname__", code.co_name))


def _has_source(func: Any) -> bool:
    from srcgrad.api import GradientFunction

    return isinstance(func, GradientFunction | types.FunctionType) or (
        isinstance(func, types.MethodType) and isinstance(func.__func__, types.FunctionType))


def _has_rule(func: Any) -> bool:
    from srcgrad.rules import registry

    try:
        return registry.lookup(func) is not None
    except TypeError:  # unhashable
        return False


def python_form(func: Any, fixed: bool = False) -> Any:
    """The Python function srcgrad compiles for `func` (see the module docstring); `func` itself when it has
    Python source, or when nothing better exists (compiling it then raises the usual error).

    With `fixed`, a function with a rule takes its required parameters only (`def norm(x)`), so that the call in
    it is known when compiling, as second derivatives need (hvp, hessian); else optional arguments are passed on
    through `*args, **kwargs`, a call whose arguments are known only when it runs.
    """
    from srcgrad.cache import LOCK

    if _has_source(func):
        return func
    if isinstance(func, functools.partial):
        with LOCK:  # one form per partial (compiled code is cached per function object)
            form = _PARTIAL_FORMS.get(func)
            if form is None:
                form = _PARTIAL_FORMS[func] = _partial_form(func)
        return form
    if _has_rule(func):
        with LOCK:
            form = _RULE_FORMS.get((func, fixed))
            if form is None:
                form = _RULE_FORMS[(func, fixed)] = _rule_form(func, fixed)
        return form
    call = getattr(type(func), "__call__", None)
    if not isinstance(func, type) and isinstance(call, types.FunctionType):
        return func.__call__  # an object called like a function: its method, with the object bound
    return func


def _identifier(name: str, fallback: str) -> str:
    return name if name.isidentifier() and not keyword.iskeyword(name) else fallback


def _define(text: str, name: str, namespace: dict, label: str) -> Callable:
    """Compile the generated `def` in `text`, readable by inspect (and so by srcgrad) through linecache."""
    filename = f"<srcgrad {label} #{next(_counter)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace["__name__"] = "__srcgrad_generated__"  # not "srcgrad.*": code srcgrad differentiates, not a library's
    exec(compile(text, filename, "exec"), namespace)
    return namespace[name]


def parameters(sig: inspect.Signature, namespace: dict) -> tuple[str, list[str]]:
    """The parameter list of `sig` as Python text, each default bound to a name in `namespace`; and the
    arguments that pass each parameter on, as written in a call."""
    params, passed = [], []
    for p in sig.parameters.values():
        default = p.empty
        if p.default is not p.empty:
            default = _Name(f"_srcgrad_default_{p.name}")
            namespace[default.name] = p.default
        params.append(p.replace(annotation=p.empty, default=default))
        passed.append({p.VAR_POSITIONAL: f"*{p.name}", p.VAR_KEYWORD: f"**{p.name}",
                       p.KEYWORD_ONLY: f"{p.name}={p.name}"}.get(p.kind, p.name))
    text = str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))
    return text, passed


def _partial_form(partial: functools.partial) -> Callable:
    """`def h_partial(x, *, y=<bound>): return h(<bound positional>, x, y=y)` for `partial(h, ..., y=...)`."""
    target = partial.func
    while isinstance(target, functools.partial):  # a subclass of partial is not flattened by functools
        target = target.func
    if not _has_source(target):
        return _rule_form(partial) if _has_rule(target) else partial
    sig = inspect.signature(partial)
    names = set(sig.parameters)
    name = _identifier(getattr(target, "__name__", "f"), "f")
    if isinstance(target, types.MethodType):  # called on its object, so that srcgrad resolves the method statically
        namespace: dict[str, Any] = {"_srcgrad_self": target.__self__}
        callee = f"_srcgrad_self.{target.__func__.__name__}"
    else:
        callee = name if name not in names else "_srcgrad_callee"
        namespace = {callee: target}
    bound = []
    inner, args = partial, []
    while isinstance(inner, functools.partial):  # innermost arguments come first; keywords are in `sig` as defaults
        args = list(inner.args) + args
        inner = inner.func
    for i, value in enumerate(args):
        namespace[f"_srcgrad_bound_{i}"] = value
        bound.append(f"_srcgrad_bound_{i}")
    params, passed = parameters(sig, namespace)
    wrapper = f"{name}_partial"
    text = f"def {wrapper}{params}:\n    return {callee}({', '.join(bound + passed)})\n"
    return _define(text, wrapper, namespace, f"partial {name}")


def _callee_text(func: Any, taken: set[str], namespace: dict) -> str:
    """How the generated caller names `func`: `numpy.linalg.norm` when its module holds it under its name (as
    generated code reads best), else a global of the caller's."""
    import sys

    module, name = getattr(func, "__module__", None), getattr(func, "__name__", None)
    if isinstance(module, str) and isinstance(name, str) and getattr(sys.modules.get(module), name, None) is func:
        root = module.split(".")[0]
        if root not in taken and all(part.isidentifier() for part in module.split(".")):
            namespace[root] = sys.modules[root]
            return f"{module}.{name}"
    namespace["_srcgrad_callee"] = func
    return "_srcgrad_callee"


def _rule_form(func: Any, fixed: bool = False) -> Callable:
    """`def sum(a, *args, **kwargs): return numpy.sum(a, *args, **kwargs)` for a function with a derivative rule
    and no Python source: its required parameters by name (so `wrt` can name them), the rest passed on. A ufunc,
    or any such function when `fixed`, takes exactly its required inputs (`def sin(x): return numpy.sin(x)`)."""
    try:
        sig = inspect.signature(func)
        required = [p.name for p in sig.parameters.values()
                    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
    except (TypeError, ValueError):
        sig, required = None, []
    nin = getattr(func, "nin", None)
    if isinstance(nin, int) and len(required) != nin:
        required = ["x"] if nin == 1 else [f"x{i + 1}" for i in range(nin)]
    required = [_identifier(n, f"a{i}") for i, n in enumerate(required)]
    name = _identifier(name_of(func), "f")
    namespace: dict[str, Any] = {}
    callee = _callee_text(func, set(required) | {name}, namespace)
    rest = [] if (isinstance(nin, int) or fixed) and required else ["*args", "**kwargs"]
    params = ", ".join(required + rest)
    text = f"def {name}({params}):\n    return {callee}({params})\n"
    return _define(text, name, namespace, f"call {name}")


# ---- calls that do not fit --------------------------------------------------------------------------------


def _python_message(sig: inspect.Signature, func: Any, args: tuple, kwargs: dict) -> str | None:
    """The message of the TypeError Python raises for calling a function named like `func`, with signature
    `sig`, with these arguments (None if they fit). A bound method's counts its `self`, as Python's does."""
    target = python_form(func)
    if inspect.ismethod(target) and sig == inspect.signature(target):
        sig, args = inspect.signature(target.__func__), (target.__self__,) + tuple(args)
    namespace: dict[str, Any] = {}
    params, _ = parameters(sig, namespace)
    text = f"def _srcgrad_stub{params}:\n    pass\n"
    exec(compile(text, "<srcgrad signature>", "exec"), namespace)
    stub = namespace["_srcgrad_stub"]
    inner = innermost(func)
    qualname = getattr(inner, "__qualname__", None) or name_of(func)
    try:
        stub.__code__ = stub.__code__.replace(co_name=name_of(func), co_qualname=qualname)
    except TypeError:  # Python 3.10: no co_qualname
        stub.__code__ = stub.__code__.replace(co_name=name_of(func))
    stub.__qualname__ = qualname
    try:
        stub(*args, **kwargs)
    except TypeError as exc:
        return str(exc)
    return None


def _shown(func: Any, sig: inspect.Signature) -> str:
    """`h(x, *, y=2.0)`: the function's name and the signature a gradient of it is called with."""
    text = str(sig.replace(return_annotation=inspect.Signature.empty))
    return f"{name_of(func)}{text}"


def _signatures(func: Any, target: Any) -> list[inspect.Signature]:
    """The signatures a call must fit: that of `func` itself when it is not the Python function compiled (np.sum's
    own, before its generated caller's `(a, *args, **kwargs)`), then `target`'s."""
    found = []
    if target is not func and not _has_source(func):
        try:
            found.append(inspect.signature(func))  # NumPy's dispatchers document theirs through __wrapped__
        except (TypeError, ValueError):
            pass
    try:
        found.append(inspect.signature(target, follow_wrapped=False))  # a decorated function: its wrapper's
    except (TypeError, ValueError):
        pass
    return found


def call_error(func: Any, target: Any, label: str, returns: str, args: tuple, kwargs: dict
               ) -> SignatureError | None:
    """The error for calling the gradient `label` (say `grad(sq)`) of `func` with `args` and `kwargs`, when they
    do not fit `target` (the Python form compiled for `func`); None when they fit (the failure was elsewhere).

    `returns` says what the gradient gives back ("the gradient with respect to x").
    """
    for sig in _signatures(func, target):
        try:
            sig.bind(*args, **kwargs)
        except TypeError as exc:
            message = _python_message(sig, func, args, kwargs) or str(exc)
            return SignatureError(message, origin_of(func), hint=f"{label} takes the arguments of "
                                  f"{_shown(func, sig)}, as {name_of(func)} does, and returns {returns}.")
    return None


def jvp_call_error(func: Any, target: Any, label: str, args: tuple, kwargs: dict, tangents: int
                   ) -> SignatureError | None:
    """The error for calling `label` (say `jvp(sq)`), which takes `func`'s arguments and then the tangent, with
    `args` and `kwargs`; None when they fit. `tangents`: how many tangents wrt selects (one, or a tuple)."""
    for sig in _signatures(func, target):
        error = _jvp_error(sig, func, label, args, kwargs, tangents)
        if error is not None:
            return error
    return None


def _jvp_error(sig: inspect.Signature, func: Any, label: str, args: tuple, kwargs: dict, tangents: int
               ) -> SignatureError | None:
    name = name_of(func)
    expected = f"{label}({', '.join(_call_parameters(sig))}, tangent)"
    what = "a tangent" if tangents == 1 else f"a tuple of {tangents} tangents (one per wrt argument)"
    hint = f"Call it as {expected}: the arguments of {_shown(func, sig)}, then {what}."
    if not args:
        return SignatureError(f"{label} was called without positional arguments: it takes {name}'s arguments, "
                              "then the tangent", origin_of(func), hint=hint)
    try:
        sig.bind(*args[:-1], **kwargs)
        return None
    except TypeError as exc:
        message = _python_message(sig, func, args[:-1], kwargs) or str(exc)
    try:
        given = sig.bind(*args, **kwargs).arguments
    except TypeError:
        return SignatureError(f"{message} (the last positional argument given to {label} is the tangent)",
                              origin_of(func), hint=hint)
    return SignatureError(f"{label} was called without a tangent: the arguments given are {name}'s own "
                          f"({', '.join(given)})", origin_of(func), hint=hint)


def _call_parameters(sig: inspect.Signature) -> list[str]:
    out = []
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            out.append(f"*{p.name}")
        elif p.kind == p.VAR_KEYWORD:
            out.append(f"**{p.name}")
        elif p.kind == p.KEYWORD_ONLY or p.default is not p.empty:
            out.append(f"{p.name}=..." if p.default is p.empty else f"{p.name}={p.default!r}")
        else:
            out.append(p.name)
    return out
