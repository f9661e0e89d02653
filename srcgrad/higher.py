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

from srcgrad import cache
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
        self._jvp = JvpFunction(grad(func, wrt), wrt)
        self.__name__ = f"hvp_{getattr(func, '__name__', 'f')}"

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


def hessian(func: Callable, wrt: int | str = 0) -> Callable:
    """The full Hessian of a scalar function with respect to one float or array argument.

    Returns `(*args) -> H` with shape `x.shape + x.shape`, built column by column from `hvp`.
    """
    product = hvp(func, wrt)

    def hessian_of(*args: Any, **kwargs: Any) -> Any:
        x = args[_position(func, wrt)] if not isinstance(wrt, str) or len(args) > _position(func, wrt) \
            else kwargs[wrt]
        columns = [np.asarray(product(*args, e, **kwargs)) for e in _basis(x)]
        if isinstance(x, float | int):
            return float(columns[0])
        shape = np.shape(x)
        return np.stack([c.reshape(-1) for c in columns], axis=-1).reshape(shape + shape)

    hessian_of.__name__ = f"hessian_{getattr(func, '__name__', 'f')}"
    return hessian_of


# ---- reverse mode for non-scalar outputs -----------------------------------------------------------

_WRAPPERS: dict[Callable, Callable] = {}


def _dot_wrapper(func: Callable) -> Callable:
    """A generated `def f_dot(*params, cotangent): return np.sum(f(*params) * cotangent)`, with real source."""
    with cache.LOCK:  # one wrapper per function, even when threads ask at once
        if func not in _WRAPPERS:
            _WRAPPERS[func] = _make_dot_wrapper(func)
        return _WRAPPERS[func]


def _make_dot_wrapper(func: Callable) -> Callable:
    params = [p.name for p in inspect.signature(func).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    cotangent = "cotangent"
    while cotangent in params:
        cotangent = "_" + cotangent
    name = f"{getattr(func, '__name__', 'f')}_dot"
    if not name.isidentifier():
        name = "f_dot"
    listed = ", ".join(params)
    text = (f"def {name}({listed}{', ' if params else ''}{cotangent}):\n"
            f"    return __srcgrad_np__.sum(__srcgrad_f__({listed}) * {cotangent})\n")
    filename = f"<srcgrad vjp {name} #{next(_COUNTER)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {"__srcgrad_f__": func, "__srcgrad_np__": np, "__name__": "srcgrad.vjp"}
    exec(compile(text, filename, "exec"), namespace)
    return namespace[name]


def vjp(func: Callable, wrt: Any = 0) -> Callable:
    """Reverse mode for any float or array output: `(*args) -> (value, pullback)`.

    `pullback(cotangent)` is the gradient of `sum(cotangent * func(*args))` with respect to `wrt`,
    computed by srcgrad's reverse mode on a generated wrapper.
    """
    gradients: GradientFunction = grad(_dot_wrapper(func), wrt)

    def vjp_of(*args: Any) -> tuple[Any, Callable]:
        value = func(*args)

        def pullback(cotangent: Any) -> Any:
            return gradients(*args, cotangent)

        return value, pullback

    vjp_of.__name__ = f"vjp_{getattr(func, '__name__', 'f')}"
    return vjp_of


def jacobian(func: Callable, wrt: int | str = 0, mode: str = "auto") -> Callable:
    """The Jacobian of `func` with respect to one float or array argument: shape `out.shape + x.shape`.

    mode "forward" builds it from one jvp per input element, "reverse" from one vjp per output
    element, "auto" picks forward when the input has fewer elements than the output.
    """
    if mode not in ("auto", "forward", "reverse"):
        raise SrcgradError(f"mode={mode!r}: use 'auto', 'forward' or 'reverse'")
    forward = JvpFunction(func, wrt)
    backward = vjp(func, wrt)

    def jacobian_of(*args: Any) -> Any:
        x = args[_position(func, wrt)]
        x_shape = np.shape(x)
        use = mode
        if mode == "auto":
            out = func(*args)
            use = "forward" if np.size(x) < np.size(out) else "reverse"
        if use == "forward":
            columns = []
            for e in _basis(x):
                value, column = forward(*args, e)
                columns.append(np.reshape(column, -1))
            y_shape = np.shape(value)
            return np.stack(columns, axis=-1).reshape(y_shape + x_shape)
        value, pullback = backward(*args)
        y_shape = np.shape(value)
        rows = [np.reshape(pullback(e), -1) for e in _basis(value)]
        return np.stack(rows, axis=0).reshape(y_shape + x_shape)

    jacobian_of.__name__ = f"jacobian_{getattr(func, '__name__', 'f')}"
    return jacobian_of


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
