"""The front doors: grad, value_and_grad, show.

`grad(f, wrt=...)` returns a `GradientFunction`. The first call with a kind of arguments compiles
f's gradient (compiler.py; cached per function object, `wrt` and argument kinds). Every later call
first checks, by identity, that what the compilation baked in is still what f would see (the
functions it calls and their code and defaults, the classes of objects whose methods it calls;
binding.py), and recompiles when not; then it calls the generated function. With `check=True`
(or SRCGRAD_CHECK=1) the first calls of each compiled gradient are also compared with f itself.
"""
import functools
import inspect
import os
import sys
import types
from typing import Any, Callable

import numpy as np

from srcgrad import arguments, binding, cache, callables, compiler, depth
from srcgrad.errors import (ComplexInputError, NonScalarOutputError, Origin, SrcgradError, UnsupportedSyntaxError,
                            WrtError)

Wrt = int | str | tuple[int | str, ...]
_kind = arguments.kind
_ARRAY = np.ndarray
CHECKED_CALLS = 3  # check=True: calls of each compiled gradient compared with f
_EARLIER = 4  # specializations kept per argument kinds after their check failed (objects that alternate)


def signature(func: Callable) -> inspect.Signature:
    """`func`'s signature as Python calls it: a decorated function's is its wrapper's (the code that runs),
    a gradient's is its function's."""
    while isinstance(func, GradientFunction):
        func = func.func
    return inspect.signature(func, follow_wrapped=False)


def _def_origin(func: Callable) -> Origin | None:
    return callables.origin_of(func)


def _wrt_names(func: Callable, wrt: Wrt, user: Callable | None = None) -> tuple[tuple[str, ...], bool]:
    """Parameter names for `wrt`, and whether the caller wants a tuple back. `func` is what is compiled (the
    Python form of the user's `user`: callables.python_form), whose parameters `wrt` selects."""
    try:
        params = list(signature(func).parameters.values())
    except (TypeError, ValueError):
        from srcgrad.frontend.parse import parse_function

        parse_function(func)  # a builtin or ufunc: raises SourceUnavailableError, which says what to do
        raise WrtError(f"cannot read the parameters of {func!r}") from None
    shown = callables.name_of(user if user is not None else func)
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    star = next((p.name for p in params if p.kind == p.VAR_POSITIONAL), None)
    many_ = isinstance(wrt, tuple | list)
    if star is not None and any(isinstance(w, int) and not -len(names) <= w < len(names)
                                for w in (wrt if many_ else (wrt,))):
        from srcgrad.errors import UnsupportedSyntaxError
        from srcgrad.frontend.parse import parse_function

        source = parse_function(func)
        raise UnsupportedSyntaxError(
            f"wrt={wrt!r} is an argument that {shown} receives through "
            f"*{star}; srcgrad differentiates with respect to named parameters only", source.origin(source.tree),
            hint="Give the function a named parameter for it (for a decorator's wrapper: `def wrapper(x, *args)`), "
            "or differentiate the undecorated function.")
    many = isinstance(wrt, tuple | list)
    if many and not wrt:
        raise WrtError("wrt=() selects no parameter", _def_origin(user or func))
    out = []
    for item in (wrt if many else (wrt,)):
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise WrtError(f"wrt must be a parameter index, a parameter name or a tuple of them, not {item!r}")
        if isinstance(item, int):
            if not -len(names) <= item < len(names):
                raise WrtError(f"wrt={item} but {shown} has {len(names)} parameters: {', '.join(names)}",
                               _def_origin(user or func))
            out.append(names[item])
        else:
            if item not in names:
                raise WrtError(f"wrt={item!r} names no parameter of {shown} "
                               f"(parameters: {', '.join(names)})", _def_origin(user or func))
            out.append(item)
    if len(set(out)) != len(out):
        raise WrtError(f"wrt={wrt!r} names the same parameter twice", _def_origin(user or func))
    return tuple(out), many


def check_from_environment() -> bool:
    """SRCGRAD_CHECK=1 turns check=True on for every gradient made while it is set."""
    return os.environ.get("SRCGRAD_CHECK", "").strip().lower() not in ("", "0", "false", "no", "off")


def reject_complex(func: Callable, at: list[tuple[str, int | None]], args: tuple, kwargs: dict) -> None:
    """Raise ComplexInputError if a differentiated argument holds complex numbers (`at`: name, position)."""
    for name, index in at:
        x = args[index] if index is not None and index < len(args) else kwargs.get(name)
        cls = type(x)
        if cls is float or (cls is np.ndarray and x.dtype.kind != "c"):
            continue
        found = arguments.find_complex(x, name)
        if found is not None:
            where, what = found
            raise ComplexInputError(
                f"argument {name!r} of {getattr(func, '__qualname__', func)} is complex ({where}: {what}); srcgrad "
                "differentiates real-valued functions of real inputs and has no convention for complex ones",
                _def_origin(func),
                hint="Pass the real and imaginary parts as two float arrays and differentiate with respect to both.")


class _Compiled:
    """One compiled specialization: the generated function, the per-call check, checks against f left."""

    __slots__ = ("function", "guard", "joint", "checks")

    def __init__(self, function: Callable, guard: Callable | None, joint: compiler.Joint, checks: int):
        self.function, self.guard, self.joint, self.checks = function, guard, joint, checks


class GradientFunction:
    """The gradient of a function, compiled on first call. `.source` is the generated code.

    `func` is the user's callable; what is compiled is its Python form (`callables.python_form`: itself, or a
    generated `def` for a functools.partial or a NumPy function with a rule), whose parameters `wrt` selects.
    """

    def __init__(self, func: Callable, wrt: Wrt, with_value: bool, check: bool | None = None):
        self.func = func
        self._target = target = callables.python_form(func)
        self.wrt = wrt
        self.with_value = with_value
        self.check = check_from_environment() if check is None else bool(check)
        self._compiled: Callable | None = None
        self._by_kind: dict[tuple, _Compiled] = {}  # argument kinds -> compiled specialization
        self._earlier: dict[tuple, list[_Compiled]] = {}  # argument kinds -> specializations whose check failed
        self._last: compiler.Joint | None = None
        try:
            self._positional = [p.name for p in signature(getattr(target, "__func__", target)).parameters.values()
                                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            self._positional = []
        try:
            self._names, self._many = _wrt_names(target, wrt, func)
            self._error: SrcgradError | None = None
        except UnsupportedSyntaxError as exc:  # reported at first use, like every other compile error
            self._names, self._many, self._error = (), False, exc
        called = self._positional[1:] if inspect.ismethod(target) else self._positional  # positions in a call
        self._wrt_at = [(name, called.index(name) if name in called else None) for name in self._names]
        functools.update_wrapper(self, func, updated=())  # not __dict__: a GradientFunction may wrap another
        self.__name__ = f"{'value_and_grad' if with_value else 'grad'}_{callables.name_of(func)}"
        cache.hold(self)

    def forget(self) -> None:
        """Drop the compiled code (srcgrad.clear_cache)."""
        self._by_kind = {}
        self._earlier = {}
        self._compiled = None
        self._last = None

    def __reduce__(self) -> str | tuple:
        """Pickled as the user's function, `wrt` and options, and compiled again where it is unpickled (compiled
        code belongs to its process). A module-level `@grad`-decorated function is pickled by its name."""
        if is_global(self):
            return self.__qualname__
        return GradientFunction, (self.func, self.wrt, self.with_value, self.check)

    def compile(self, kinds: tuple = (), args: tuple = ()) -> compiler.Joint:
        """Compile (or fetch from the cache) the gradient for arguments of these kinds.

        `kinds[i]` is True when positional argument i is a Python number (code for numbers
        needs no broadcasting bookkeeping), the class of an object of a user class (its method
        calls are resolved against that class), else False.
        """
        if self._error is not None:
            raise self._error
        with cache.LOCK:
            function, bound = self._target, None
            if isinstance(function, GradientFunction):  # a derivative of a derivative: differentiate its code
                function = function.differentiable(kinds, args)
            if inspect.ismethod(function):  # a bound method: `self` is fixed, its method calls resolve statically
                function, bound = function.__func__, function.__self__
            arguments.check_structure(self.func, self._wrt_at, args)
            spec = arguments.specialize(self._positional, kinds, args, bound)
            joint = compiler.joint_gradient(function, self._names, known=spec.known, numbers=spec.numbers)
            compiled = functools.partial(joint.function, bound) if bound is not None else joint.function
            guard = binding.guard(binding.flatten(joint), spec.params)
            self._by_kind[kinds] = _Compiled(compiled, guard, joint, CHECKED_CALLS if self.check else 0)
            self._compiled = compiled
            self._last = joint
            return joint

    def _current(self, kinds: tuple, args: tuple) -> _Compiled:
        """The compiled specialization for these arguments: the last one if it still holds (another thread may
        have compiled it meanwhile), else an earlier one that holds (objects alternating between calls), else
        compiled again."""
        with cache.LOCK:
            compiled = self._by_kind.get(kinds)
            if compiled is not None and (compiled.guard is None or compiled.guard(args)):
                return compiled
            earlier = self._earlier.setdefault(kinds, [])
            if compiled is not None:
                earlier.insert(0, compiled)
                del earlier[_EARLIER:]
            for candidate in earlier:
                if candidate.guard is None or candidate.guard(args):
                    earlier.remove(candidate)
                    self._by_kind[kinds] = candidate
                    self._compiled, self._last = candidate.function, candidate.joint
                    return candidate
            self.compile(kinds, args)
            return self._by_kind[kinds]

    def differentiable(self, kinds: tuple = (), args: tuple = ()) -> Callable:
        """The generated gradient as a plain function returning only the gradient, written without
        in-place updates, so that srcgrad can differentiate it again (grad of grad)."""
        if self._error is not None:
            raise self._error
        if self.with_value:
            raise WrtError("differentiate grad(f), not value_and_grad(f): its value is not a gradient")
        with cache.LOCK:
            function = self._target
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
        try:  # costs nothing unless something is raised; then _failed says what the user's call got wrong
            for name, index in self._wrt_at:  # refuse complex inputs (the common cases inline: this runs every call)
                x = args[index] if index is not None and index < len(args) else kwargs.get(name)
                if type(x) is float or (type(x) is _ARRAY and x.dtype.kind != "c") or not arguments.has_complex(x):
                    continue
                reject_complex(self.func, [(name, index)], args, kwargs)
            kinds = arguments.kinds(args)
            compiled = self._by_kind.get(kinds)
            if compiled is None or (compiled.guard is not None and not compiled.guard(args)):
                compiled = self._current(kinds, args)
            if compiled.checks:
                from srcgrad.check import checked_call

                value, grads = checked_call(self, compiled, args, kwargs)
            else:
                value, grads = compiled.function(*args, **kwargs)
        except NonScalarOutputError as exc:
            raise self._at_return(exc) from None
        except Exception as exc:
            error = self._failed(exc, args, kwargs)
            if error is None:
                raise
            raise error from None
        result = grads if self._many else grads[0]
        return (value, result) if self.with_value else result

    def label(self) -> str:
        """`grad(sq)`, `value_and_grad(sq)`: how the user made this gradient, for messages."""
        return f"{'value_and_grad' if self.with_value else 'grad'}({callables.name_of(self.func)})"

    def _failed(self, exc: Exception, args: tuple, kwargs: dict) -> SrcgradError | None:
        """The error to raise instead of `exc`, raised by a call with `args`: arguments `func` does not take, or
        recursion deeper than Python's limit; None to let `exc` through."""
        if isinstance(exc, RecursionError) and not isinstance(exc, SrcgradError):
            return depth.too_deep(exc, self.func, self.label())
        names = ", ".join(self._names) or "its argument"
        gradient = f"the gradient{'s' if self._many else ''} with respect to {names}"
        returns = f"(value, {gradient})" if self.with_value else gradient
        target = self._target
        while isinstance(target, GradientFunction):
            target = target._target
        return callables.call_error(self.func, target, self.label(), returns, args, kwargs)

    def _at_return(self, exc: NonScalarOutputError) -> NonScalarOutputError:
        """A non-scalar output reported at the function's return statement."""
        if exc.origin is not None:
            return exc
        from srcgrad.frontend.parse import parse_function

        function = callables.innermost(self.func)
        if not isinstance(getattr(function, "__code__", None), types.CodeType):
            return exc  # np.sum and the like: no return statement of the user's to show
        source = parse_function(function)
        return NonScalarOutputError(exc.bare_message, source.origin(source.tree.body[-1]), exc.hint)

    def __repr__(self) -> str:
        return f"<{self.__name__} wrt={self.wrt!r}>"

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)


def is_global(obj: Any) -> bool:
    """Whether `obj` is what its module holds under its `__qualname__` (a module-level decorated function): then
    pickle can save it by name."""
    module = sys.modules.get(obj.__dict__.get("__module__") or "")
    qualname = obj.__dict__.get("__qualname__")
    if module is None or not qualname or "<locals>" in qualname:
        return False
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found is obj


def _decorator_or_call(func: Callable | None, wrt: Wrt, with_value: bool, check: bool | None):
    if func is None:
        return lambda f: GradientFunction(f, wrt, with_value, check)
    if not callable(func):
        raise WrtError(f"grad expects a function, got {func!r}; to choose arguments write grad(wrt=...)")
    return GradientFunction(func, wrt, with_value, check)


def grad(func: Callable | None = None, wrt: Wrt = 0, check: bool | None = None) -> GradientFunction | Callable:
    """The gradient of `func`'s scalar output with respect to argument(s) `wrt`.

    Args:
        func: a Python function returning a scalar (float, NumPy scalar, or size-1 array).
        wrt: a parameter index, a parameter name, or a tuple of them.
        check: compare the first calls of each compiled gradient with `func` itself (its value, and
            finite differences along a random direction); this calls `func` several more times.
            None: on when the environment variable SRCGRAD_CHECK=1.
    Returns:
        A function with `func`'s signature returning the gradient (a tuple of them for a tuple
        `wrt`); each gradient has the structure, shape and floating dtype of its argument: an
        array, a float, or the same nesting of dicts, lists, tuples, NamedTuples and dataclass
        instances (records are built without calling `__init__`; a leaf holding no number, such as
        a string, None or a function, gets None).
    Raises:
        UnsupportedSyntaxError, NotDifferentiableError: at compile time (first call), naming the line.
        NonScalarOutputError: when `func` returns something other than a scalar.
        ComplexInputError: when a differentiated argument holds complex numbers.
        WrtError: when a differentiated argument keeps its arrays as attributes of an object that is
            not a NamedTuple or dataclass (use one of those, or a dict).
        GradientCheckError: with `check`, when the gradient disagrees with finite differences of `func`.
    """
    return _decorator_or_call(func, wrt, with_value=False, check=check)


def value_and_grad(func: Callable | None = None, wrt: Wrt = 0, check: bool | None = None
                   ) -> GradientFunction | Callable:
    """Like `grad`, but the function returns `(value, gradient)`, computing both in one pass."""
    return _decorator_or_call(func, wrt, with_value=True, check=check)


def show(func: Callable, wrt: Wrt = 0, mode: str = "reverse", file=None) -> None:
    """Print the generated gradient code of `func`."""
    if mode == "forward":
        from srcgrad.forward import show_forward
        return show_forward(func, wrt, file)
    if mode != "reverse":
        raise SrcgradError(f"mode={mode!r} is not available yet; srcgrad generates reverse mode")
    target = func if isinstance(func, GradientFunction) else GradientFunction(func, wrt, True)
    print(target.source, end="", file=file)
