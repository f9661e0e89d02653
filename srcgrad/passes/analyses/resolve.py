"""Resolve every call to the object it names, and decide how it is differentiated.

`np.tanh(x)` names a NumPy ufunc with a rule; `helper(x)` a user function differentiated from
its source; `x.sum()` an array method with the rule of `np.sum`. The resolution is static:
names are looked up in the function's closure, module globals and builtins at compile time.
"""
import os
import site
import sysconfig
import types
from dataclasses import dataclass
from typing import Any

import gast

from srcgrad.codegen.unparse import unparse
from srcgrad.frontend.parse import Source
from srcgrad.rules import registry


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a call site calls, and how its derivative is obtained."""

    kind: str  # "rule" | "nondiff" | "user" | "unknown"
    label: str  # as the user wrote it: "np.tanh", "x.sum", "helper"
    obj: Any = None
    rule: registry.Rule | None = None
    method: bool = False  # receiver is call.func.value, passed as the first argument
    receiver: Any = None  # for a bound method of a user class: the instance, known at compile time
    dynamic: bool = False  # the callee is known only at run time (a local's method, a function passed in)
    library: bool = False  # a function of an installed package without a rule: its source is not differentiated


def dotted(node: gast.expr) -> str | None:
    """`np.linalg.norm` for an attribute chain rooted at a name, else None."""
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _static_value(node: gast.expr, source: Source, local_names: set[str], injected: dict[str, Any]) -> Any:
    chain = dotted(node)
    if chain is None:
        raise LookupError(node)
    root, *attrs = chain.split(".")
    if root in local_names:
        raise LookupError(root)
    obj = injected[root] if root in injected else source.lookup(root)
    for attr in attrs:
        obj = getattr(obj, attr)
    return obj


def _is_user_function(obj: Any) -> bool:
    """A Python function srcgrad differentiates from its source: the user's own code, not a library's."""
    if not isinstance(obj, types.FunctionType):
        return False
    module = obj.__module__ or ""
    if module.split(".")[0] == "numpy" or module.startswith("srcgrad.runtime"):
        return False
    return not is_library_code(obj)


_SITE_DIRS = tuple(p for p in {sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
                   | set(site.getsitepackages() if hasattr(site, "getsitepackages") else []) if p)
_OWN_NUMPY_CODE = ("srcgrad.losses", "srcgrad.init")  # srcgrad's own plain NumPy, meant to be differentiated
SOURCE_ALLOWED: set[str] = set()  # module prefixes the user allowed with srcgrad.differentiate_source


def differentiate_source(*modules: Any) -> None:
    """Let srcgrad differentiate the Python source of functions in these installed packages or modules
    (by default it does not walk into installed libraries: their functions need derivative rules).

    >>> differentiate_source("mypackage")     # doctest: +SKIP
    """
    for module in modules:
        SOURCE_ALLOWED.add(module if isinstance(module, str) else module.__name__)


def is_library_code(obj: Any) -> bool:
    """A function of an installed package or the standard library: full of `raise`, `with`, `**kwargs` and
    C calls, so srcgrad does not walk into it; it needs a rule (or srcgrad.differentiate_source)."""
    module = getattr(obj, "__module__", "") or ""
    if module in _OWN_NUMPY_CODE or any(module == m or module.startswith(m + ".") for m in SOURCE_ALLOWED):
        return False
    if module.startswith("srcgrad."):
        return True
    filename = getattr(getattr(obj, "__code__", None), "co_filename", "") or ""
    if filename.startswith("<"):
        return False  # made at run time (a notebook cell, exec): the user's
    path = os.path.realpath(filename)
    return any(path.startswith(os.path.realpath(d) + os.sep) for d in _SITE_DIRS)


def _expression_text(func: gast.expr) -> str:
    """How a callee that is not a dotted name reads in the source (`layers[i].forward`), for messages."""
    text = " ".join(unparse(func).split())
    return text if len(text) <= 60 else text[:57] + "..."


def resolve_call(call: gast.Call, source: Source, local_names: set[str], ctx) -> Resolved:
    """How the call is differentiated (`ctx` knows the compiler's own names, nested functions, `self`)."""
    injected = ctx.injected
    func = call.func
    label = dotted(func) or _expression_text(func)
    if isinstance(func, gast.Name) and func.id in ctx.local_functions:
        return Resolved("user", label, ctx.local_functions[func.id])
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in ctx.known:
        try:
            value = getattr(ctx.known[func.value.id], func.attr)
        except AttributeError:
            return Resolved("unknown", label)
        if not callable(value):  # `self.activation` is None here: decided if the call ever runs (a branch may skip it)
            return Resolved("unknown", label, value, dynamic=True)
        return resolve_object(value, label)
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in local_names:
        rule = registry.lookup_method(func.attr)
        if rule is not None:
            return Resolved("rule", label, None, rule, method=True)
        if registry.is_nondifferentiable(("method", func.attr)):
            return Resolved("nondiff", label, None, None, method=True)
        return Resolved("unknown", label, None, None, method=True, dynamic=True)
    try:
        obj = _static_value(func, source, local_names, injected)
    except LookupError:  # rooted at a local variable, or not a dotted name: looked up when the call runs
        return Resolved("unknown", label, dynamic=True)
    except AttributeError:
        return Resolved("unknown", label)
    resolved = resolve_object(obj, label)
    if resolved.kind == "unknown" and _callable_object(obj):
        return Resolved("unknown", label, obj, dynamic=True)
    return resolved


def _callable_object(obj: Any) -> bool:
    """An object of a user class with a `__call__` written in Python (a layer called like a function)."""
    return not isinstance(obj, type) and isinstance(getattr(type(obj), "__call__", None), types.FunctionType)


def resolve_object(obj: Any, label: str) -> Resolved:
    from srcgrad.api import GradientFunction  # a gradient called inside differentiated code

    if isinstance(obj, GradientFunction) and not obj.with_value:
        return Resolved("user", label, obj.differentiable())
    target = getattr(obj, "srcgrad_target", None)  # a stand-in for a recursive split, now compiled
    if target is not None and target() is not None:
        obj = target()
    rule = registry.lookup(obj)
    if rule is not None:
        return Resolved("rule", label, obj, rule)
    if registry.is_nondifferentiable(obj):
        return Resolved("nondiff", label, obj)
    if isinstance(obj, types.MethodType) and registry.is_nondifferentiable(obj.__func__):
        return Resolved("nondiff", label, obj)
    if _is_user_function(obj):
        return Resolved("user", label, obj)
    if isinstance(obj, types.MethodType) and _is_user_function(obj.__func__):
        return Resolved("user", label, obj.__func__, method=True, receiver=obj.__self__)
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return Resolved("nondiff", label, obj)
    if isinstance(obj, types.FunctionType | types.MethodType) and is_library_code(getattr(obj, "__func__", obj)):
        return Resolved("unknown", label, obj, library=True)
    return Resolved("unknown", label, obj)
