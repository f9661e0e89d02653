"""Forward mode: `jvp(f, wrt)` returns `(*args, tangent) -> (value, directional derivative)`.

The front end and normalization are reverse mode's (`compiler._Build`); transforms/forward
writes a tangent beside each statement. A user function called with varied arguments is
compiled once per set of varied parameters into `g_jvp(*params, *tangents) -> (value, tangent)`
(recursion reaches a function still being compiled through a stand-in, as split gradients do).
"""
import functools
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from srcgrad.compiler import _Build, _cache_key, _with_callees
from srcgrad.errors import Origin, SrcgradError, UnsupportedSyntaxError
from srcgrad.frontend.nested import LocalFunction
from srcgrad.frontend.parse import parse_function
from srcgrad.rules.tangents import helpers
from srcgrad.transforms.forward.sweep import Forward

_NUMBERS = (float, int)


@dataclass
class Jvp:
    """A compiled forward-mode function `function(*params, *tangents) -> (value, tangent)`."""

    function: Callable | None = None
    source: str = ""
    callees: list["Jvp"] = field(default_factory=list)

    def late(self) -> Callable:
        """The function; while it is still being compiled (recursion), a stand-in that calls it later."""
        if self.function is not None:
            return self.function

        def late(*args):
            return self.function(*args)

        late.__name__ = "jvp"
        return late


_JVP: dict[tuple, Jvp] = {}


def _compile(key: tuple, make: Callable[[], _Build], active: tuple[str, ...], top: bool) -> Jvp:
    if key in _JVP:
        return _JVP[key]
    jvp = _JVP[key] = Jvp()
    try:
        build = make()
        callees: list[Jvp] = []

        def jvp_of(callee: Callable, params: tuple[str, ...], origin: Origin, known: dict | None) -> Callable:
            try:
                sub = jvp_local(callee, params) if isinstance(callee, LocalFunction) \
                    else jvp_function(callee, params, known)
            except SrcgradError as exc:
                called_from = f"(called from {origin.filename}, line {origin.lineno}: {origin.text.strip()})"
                if called_from in exc.hint:
                    raise
                hint = f"{called_from}\n{exc.hint}" if exc.hint else called_from
                raise type(exc)(exc.bare_message, exc.origin, hint) from None
            callees.append(sub)
            return sub.late()

        forward = Forward(build.ctx, build.tree, build.varied, build.resolved, build.numbers, jvp_of)
        base = build.source.name.strip("_") or "f"
        name = build.ctx.namer.fresh(f"jvp_{base}" if top else f"{base}_jvp")
        fdef = forward.function(name, active)
        compiled, shown = build.compile([fdef], build.source.func.__qualname__)
    except BaseException:
        del _JVP[key]
        raise
    jvp.function, jvp.callees = compiled[name], callees
    jvp.source = _with_callees(shown, callees)  # type: ignore[arg-type]  (same shape: .source, .callees)
    return jvp


def jvp_function(func: Callable, active: tuple[str, ...], known: dict[str, Any] | None = None,
                 numbers: frozenset[str] = frozenset(), top: bool = False) -> Jvp:
    """The forward-mode function of `func` with respect to its `active` parameters (cached; recursion-safe)."""
    key = _cache_key(func, active, "jvp-top" if top else "jvp") \
        + tuple(sorted((k, id(v)) for k, v in (known or {}).items())) + (numbers,)
    return _compile(key, lambda: _Build(parse_function(func), active, known=known, numbers=numbers), active, top)


def jvp_local(local: LocalFunction, active: tuple[str, ...]) -> Jvp:
    """The forward-mode function of a function defined inside the differentiated one."""
    key = (local.source.func.__code__, local.name, local.source.tree.lineno, active, "jvp-local")
    return _compile(key, lambda: _Build(local.source, active, inherited=local.siblings), active, False)


class JvpFunction:
    """`f`'s Jacobian-vector product, compiled on first call: `(*args, tangent) -> (value, tangent of value)`.

    `.source` is the generated code.
    """

    def __init__(self, func: Callable, wrt: Any = 0):
        from srcgrad.api import _wrt_names

        self.func = func
        self.wrt = wrt
        self._by_kind: dict[tuple[bool, ...], tuple[Callable, inspect.Signature]] = {}
        self._last: Jvp | None = None
        self._error: SrcgradError | None = None
        function = inspect.unwrap(getattr(func, "__func__", func))
        try:
            self._signature = inspect.signature(function)
        except (TypeError, ValueError):
            self._signature = None
        try:
            self._names, self._many = _wrt_names(func, wrt)
        except UnsupportedSyntaxError as exc:
            self._names, self._many, self._error = (), False, exc
        functools.update_wrapper(self, func)
        self.__name__ = f"jvp_{getattr(func, '__name__', 'f')}"

    def compile(self, kinds: tuple[bool, ...] = ()) -> Jvp:
        """Compile (or fetch) the forward-mode code for positional arguments of these kinds (Python number or not)."""
        if self._error is not None:
            raise self._error
        function, known = self.func, None
        positional = list(self._signature.parameters) if self._signature else []
        if inspect.ismethod(self.func):
            function = self.func.__func__
            known = {positional[0]: self.func.__self__}
            positional = positional[1:]
        numbers = frozenset(name for name, is_number in zip(positional, kinds) if is_number)
        jvp = jvp_function(function, self._names, known=known, numbers=numbers, top=True)
        compiled = functools.partial(jvp.function, self.func.__self__) if known else jvp.function
        self._by_kind[kinds] = compiled
        self._last = jvp
        return jvp

    @property
    def source(self) -> str:
        """The generated code (for the arguments of the last call, if any)."""
        return (self._last or self.compile()).source

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        if not args:
            raise TypeError(f"{self.__name__} takes the function's arguments, then the tangent")
        *args, tangent = args
        tangents = tuple(tangent) if self._many else (tangent,)
        if len(tangents) != len(self._names):
            raise TypeError(f"{self.__name__} needs {len(self._names)} tangents (one per wrt argument), "
                            f"got {len(tangents)}")
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = list(bound.arguments.values())
        if inspect.ismethod(self.func):
            values = values[1:] if len(values) > len(self._signature.parameters) - 1 else values
        kinds = tuple([type(a) in _NUMBERS for a in args])
        generated = self._by_kind.get(kinds)
        if generated is None:
            self.compile(kinds)
            generated = self._by_kind[kinds]
        value, out = generated(*values, *tangents)
        return value, helpers.complete_tangent(out, value)

    def __repr__(self) -> str:
        return f"<{self.__name__} wrt={self.wrt!r}>"


def jvp(func: Callable | None = None, wrt: Any = 0) -> JvpFunction | Callable:
    """Forward mode: the derivative of `func` at `args` along a tangent of the argument(s) `wrt`.

    Args:
        func: a Python function (any output: float, array, or dict/list/tuple of them).
        wrt: a parameter index, a parameter name, or a tuple of them.
    Returns:
        A function `(*args, tangent) -> (value, tangent of value)`; for a tuple `wrt`, `tangent` is a
        tuple with one tangent per argument, each with its argument's structure.
    Raises:
        UnsupportedSyntaxError, NotDifferentiableError: at compile time (first call), naming the line.

    >>> import numpy as np
    >>> def f(x):
    ...     return np.sum(np.sin(x) * x)
    >>> value, slope = jvp(f)(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    >>> float(slope)
    0.0
    """
    if func is None:
        return lambda f: JvpFunction(f, wrt)
    return JvpFunction(func, wrt)


def show_forward(func: Callable, wrt: Any = 0, file=None) -> None:
    """Print the generated forward-mode code of `func`."""
    target = func if isinstance(func, JvpFunction) else JvpFunction(func, wrt)
    print(target.source, end="", file=file)
