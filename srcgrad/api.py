"""The front doors: grad, value_and_grad, show.

`grad(f, wrt=...)` returns a `GradientFunction`, which compiles f's gradient on first call
(cached by code object and `wrt`) and afterwards just calls the generated function.
"""
import functools
import inspect
import linecache

import numpy as np
from typing import Any, Callable

from srcgrad import compiler
from srcgrad.errors import NonScalarOutputError, Origin, SrcgradError, UnsupportedSyntaxError, WrtError

Wrt = int | str | tuple[int | str, ...]
_NUMBERS = (float, int)
_PLAIN = (np.ndarray, np.generic, dict, list, tuple, str, bytes, type(None), bool)


def _kind(arg: Any) -> bool | type:
    """How an argument shapes the generated code: a number, an object of a user class, or neither."""
    kind = type(arg)
    if kind in _NUMBERS:
        return True
    if kind in _PLAIN or isinstance(arg, _PLAIN):
        return False
    return kind


def _def_origin(func: Callable) -> Origin | None:
    code = getattr(inspect.unwrap(func), "__code__", None)
    if code is None:
        return None
    line = code.co_firstlineno
    return Origin(code.co_filename, line, linecache.getline(code.co_filename, line).rstrip("\n"), func.__qualname__)


def _wrt_names(func: Callable, wrt: Wrt) -> tuple[tuple[str, ...], bool]:
    """Parameter names for `wrt`, and whether the caller wants a tuple back."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        from srcgrad.frontend.parse import parse_function

        parse_function(func)  # a builtin or ufunc: raises SourceUnavailableError, which says what to do
        raise WrtError(f"cannot read the parameters of {func!r}") from None
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        from srcgrad.frontend.fence import check_supported
        from srcgrad.frontend.parse import parse_function

        check_supported(parse_function(func))  # raises UnsupportedSyntaxError at the def line
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    many = isinstance(wrt, tuple | list)
    if many and not wrt:
        raise WrtError("wrt=() selects no parameter", _def_origin(func))
    out = []
    for item in (wrt if many else (wrt,)):
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise WrtError(f"wrt must be a parameter index, a parameter name or a tuple of them, not {item!r}")
        if isinstance(item, int):
            if not -len(names) <= item < len(names):
                raise WrtError(f"wrt={item} but {func.__qualname__} has {len(names)} parameters: {', '.join(names)}",
                               _def_origin(func))
            out.append(names[item])
        else:
            if item not in names:
                raise WrtError(f"wrt={item!r} names no parameter of {func.__qualname__} "
                               f"(parameters: {', '.join(names)})", _def_origin(func))
            out.append(item)
    if len(set(out)) != len(out):
        raise WrtError(f"wrt={wrt!r} names the same parameter twice", _def_origin(func))
    return tuple(out), many


class GradientFunction:
    """The gradient of a function, compiled on first call. `.source` is the generated code."""

    def __init__(self, func: Callable, wrt: Wrt, with_value: bool):
        self.func = func
        self.wrt = wrt
        self.with_value = with_value
        self._compiled: Callable | None = None
        self._by_kind: dict[tuple[bool, ...], Callable] = {}  # argument kinds -> generated function
        self._last: compiler.Joint | None = None
        try:
            self._positional = [p.name for p in inspect.signature(inspect.unwrap(getattr(func, "__func__", func)))
                                .parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            self._positional = []
        try:
            self._names, self._many = _wrt_names(func, wrt)
            self._error: SrcgradError | None = None
        except UnsupportedSyntaxError as exc:  # reported at first use, like every other compile error
            self._names, self._many, self._error = (), False, exc
        functools.update_wrapper(self, func, updated=())  # not __dict__: a GradientFunction may wrap another
        self.__name__ = f"{'value_and_grad' if with_value else 'grad'}_{getattr(func, '__name__', 'f')}"

    def compile(self, kinds: tuple = (), args: tuple = ()) -> compiler.Joint:
        """Compile (or fetch from the cache) the gradient for arguments of these kinds.

        `kinds[i]` is True when positional argument i is a Python number (code for numbers
        needs no broadcasting bookkeeping), the class of an object of a user class (its method
        calls are resolved against that class), else False.
        """
        if self._error is not None:
            raise self._error
        function, known, positional = self.func, None, self._positional
        if isinstance(function, GradientFunction):  # a derivative of a derivative: differentiate its code
            function = function.differentiable(kinds, args)
        if inspect.ismethod(self.func):  # a bound method: `self` is fixed, its method calls resolve statically
            function = self.func.__func__
            known = {positional[0]: self.func.__self__}
            positional = positional[1:]
        numbers = frozenset(name for name, kind in zip(positional, kinds) if kind is True)
        objects = {name: arg for name, kind, arg in zip(positional, kinds, args) if isinstance(kind, type)}
        if objects:
            known = {**(known or {}), **objects}
        joint = compiler.joint_gradient(function, self._names, known=known, numbers=numbers)
        bound = inspect.ismethod(self.func)
        compiled = functools.partial(joint.function, self.func.__self__) if bound else joint.function
        self._by_kind[kinds] = compiled
        self._compiled = compiled
        self._last = joint
        return joint

    def differentiable(self, kinds: tuple = (), args: tuple = ()) -> Callable:
        """The generated gradient as a plain function returning only the gradient, written without
        in-place updates, so that srcgrad can differentiate it again (grad of grad)."""
        if self._error is not None:
            raise self._error
        if self.with_value:
            raise WrtError("differentiate grad(f), not value_and_grad(f): its value is not a gradient")
        function = self.func
        if isinstance(function, GradientFunction):
            function = function.differentiable(kinds, args)
        if inspect.ismethod(function):
            raise WrtError("higher derivatives of bound methods are not supported; use a plain function")
        numbers = frozenset(name for name, kind in zip(self._positional, kinds) if kind is True)
        return compiler.joint_gradient(function, self._names, numbers=numbers, pure=True).function

    @property
    def source(self) -> str:
        """The generated module's source text (for the arguments of the last call, if any)."""
        return (self._last or self.compile()).source

    @property
    def generated(self) -> Callable:
        """The generated function itself: `(*args) -> (value, (gradients...))`."""
        if self._compiled is None:
            self.compile()
        return self._compiled

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        kinds = tuple([_kind(a) for a in args])
        generated = self._by_kind.get(kinds)
        if generated is None:
            self.compile(kinds, args)
            generated = self._by_kind[kinds]
        try:
            value, grads = generated(*args, **kwargs)
        except NonScalarOutputError as exc:
            if exc.origin is None:
                from srcgrad.frontend.parse import parse_function

                source = parse_function(self.func)
                raise NonScalarOutputError(exc.bare_message, source.origin(source.tree.body[-1]), exc.hint) from None
            raise
        result = grads if self._many else grads[0]
        return (value, result) if self.with_value else result

    def __repr__(self) -> str:
        return f"<{self.__name__} wrt={self.wrt!r}>"

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)


def _decorator_or_call(func: Callable | None, wrt: Wrt, with_value: bool):
    if func is None:
        return lambda f: GradientFunction(f, wrt, with_value)
    if not callable(func):
        raise WrtError(f"grad expects a function, got {func!r}; to choose arguments write grad(wrt=...)")
    return GradientFunction(func, wrt, with_value)


def grad(func: Callable | None = None, wrt: Wrt = 0) -> GradientFunction | Callable:
    """The gradient of `func`'s scalar output with respect to argument(s) `wrt`.

    Args:
        func: a Python function returning a scalar (float, NumPy scalar, or size-1 array).
        wrt: a parameter index, a parameter name, or a tuple of them.
    Returns:
        A function with `func`'s signature returning the gradient (a tuple of them for a tuple
        `wrt`); each gradient has the structure, shape and floating dtype of its argument.
    Raises:
        UnsupportedSyntaxError, NotDifferentiableError: at compile time (first call), naming the line.
        NonScalarOutputError: when `func` returns something other than a scalar.
    """
    return _decorator_or_call(func, wrt, with_value=False)


def value_and_grad(func: Callable | None = None, wrt: Wrt = 0) -> GradientFunction | Callable:
    """Like `grad`, but the function returns `(value, gradient)`, computing both in one pass."""
    return _decorator_or_call(func, wrt, with_value=True)


def show(func: Callable, wrt: Wrt = 0, mode: str = "reverse", file=None) -> None:
    """Print the generated gradient code of `func`."""
    if mode == "forward":
        from srcgrad.forward import show_forward
        return show_forward(func, wrt, file)
    if mode != "reverse":
        raise SrcgradError(f"mode={mode!r} is not available yet; srcgrad generates reverse mode")
    target = func if isinstance(func, GradientFunction) else GradientFunction(func, wrt, True)
    print(target.source, end="", file=file)
