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

import gast

from srcgrad import arguments, binding, cache, callables, depth, syntax
from srcgrad.api import reject_complex
from srcgrad.binding import Read
from srcgrad.compiler import Link, _Build, _with_callees, cache_key, mark, settle
from srcgrad.errors import Origin, SignatureError, SrcgradError, UnsupportedSyntaxError, with_call_site
from srcgrad.frontend.nested import LocalFunction
from srcgrad.frontend.parse import parse_function
from srcgrad.passes.analyses.activity import is_pop, reads_varied
from srcgrad.rules.tangents import helpers
from srcgrad.rules.tangents import runtime as runtime_tangents
from srcgrad.transforms.forward.sweep import Forward



@dataclass(eq=False)
class Jvp:
    """A compiled forward-mode function `function(*params, *tangents) -> (value, tangent)`."""

    function: Callable | None = None
    source: str = ""
    callees: list["Jvp"] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)  # what its compilation baked in (binding.py)
    links: list[Link] = field(default_factory=list)
    done: bool = False  # False while being compiled: only the compiling thread can reach it then
    standins: list[Callable] = field(default_factory=list, repr=False)  # handed out by `late` while compiling

    def late(self) -> Callable:
        """The function; while it is still being compiled (recursion), a stand-in that calls it later (replaced by
        the function itself once compiled: compiler.settle)."""
        if self.function is not None:
            return self.function

        def late(*args):
            return self.function(*args)

        late.__name__ = "jvp"
        self.standins.append(late)
        return late


_JVP = cache.Variants()


def _compile(key: tuple, make: Callable[[], _Build], active: tuple[str, ...], top: bool,
             known: dict[str, Any] | None = None) -> Jvp:
    with cache.LOCK:
        found = _JVP.find(key, known)
        if found is not None:
            return found
        jvp = Jvp()
        _JVP.add(key, jvp)  # recursion finds it (still not done) and calls it through a stand-in
        try:
            build = make()
            callees: list[Jvp] = []

            def jvp_of(callee: Callable, params: tuple[str, ...], origin: Origin, known: dict | None) -> Callable:
                try:
                    sub = jvp_local(callee, params) if isinstance(callee, LocalFunction) \
                        else jvp_function(callee, params, known)
                except SrcgradError as exc:
                    raise with_call_site(exc, origin) from None
                if not sub.done:
                    build.recursive_calls.append(origin)
                callees.append(sub)
                build.links.append((sub, build.mapping(known)))
                return sub.late()

            with depth.room(build.source.depth):  # an expression nested deeply that ANF kept whole (not varied)
                varied, differentiable = _activity(build, active)
                forward = Forward(build.ctx, build.tree, varied, build.resolved, build.numbers, jvp_of,
                                  differentiable)
                base = build.source.name.strip("_") or "f"
                name = build.ctx.namer.fresh(f"jvp_{base}" if top else f"{base}_jvp")
                fdef = forward.function(name, active)
                compiled, shown = build.compile([fdef], build.source.func.__qualname__)
                reads = build.reads()
        except BaseException:
            _JVP.discard(key, jvp)
            raise
        jvp.function, jvp.callees = compiled[name], callees
        jvp.source = _with_callees(shown, callees)  # type: ignore[arg-type]  (same shape: .source, .callees)
        jvp.reads, jvp.links = reads, build.links
        mark(jvp.function, jvp, build.cells)
        jvp.done = True
        depth.note_recursion(compiled.values(), build.recursive_calls)
        if jvp.standins:
            settle(jvp, jvp.standins, lambda unit: [unit.function])
        return jvp


def _activity(build: _Build, active: tuple[str, ...]) -> tuple[set[str], Callable[[gast.Call], bool]]:
    """Varied variables for forward mode, which also reads generated gradient code:

    - runtime helpers with zero tangents (masks, shapes, seeds) do not propagate variation;
    - `v = tape.pop()` restores an earlier value of v, so it varies as v's other assignments do
      (a name assigned only by pops varies with the list);
    - `index_add_inplace(acc, x, i, g)` as a statement is an assignment to acc;
    - a list that starts empty and is handed to a user function (a tape) varies: the callee may
      push varied values onto it, and its tangent list must stay parallel across the calls.
    """
    resolved = build.resolved
    body = build.tree.body
    assigned: dict[str, int] = {}
    pops: list[tuple[str, gast.Call]] = []
    empty_lists: set[str] = set()
    passed: set[str] = set()
    extra: list[gast.stmt] = []
    for node in gast.walk(build.tree):
        if isinstance(node, gast.Assign):
            for name in set().union(*(syntax.names_stored(t) for t in node.targets)):
                assigned[name] = assigned.get(name, 0) + 1
            if is_pop(node.value) and isinstance(node.targets[0], gast.Name):
                pops.append((node.targets[0].id, node.value))
            if isinstance(node.value, gast.List) and not node.value.elts and isinstance(node.targets[0], gast.Name):
                empty_lists.add(node.targets[0].id)
        elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) and node.value.args \
                and isinstance(node.value.args[0], gast.Name):
            obj = getattr(resolved.get(id(node.value)), "obj", None)
            if _hashable(obj) and obj in runtime_tangents.IN_PLACE:
                extra.append(syntax.assign(node.value.args[0].id, node.value))
        if isinstance(node, gast.Call) and getattr(resolved.get(id(node)), "kind", None) == "user":
            passed |= {a.id for a in list(node.args) + [k.value for k in node.keywords] if isinstance(a, gast.Name)}
    pop_counts: dict[str, int] = {}
    for name, _ in pops:
        pop_counts[name] = pop_counts.get(name, 0) + 1
    restores = {id(call) for name, call in pops if assigned.get(name, 0) > pop_counts[name]}

    def differentiable(call: gast.Call) -> bool:
        if id(call) in restores:
            return False
        found = resolved.get(id(call))
        if found is None:
            return True
        return found.kind != "nondiff" and not (_hashable(found.obj) and found.obj in runtime_tangents.ZERO_TANGENT)

    implicit = {name: fn.free for name, fn in build.ctx.local_functions.items()}
    seeds = set(active) | (empty_lists & passed)
    bindings = [(t, v) for t, v in _bindings(list(body) + extra)]
    varied = set(seeds)
    changed = True
    while changed:  # activity.varied_names, except that a runtime helper varies only with its adjoint arguments
        changed = False
        for targets, value in bindings:
            if _reads_varied(value, varied, differentiable, implicit, resolved):
                for target in targets:
                    new = syntax.names_stored(target) - varied
                    if new:
                        varied |= new
                        changed = True
    return varied, differentiable


def _bindings(body: list[gast.stmt]):
    from srcgrad.passes.analyses.activity import _assignments

    return _assignments(body)


def _reads_varied(value: gast.expr, varied: set[str], differentiable, implicit, resolved) -> bool:
    if isinstance(value, gast.Call):
        obj = getattr(resolved.get(id(value)), "obj", None)
        groups = runtime_tangents.LINEAR.get(obj) if _hashable(obj) else None
        if groups and differentiable(value):
            positions = {i for group in groups for i in group}
            return any(reads_varied(value.args[i], varied, differentiable, implicit)
                       for i in positions if i < len(value.args))
    return reads_varied(value, varied, differentiable, implicit)


def _hashable(obj: Any) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


def jvp_function(func: Callable, active: tuple[str, ...], known: dict[str, Any] | None = None,
                 numbers: frozenset[str] = frozenset(), top: bool = False) -> Jvp:
    """The forward-mode function of `func` with respect to its `active` parameters (cached; recursion-safe)."""
    key = cache_key(func, active, "jvp-top" if top else "jvp", known, numbers)
    return _compile(key, lambda: _Build(parse_function(func), active, known=known, numbers=numbers), active, top,
                    known)


def jvp_local(local: LocalFunction, active: tuple[str, ...]) -> Jvp:
    """The forward-mode function of a function defined inside the differentiated one."""
    key = (local.source.func, local.name, local.source.tree.lineno, active, "jvp-local")
    return _compile(key, lambda: _Build(local.source, active, inherited=local.siblings), active, False)


class JvpFunction:
    """`f`'s Jacobian-vector product, compiled on first call: `(*args, tangent) -> (value, tangent of value)`.

    `.source` is the generated code. Arguments are classified as for `grad` (srcgrad/arguments.py),
    and a compiled specialization is reused only while what it baked in holds (binding.py).
    """

    def __init__(self, func: Callable, wrt: Any = 0):
        from srcgrad.api import GradientFunction, _wrt_names, signature

        self._gradient: GradientFunction | None = func if isinstance(func, GradientFunction) else None
        self._over: dict[tuple, JvpFunction] = {}  # for a gradient: argument kinds -> jvp of its generated code
        if self._gradient is not None:  # forward over reverse: differentiate the generated gradient code
            func = self._gradient.func
        self.func = func
        self._target = target = callables.python_form(func)  # what is compiled (see GradientFunction)
        self.wrt = wrt
        self.label = f"jvp({callables.name_of(func)})"  # for messages (hvp sets its own)
        self._nested = False  # the jvp of a gradient's generated code, inside hvp: its caller reports errors
        self._by_kind: dict[tuple, Callable] = {}  # argument kinds -> generated function
        self._entries: dict[tuple, tuple[Callable, Callable | None]] = {}  # kinds -> (generated, per-call check)
        self._last: Jvp | None = None
        self._error: SrcgradError | None = None
        try:
            self._signature = signature(target)  # as called: without `self` for a bound method
            self._positional = [p.name for p in signature(getattr(target, "__func__", target)).parameters.values()
                                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            self._signature, self._positional = None, []
        params = list(self._signature.parameters.values()) if self._signature is not None else []
        # a call passing every parameter by position needs no binding (the common case, on every call)
        self._plain = len(params) if all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params) \
            else -1
        try:
            self._names, self._many = _wrt_names(target, wrt, func)
        except UnsupportedSyntaxError as exc:
            self._names, self._many, self._error = (), False, exc
        called = self._positional[1:] if inspect.ismethod(target) else self._positional
        self._wrt_at = [(name, called.index(name) if name in called else None) for name in self._names]
        functools.update_wrapper(self, func)
        self.__name__ = f"jvp_{callables.name_of(func)}"
        cache.hold(self)

    def forget(self) -> None:
        """Drop the compiled code (srcgrad.clear_cache)."""
        self._by_kind, self._entries, self._over, self._last = {}, {}, {}, None

    def __reduce__(self) -> str | tuple:
        """Pickled as the user's function (or gradient) and `wrt`, compiled again where it is unpickled."""
        from srcgrad.api import is_global

        if is_global(self):
            return self.__qualname__
        return _rebuild_jvp, (self._gradient if self._gradient is not None else self.func, self.wrt, self.label)

    def compile(self, kinds: tuple = (), args: tuple = ()) -> Jvp:
        """Compile (or fetch) the forward-mode code for positional arguments of these kinds (see arguments.kind)."""
        if self._error is not None:
            raise self._error
        with cache.LOCK:
            function, bound = self._target, None
            if inspect.ismethod(function):
                function, bound = function.__func__, function.__self__
            arguments.check_structure(self.func, self._wrt_at, args)
            spec = arguments.specialize(self._positional, kinds, args, bound)
            jvp = jvp_function(function, self._names, known=spec.known, numbers=spec.numbers, top=True)
            compiled = functools.partial(jvp.function, bound) if bound is not None else jvp.function
            self._entries[kinds] = (compiled, binding.guard(binding.flatten(jvp), spec.params))
            self._by_kind[kinds] = compiled
            self._last = jvp
            return jvp

    @property
    def source(self) -> str:
        """The generated code (for the arguments of the last call, if any)."""
        if self._gradient is not None:
            if not self._over:
                self._over_gradient(())
            return next(reversed(self._over.values())).source
        return (self._last or self.compile()).source

    def _over_gradient(self, args: tuple) -> "JvpFunction":
        """The forward-mode function of the gradient's generated code for arguments like `args`
        (the code the gradient would run for them now: compiled again if what it baked in changed)."""
        kinds = arguments.kinds(args)
        gradient = self._gradient
        compiled = gradient._by_kind.get(kinds)
        if compiled is None or (compiled.guard is not None and not compiled.guard(args)):
            compiled = gradient._current(kinds, args)
        generated = compiled.function
        if isinstance(generated, functools.partial):
            raise SrcgradError("forward over reverse does not support bound methods yet",
                               hint="Differentiate a plain function that takes the object as an argument.")
        inner = self._over.get(kinds)
        if inner is None or inner.func is not generated:
            inner = self._over[kinds] = JvpFunction(generated, self.wrt)
            inner._nested = True
        return inner

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        try:  # costs nothing unless something is raised; then _failed says what the user's call got wrong
            if self._gradient is not None:  # (value, tangent) of the gradient function (or of value_and_grad)
                inner = self._over_gradient(tuple(args[:-1]))
                (value, grads), (t_value, t_grads) = inner(*args, **kwargs)
                gradient = self._gradient
                out, t_out = (grads, t_grads) if gradient._many else (grads[0], t_grads[0])
                return ((value, out), (t_value, t_out)) if gradient.with_value else (out, t_out)
            *primals, tangent = args
            primals = tuple(primals)
            tangents = tuple(tangent) if self._many else (tangent,)
            if len(tangents) != len(self._names):
                raise self._tangent_count(len(tangents))
            reject_complex(self.func, self._wrt_at, primals, kwargs)
            if not kwargs and len(primals) == self._plain:
                values = primals
            else:
                bound = self._signature.bind(*primals, **kwargs)
                bound.apply_defaults()
                values = list(bound.arguments.values())
            kinds = arguments.kinds(primals)
            entry = self._entries.get(kinds)
            if entry is None or (entry[1] is not None and not entry[1](primals)):
                with cache.LOCK:  # another thread may have compiled it meanwhile
                    entry = self._entries.get(kinds)
                    if entry is None or (entry[1] is not None and not entry[1](primals)):
                        self.compile(kinds, primals)
                        entry = self._entries[kinds]
            value, out = entry[0](*values, *tangents)
        except Exception as exc:
            error = self._failed(exc, args, kwargs)
            if error is None:
                raise
            raise error from None
        return value, helpers.complete_tangent(out, value)

    def _failed(self, exc: Exception, args: tuple, kwargs: dict) -> SrcgradError | None:
        """The error to raise instead of `exc`, raised by a call with `args`: arguments the function does not take
        (a missing tangent), or recursion deeper than Python's limit; None to let `exc` through."""
        if self._nested:
            return None
        if isinstance(exc, RecursionError) and not isinstance(exc, SrcgradError):
            return depth.too_deep(exc, self.func, self.label)
        if isinstance(exc, SignatureError) and self._gradient is None:
            return None
        target = self._gradient._target if self._gradient is not None else self._target
        return callables.jvp_call_error(self.func, target, self.label, args, kwargs, len(self._names))

    def _tangent_count(self, given: int) -> SignatureError:
        count = len(self._names)
        return SignatureError(
            f"{self.label} was given a tuple of {given} tangents, but wrt={self.wrt!r} selects {count} arguments "
            f"({', '.join(self._names)})", callables.origin_of(self.func),
            hint="Pass one tangent per argument in wrt, in that order, each with its argument's structure.")

    def __repr__(self) -> str:
        return f"<{self.__name__} wrt={self.wrt!r}>"


def _rebuild_jvp(func: Callable, wrt: Any, label: str) -> JvpFunction:
    """A pickled JvpFunction (or hvp's) made again from what it differentiates."""
    made = JvpFunction(func, wrt)
    made.label = label
    return made


def jvp(func: Callable | None = None, wrt: Any = 0) -> JvpFunction | Callable:
    """Forward mode: the derivative of `func` at `args` along a tangent of the argument(s) `wrt`.

    Args:
        func: a Python function (any output: float, array, or dicts/lists/tuples/NamedTuples/dataclasses
            of them).
        wrt: a parameter index, a parameter name, or a tuple of them.
    Returns:
        A function `(*args, tangent) -> (value, tangent of value)`; for a tuple `wrt`, `tangent` is a
        tuple with one tangent per argument, each with its argument's structure (a NamedTuple or
        dataclass argument takes a tangent of its own type).
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
