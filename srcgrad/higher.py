"""Compositions of the two modes: Hessian-vector products, Hessians, VJPs, Jacobians, gradient checks.

`hvp` is forward over reverse: the jvp of the generated gradient code, so H is never formed.
`vjp` differentiates a small generated wrapper `sum(f(args) * cotangent)` in reverse mode.
"""
import inspect
import itertools
import linecache
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from srcgrad import cache, callables, depth
from srcgrad.api import GradientFunction, grad
from srcgrad.errors import SrcgradError
from srcgrad.forward import JvpFunction

_COUNTER = itertools.count(1)


def _position(func: Callable, wrt: int | str) -> int:
    """The positional index of the single argument `wrt`."""
    if isinstance(wrt, int):
        return wrt
    names = list(inspect.signature(func).parameters)
    if wrt not in names:
        raise SrcgradError(f"wrt={wrt!r} names no parameter of {getattr(func, '__qualname__', func)}")
    return names.index(wrt)


def _basis(x: Any):
    """Unit tangents of x (a float or an array), one per element, in C order."""
    if isinstance(x, float | int) and not isinstance(x, bool):
        yield 1.0
        return
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    for i in range(x.size):
        e = np.zeros(x.size, dtype)
        e[i] = 1
        yield e.reshape(x.shape)


class HvpFunction:
    """`(*args, v) -> H v`: the jvp of f's generated gradient code along v (forward over reverse)."""

    def __init__(self, func: Callable, wrt: Any = 0):
        self.func = func
        self.wrt = wrt
        # np.linalg.norm and the like: called with their required arguments, which a second derivative needs known
        self._jvp = JvpFunction(grad(callables.python_form(func, fixed=True), wrt), wrt)
        self._jvp.label = f"hvp({callables.name_of(func)})"
        self.__name__ = f"hvp_{callables.name_of(func)}"

    def __reduce__(self) -> tuple:
        """Pickled as the function and `wrt`; compiled again where it is unpickled."""
        return HvpFunction, (self.func, self.wrt)

    @property
    def source(self) -> str:
        """The generated forward-over-reverse code."""
        return self._jvp.source

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._jvp(*args, **kwargs)[1]


def hvp(func: Callable, wrt: Any = 0) -> HvpFunction:
    """Hessian-vector product of a scalar function, forward over reverse (H is never formed).

    Returns a function `(*args, v) -> H v`, where v (and H v) has the structure of argument `wrt`
    (a tuple of them for a tuple `wrt`).

    >>> def f(x):
    ...     return np.sum(x ** 3)
    >>> hvp(f)(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    array([6., 0.])
    """
    return HvpFunction(func, wrt)


def _argument(func: Callable, wrt: int | str, args: tuple, kwargs: dict) -> Any:
    """The argument `wrt` selects in the call `func(*args, **kwargs)` (its default if the call leaves it out)."""
    from srcgrad.api import _wrt_names, signature

    target = callables.python_form(func)
    (name,), _ = _wrt_names(target, wrt, func)
    bound = signature(target).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.arguments[name]


def _failed_call(func: Callable, label: str, returns: str, args: tuple, kwargs: dict, fixed: bool = False
                 ) -> SrcgradError | None:
    """The SignatureError for calling `label` with arguments `func` does not take, else None (see callables)."""
    return callables.call_error(func, callables.python_form(func, fixed), label, returns, args, kwargs)


class HessianFunction:
    """`(*args) -> H`, the Hessian of a scalar function with respect to one argument, column by column from hvp."""

    def __init__(self, func: Callable, wrt: int | str = 0):
        self.func = func
        self.wrt = wrt
        self._product = hvp(func, wrt)
        self._product._jvp.label = f"hessian({callables.name_of(func)})"  # its errors are about this call
        self.__name__ = f"hessian_{callables.name_of(func)}"

    def __reduce__(self) -> tuple:
        """Pickled as the function and `wrt`; compiled again where it is unpickled."""
        return HessianFunction, (self.func, self.wrt)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            x = _argument(self.func, self.wrt, args, kwargs)
            columns = [np.asarray(self._product(*args, e, **kwargs)) for e in _basis(x)]
        except Exception as exc:
            label = f"hessian({callables.name_of(self.func)})"
            error = depth.too_deep(exc, self.func, label) if isinstance(exc, RecursionError) \
                and not isinstance(exc, SrcgradError) \
                else _failed_call(self.func, label, "its Hessian", args, kwargs, fixed=True)
            if error is None:
                raise
            raise error from None
        if isinstance(x, float | int):
            return float(columns[0])
        shape = np.shape(x)
        return np.stack([c.reshape(-1) for c in columns], axis=-1).reshape(shape + shape)


def hessian(func: Callable, wrt: int | str = 0) -> HessianFunction:
    """The full Hessian of a scalar function with respect to one float or array argument.

    Returns `(*args) -> H` with shape `x.shape + x.shape`, built column by column from `hvp`.
    """
    return HessianFunction(func, wrt)


# ---- reverse mode for non-scalar outputs -----------------------------------------------------------

_WRAPPERS: dict[Callable, Callable] = {}


def _dot_wrapper(func: Callable) -> Callable:
    """A generated `def f_dot(*params, cotangent): return np.sum(f(*params) * cotangent)`, with real source."""
    with cache.LOCK:  # one wrapper per function, even when threads ask at once
        if func not in _WRAPPERS:
            _WRAPPERS[func] = _make_dot_wrapper(func)
        return _WRAPPERS[func]


def _make_dot_wrapper(func: Callable) -> Callable:
    """`def f_dot(x, scale=<f's default>, *, cotangent): return np.sum(f(x, scale) * cotangent)`: f's parameters
    with its defaults, and the cotangent by keyword (so that f's defaults stay usable)."""
    target = callables.python_form(func)
    sig = inspect.signature(target)
    params = list(sig.parameters.values())
    cotangent = "cotangent"
    while cotangent in sig.parameters:
        cotangent = "_" + cotangent
    at = len(params) - (bool(params) and params[-1].kind == inspect.Parameter.VAR_KEYWORD)
    params.insert(at, inspect.Parameter(cotangent, inspect.Parameter.KEYWORD_ONLY))
    namespace = {"__srcgrad_f__": target, "__srcgrad_np__": np, "__name__": "srcgrad.vjp"}
    listed, passed = callables.parameters(sig.replace(parameters=params), namespace)
    passed.remove(f"{cotangent}={cotangent}")
    name = f"{callables.name_of(func)}_dot"
    if not name.isidentifier():
        name = "f_dot"
    text = (f"def {name}{listed}:\n"
            f"    return __srcgrad_np__.sum(__srcgrad_f__({', '.join(passed)}) * {cotangent})\n")
    filename = f"<srcgrad vjp {name} #{next(_COUNTER)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    exec(compile(text, filename, "exec"), namespace)
    return namespace[name]


class VjpFunction:
    """`(*args) -> (value, pullback)`: reverse mode for a float or array output, by differentiating a generated
    `sum(f(args) * cotangent)`."""

    def __init__(self, func: Callable, wrt: Any = 0):
        self.func = func
        self.wrt = wrt
        self._gradients: GradientFunction = grad(_dot_wrapper(func), wrt)
        self.__name__ = f"vjp_{callables.name_of(func)}"

    def __reduce__(self) -> tuple:
        """Pickled as the function and `wrt`; compiled again where it is unpickled."""
        return VjpFunction, (self.func, self.wrt)

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, Callable]:
        try:
            value = self.func(*args, **kwargs)
        except TypeError:
            error = _failed_call(self.func, f"vjp({callables.name_of(self.func)})", "(value, pullback)", args, kwargs)
            if error is None:
                raise
            raise error from None
        gradients = self._gradients

        def pullback(cotangent: Any) -> Any:
            return gradients(*args, cotangent=cotangent, **kwargs)

        return value, pullback


def vjp(func: Callable, wrt: Any = 0) -> VjpFunction:
    """Reverse mode for any float or array output: `(*args) -> (value, pullback)`.

    `pullback(cotangent)` is the gradient of `sum(cotangent * func(*args))` with respect to `wrt`,
    computed by srcgrad's reverse mode on a generated wrapper.
    """
    return VjpFunction(func, wrt)


class JacobianFunction:
    """`(*args) -> J`, shape `out.shape + x.shape`, from jvps (mode "forward") or vjps ("reverse")."""

    def __init__(self, func: Callable, wrt: int | str = 0, mode: str = "auto"):
        if mode not in ("auto", "forward", "reverse"):
            raise SrcgradError(f"mode={mode!r}: use 'auto', 'forward' or 'reverse'")
        self.func, self.wrt, self.mode = func, wrt, mode
        self._forward = JvpFunction(func, wrt)
        self._forward.label = f"jacobian({callables.name_of(func)})"
        self._backward = vjp(func, wrt)
        self.__name__ = f"jacobian_{callables.name_of(func)}"

    def __reduce__(self) -> tuple:
        """Pickled as the function, `wrt` and mode; compiled again where it is unpickled."""
        return JacobianFunction, (self.func, self.wrt, self.mode)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            x = _argument(self.func, self.wrt, args, kwargs)
        except Exception:
            error = _failed_call(self.func, f"jacobian({callables.name_of(self.func)})", "its Jacobian", args, kwargs)
            if error is None:
                raise
            raise error from None
        x_shape = np.shape(x)
        use = self.mode
        if use == "auto":
            out = self.func(*args, **kwargs)
            use = "forward" if np.size(x) < np.size(out) else "reverse"
        if use == "forward":
            columns = []
            for e in _basis(x):
                value, column = self._forward(*args, e, **kwargs)
                columns.append(np.reshape(column, -1))
            y_shape = np.shape(value)
            return np.stack(columns, axis=-1).reshape(y_shape + x_shape)
        value, pullback = self._backward(*args, **kwargs)
        y_shape = np.shape(value)
        rows = [np.reshape(pullback(e), -1) for e in _basis(value)]
        return np.stack(rows, axis=0).reshape(y_shape + x_shape)


def jacobian(func: Callable, wrt: int | str = 0, mode: str = "auto") -> JacobianFunction:
    """The Jacobian of `func` with respect to one float or array argument: shape `out.shape + x.shape`.

    mode "forward" builds it from one jvp per input element, "reverse" from one vjp per output
    element, "auto" picks forward when the input has fewer elements than the output.
    """
    return JacobianFunction(func, wrt, mode)


# ---- checking gradients ------------------------------------------------------------------------


@dataclass
class GradCheck:
    """The worst coordinate of srcgrad's gradient against central finite differences."""

    max_abs_error: float
    max_rel_error: float
    index: tuple[int, ...]  # where the relative error is largest (() for a float argument)
    analytic: float  # srcgrad's gradient there
    numeric: float  # the finite difference there

    def ok(self, rtol: float = 1e-5, atol: float = 1e-7) -> bool:
        """Whether every coordinate agreed within `atol + rtol * |numeric|` (judged at the worst one)."""
        return self.max_abs_error <= atol + rtol * abs(self.numeric) or self.max_rel_error <= rtol

    def __str__(self) -> str:
        return (f"max abs error {self.max_abs_error:.3g}, max rel error {self.max_rel_error:.3g} at index "
                f"{self.index}: srcgrad {self.analytic:.6g}, finite differences {self.numeric:.6g}")


def check_grad(func: Callable, *args: Any, wrt: int | str = 0, eps: float = 1e-6) -> GradCheck:
    """Compare srcgrad's gradient of `func` at `args` with central finite differences; report the worst coordinate.

    Raises nothing about the result: print it, or test `.ok()`.
    """
    position = _position(func, wrt)
    x = args[position]
    analytic = np.asarray(grad(func, wrt)(*args), dtype=np.float64)
    scalar = isinstance(x, float | int)
    base = np.array(x, dtype=np.float64)
    numeric = np.zeros(base.shape)
    for index in np.ndindex(*base.shape):
        values = []
        for step in (eps, -eps):
            moved = base.copy()
            moved[index] += step
            shifted = list(args)
            shifted[position] = float(moved) if scalar else moved.astype(np.result_type(x, np.float64))
            values.append(float(np.sum(func(*shifted))))
        numeric[index] = (values[0] - values[1]) / (2 * eps)
    abs_error = np.abs(analytic - numeric)
    rel_error = abs_error / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-12)
    worst = np.unravel_index(int(np.argmax(rel_error)), base.shape) if base.shape else ()
    return GradCheck(float(np.max(abs_error)), float(np.max(rel_error)), tuple(int(i) for i in worst),
                     float(analytic[worst]), float(numeric[worst]))
