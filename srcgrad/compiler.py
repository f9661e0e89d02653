"""The pipeline: function -> parse -> check -> normalize -> analyze -> reverse -> compile.

Results are cached by (code object, closure values' identities, what is differentiated, shape),
so a function is compiled once per way it is differentiated.
"""
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import gast

from srcgrad import syntax
from srcgrad.codegen.compile import compile_functions
from srcgrad.errors import Origin, SrcgradError, with_call_site
from srcgrad.frontend.fence import check_supported
from srcgrad.frontend.nested import LocalFunction, lift_nested
from srcgrad.frontend.parse import Source, parse_function
from srcgrad.naming import Namer
from srcgrad.passes.analyses.activity import varied_names
from srcgrad.passes.analyses.numbers import number_names
from srcgrad.passes.analyses.resolve import resolve_call
from srcgrad.passes.manager import Context
from srcgrad.passes.normalize.anf import local_names, to_anf
from srcgrad.passes.normalize.desugar import desugar
from srcgrad.passes.normalize.comprehensions import expand_comprehensions
from srcgrad.passes.normalize.jumps import expand_jumps
from srcgrad.passes.normalize.loops import expand_loops
from srcgrad.passes.normalize.returns import single_return
from srcgrad.transforms.reverse.sweep import Reverse


@dataclass
class Joint:
    """A compiled joint gradient: `function(*args) -> (value, (gradients...))`."""

    function: Callable
    source: str
    wrt: tuple[str, ...]


@dataclass
class Split:
    """A compiled split gradient of a callee: `fwd(tape, *args) -> value`, `bwd(tape, d_out) -> gradients`."""

    fwd: Callable | None = None
    bwd: Callable | None = None
    source: str = ""
    callees: list["Split"] = field(default_factory=list)

    def half(self, which: str) -> Callable:
        """`fwd` or `bwd`; while this split is still being compiled (recursion), a stand-in that calls it later."""
        done = getattr(self, which)
        if done is not None:
            return done

        def late(*args):
            return getattr(self, which)(*args)

        late.__name__ = which
        late.srcgrad_target = lambda: getattr(self, which)  # what differentiating `late` means
        return late


_JOINT: dict[tuple, Joint] = {}
_SPLIT: dict[tuple, Split] = {}


def _closure_key(func: Callable) -> tuple:
    cells = func.__closure__ or ()
    out = []
    for cell in cells:
        try:
            out.append(id(cell.cell_contents))
        except ValueError:
            out.append(None)
    return tuple(out)


def _cache_key(func: Callable, names: tuple[str, ...], kind: str) -> tuple:
    func = inspect.unwrap(func)
    if not hasattr(func, "__code__"):
        parse_function(func)  # raises SourceUnavailableError, naming the object
    return (func.__code__, id(func.__globals__), _closure_key(func), names, kind)


class _Build:
    """One function's trip through the pipeline."""

    def __init__(self, source: Source, wrt: tuple[str, ...], inherited: dict[str, LocalFunction] | None = None,
                 known: dict[str, Any] | None = None, numbers: frozenset[str] = frozenset(), callee: bool = False,
                 pure: bool = False):
        self.pure = pure
        self.source = source
        tree = self.source.tree
        namer = Namer(syntax.all_names(tree) | {tree.name})
        nested = lift_nested(self.source, local_names(tree))
        check_supported(self.source, callee=callee)
        self.callees: list[Split] = []
        self.ctx = Context(self.source, namer, local_names(tree) | set(nested), self._split_of)
        self.ctx.local_functions = {**(inherited or {}), **nested}
        self.ctx.known = dict(known or {})
        for free in sorted(syntax.names_loaded(tree) & set(self.source.closure)):
            # closure variables reach generated code as factory parameters of the same name
            self.ctx.injected[free] = self.source.closure[free]
            self.ctx._refs.setdefault(id(self.source.closure[free]), free)
        tree = desugar(tree)
        self.ctx.dump("desugar", tree)
        tree = single_return(tree, namer)
        self.ctx.dump("returns", tree)
        tree = expand_jumps(tree, namer)
        self.ctx.dump("jumps", tree)
        tree = expand_comprehensions(tree, namer)
        self.ctx.dump("comprehensions", tree)
        tree = expand_loops(tree, namer, self.ctx.ref, self.ctx.local_names)
        self.ctx.dump("loops", tree)
        implicit = {name: fn.free for name, fn in self.ctx.local_functions.items()}
        tree = to_anf(tree, namer, set(wrt), implicit)
        self.ctx.dump("anf", tree)
        self.tree = tree
        locals_ = local_names(tree)
        self.resolved = {id(n): resolve_call(n, self.source, locals_, self.ctx)
                         for n in gast.walk(tree) if isinstance(n, gast.Call)}
        self.varied = varied_names(tree.body, set(wrt),
                                   lambda call: self.resolved.get(id(call)) is None
                                   or self.resolved[id(call)].kind != "nondiff", implicit)
        self.numbers = number_names(tree, set(numbers), lambda call: self.resolved[id(call)].obj)
        self.reverse = Reverse(self.ctx, tree, self.varied, self.resolved, self.numbers, pure)

    def _split_of(self, callee: Callable, active: tuple[str, ...], origin: Origin,
                  known: dict[str, Any] | None = None, numbers: frozenset[str] = frozenset()) -> Split:
        try:
            split = split_local(callee, active, numbers, self.pure) if isinstance(callee, LocalFunction) \
                else split_gradient(callee, active, known, numbers, self.pure)
        except SrcgradError as exc:
            raise with_call_site(exc, origin) from None
        self.callees.append(split)
        return split

    def compile(self, functions: list[gast.FunctionDef], label: str) -> tuple[dict[str, Callable], str]:
        compiled, shown = compile_functions(functions, self.ctx.injected, self.source.globals, label)
        return compiled, shown


def _with_callees(shown: str, callees: list[Split]) -> str:
    seen: set[int] = set()
    parts = [shown]

    def add(split: Split) -> None:
        if id(split) in seen or not split.source:
            return
        seen.add(id(split))
        parts.append(split.source)
        for sub in split.callees:
            add(sub)

    for callee in callees:
        add(callee)
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"


def joint_gradient(func: Callable, wrt: tuple[str, ...], known: dict[str, Any] | None = None,
                   numbers: frozenset[str] = frozenset(), pure: bool = False) -> Joint:
    """The joint gradient function of `func` with respect to the parameters named in `wrt` (cached).

    `known` maps parameters to values fixed at compile time (`self` of a bound method), so that
    method calls on them resolve statically.
    """
    key = _cache_key(func, wrt, "joint") + tuple(sorted((k, type(v)) for k, v in (known or {}).items())) \
        + (numbers, pure)
    if key not in _JOINT:
        build = _Build(parse_function(func), wrt, known=known, numbers=numbers, pure=pure)
        name = build.ctx.namer.fresh(f"grad_{build.source.name}".replace("grad__", "grad_"))
        fdef = build.reverse.joint(name, wrt, gradient_only=pure)
        compiled, shown = build.compile([fdef], build.source.func.__qualname__)
        _JOINT[key] = Joint(compiled[name], _with_callees(shown, build.callees), wrt)
    return _JOINT[key]


def split_gradient(func: Callable, active: tuple[str, ...], known: dict[str, Any] | None = None,
                   numbers: frozenset[str] = frozenset(), pure: bool = False) -> Split:
    """The split gradient of a callee with respect to its `active` parameters (cached; recursion-safe).

    `numbers` names the parameters that receive Python numbers at this call site.
    """
    key = _cache_key(func, active, "split") + tuple(sorted((k, type(v)) for k, v in (known or {}).items())) \
        + (numbers, pure)
    if key in _SPLIT:
        return _SPLIT[key]
    return _build_split(key, lambda: _Build(parse_function(func), active, known=known, numbers=numbers,
                                            callee=True, pure=pure), active)


def split_local(local: LocalFunction, active: tuple[str, ...], numbers: frozenset[str] = frozenset(),
                pure: bool = False) -> Split:
    """The split gradient of a function defined inside the differentiated one (see frontend/nested.py)."""
    key = (local.source.func.__code__, local.name, local.source.tree.lineno, active, numbers, pure, "local")
    if key in _SPLIT:
        return _SPLIT[key]
    return _build_split(key, lambda: _Build(local.source, active, inherited=local.siblings, numbers=numbers,
                                            callee=True, pure=pure), active)


def _build_split(key: tuple, make: Callable[[], "_Build"], active: tuple[str, ...]) -> Split:
    split = _SPLIT[key] = Split()
    try:
        build = make()
        base = build.source.name.strip("_") or "f"
        fwd_name = build.ctx.namer.fresh(f"{base}_fwd")
        bwd_name = build.ctx.namer.fresh(f"{base}_bwd")
        fwd, bwd = build.reverse.split(fwd_name, bwd_name, active)
        compiled, shown = build.compile([fwd, bwd], build.source.func.__qualname__)
    except BaseException:
        del _SPLIT[key]
        raise
    split.fwd, split.bwd, split.source, split.callees = compiled[fwd_name], compiled[bwd_name], shown, build.callees
    return split
