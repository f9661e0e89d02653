"""The pipeline: function -> parse -> check -> normalize -> analyze -> reverse -> compile.

Compiled units are cached per function object and way of differentiating it (srcgrad/cache.py),
and each records what its compilation baked in (srcgrad/binding.py): a cached unit is reused only
while that is still what the function would see. All compiling happens under `cache.LOCK`.
"""
import math
import types
from dataclasses import dataclass, field
from typing import Any, Callable

import gast

from srcgrad import cache, depth, syntax
from srcgrad.binding import Const, Read, Root
from srcgrad.codegen.compile import NestedTooDeep, compile_functions
from srcgrad.errors import Origin, SrcgradError, UnsupportedSyntaxError, with_call_site
from srcgrad.frontend.fence import check_supported
from srcgrad.frontend.nested import LocalFunction, lift_nested
from srcgrad.frontend.parse import Source, parse_function
from srcgrad.naming import Namer
from srcgrad.passes.analyses.activity import varied_names
from srcgrad.passes.analyses.bindings import reads_of, receiver_roots
from srcgrad.passes.analyses.numbers import number_names
from srcgrad.passes.analyses.resolve import resolve_call
from srcgrad.passes.manager import Context
from srcgrad.passes.normalize.anf import local_names, to_anf
from srcgrad.passes.normalize.aliases import substitute_aliases
from srcgrad.passes.normalize.desugar import desugar
from srcgrad.passes.normalize.in_place import cast_in_place
from srcgrad.passes.normalize.comprehensions import expand_comprehensions
from srcgrad.passes.normalize.jumps import expand_jumps
from srcgrad.passes.normalize.loops import expand_loops
from srcgrad.passes.normalize.returns import single_return
from srcgrad.transforms.reverse.sweep import Reverse

Link = tuple[Any, dict[str, list[Root]]]  # (a called unit, its known parameters in the caller's terms)


@dataclass(eq=False)
class Joint:
    """A compiled joint gradient: `function(*args) -> (value, (gradients...))`."""

    function: Callable
    source: str
    wrt: tuple[str, ...]
    reads: list[Read] = field(default_factory=list)  # what its compilation baked in (binding.py)
    links: list[Link] = field(default_factory=list)  # the split gradients it calls
    done: bool = True


@dataclass(eq=False)
class Split:
    """A compiled split gradient of a callee: `fwd(tape, *args) -> value`, `bwd(tape, d_out) -> gradients`."""

    fwd: Callable | None = None
    bwd: Callable | None = None
    source: str = ""
    callees: list["Split"] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    done: bool = False  # False while being compiled: only the compiling thread can reach it then
    standins: list[Callable] = field(default_factory=list, repr=False)  # handed out by `half` while compiling

    def half(self, which: str) -> Callable:
        """`fwd` or `bwd`; while this split is still being compiled (recursion), a stand-in that calls it later
        (replaced by the function itself once compiled: `settle`)."""
        done = getattr(self, which)
        if done is not None:
            return done

        def late(*args):
            return getattr(self, which)(*args)

        late.__name__ = which
        late.srcgrad_target = lambda: getattr(self, which)  # what differentiating `late` means
        self.standins.append(late)
        return late


def settle(unit: Any, standins: list[Callable], functions: Callable[[Any], list[Callable]]) -> None:
    """Put `unit`'s compiled functions where generated code holds its `standins` (recursion reached `unit` while it
    was compiled), in `unit`'s code and its callees', so that a recursive gradient takes one frame per level of
    recursion, as the function does, not two. `functions(unit)` are the compiled functions of a unit."""
    real = {id(late): getattr(unit, "function", None) or getattr(unit, late.__name__) for late in standins}
    seen: set[int] = set()
    todo = [unit]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for function in functions(current):
            for cell in getattr(function, "__closure__", None) or ():
                try:
                    contents = cell.cell_contents
                except ValueError:
                    continue
                if id(contents) in real:
                    cell.cell_contents = real[id(contents)]
        todo.extend(current.callees)
    standins.clear()


_JOINT = cache.Variants()
_SPLIT = cache.Variants()


def cache_key(func: Callable, names: tuple[str, ...], kind: str, known: dict[str, Any] | None = None,
              numbers: frozenset[str] = frozenset(), pure: bool = False) -> tuple:
    """The cache key of a compiled unit: the function object itself (two functions with equal code objects,
    from two notebook cells, are two functions), what is differentiated, the classes of known objects."""
    if not isinstance(getattr(func, "__code__", None), types.CodeType):
        parse_function(func)  # raises SourceUnavailableError, naming the object
    return (func, names, kind, tuple(sorted((k, type(v)) for k, v in (known or {}).items())), numbers, pure)


def mark(function: Callable, unit: Any, cells: dict[str, types.CellType]) -> None:
    """Tag generated code with its unit (whose reads it inherits when differentiated again) and the names
    of the user's closure cells it reads live (the rest of its closure is srcgrad's and never changes)."""
    function.__srcgrad_unit__ = unit
    function.__srcgrad_cells__ = frozenset(cells)


def _user_cells(func: Callable) -> dict[str, types.CellType]:
    """The closure cells of `func` that hold user variables (for generated code: those it shares with the user)."""
    code = func.__code__
    cells = dict(zip(code.co_freevars, func.__closure__ or ()))
    shared = getattr(func, "__srcgrad_cells__", None)
    if shared is not None:
        cells = {name: cell for name, cell in cells.items() if name in shared}
    return cells


def _is_literal(value: Any) -> bool:
    """A default value that reads the same written as a literal in generated code."""
    if type(value) is float:
        return math.isfinite(value)
    return value is None or type(value) in (bool, int, str)


class _Build:
    """One function's trip through the pipeline."""

    def __init__(self, source: Source, wrt: tuple[str, ...], inherited: dict[str, LocalFunction] | None = None,
                 known: dict[str, Any] | None = None, numbers: frozenset[str] = frozenset(), callee: bool = False,
                 pure: bool = False):
        with depth.room(source.depth):  # a statement nested hundreds of levels deep: the passes below recurse
            self._build(source, wrt, inherited, known, numbers, callee, pure)

    def _build(self, source: Source, wrt: tuple[str, ...], inherited: dict[str, LocalFunction] | None,
               known: dict[str, Any] | None, numbers: frozenset[str], callee: bool, pure: bool) -> None:
        self.pure = pure
        self.source = source
        self.recursive_calls: list[Origin] = []  # calls of a function still being compiled (recursion)
        tree = self.source.tree
        namer = Namer(syntax.all_names(tree) | {tree.name})
        nested = lift_nested(self.source, local_names(tree))
        check_supported(self.source, callee=callee)
        self.callees: list[Split] = []
        self.ctx = Context(self.source, namer, local_names(tree) | set(nested), self._split_of)
        self.ctx.local_functions = {**(inherited or {}), **nested}
        self.ctx.known = dict(known or {})
        self.links: list[Link] = []
        cells = _user_cells(self.source.func)
        for free in sorted(syntax.names_loaded(tree) & set(self.source.closure)):
            # closure variables reach generated code under the same name; the user's own cells are
            # shared with it (compile_functions), so it reads them live, as the user's function does
            self.ctx.injected[free] = self.source.closure[free]
        self.cells = {name: cell for name, cell in cells.items() if name in self.ctx.injected}
        unit = getattr(self.source.func, "__srcgrad_unit__", None)
        if unit is not None:  # generated code differentiated again: it is valid while its own unit is
            self.links.append((unit, {}))
        if inherited is None:
            self._bake_defaults(tree)
        tree = desugar(tree, namer)
        self.ctx.dump("desugar", tree)
        tree = substitute_aliases(tree, lambda name: self.source.lookup(name, None), self.ctx.ref)
        self.ctx.dump("aliases", tree)
        tree = single_return(tree, namer)
        self.ctx.dump("returns", tree)
        tree = expand_jumps(tree, namer)
        self.ctx.dump("jumps", tree)
        tree = expand_comprehensions(tree, namer, lambda name: self.source.lookup(name, None))
        self.ctx.dump("comprehensions", tree)
        tree = expand_loops(tree, namer, self.ctx.ref, self.ctx.local_names)
        self.ctx.dump("loops", tree)
        implicit = {name: fn.free for name, fn in self.ctx.local_functions.items()}
        tree = to_anf(tree, namer, set(wrt), implicit)
        self.ctx.dump("anf", tree)
        locals_ = local_names(tree)
        self.resolved = {id(n): resolve_call(n, self.source, locals_, self.ctx)
                         for n in gast.walk(tree) if isinstance(n, gast.Call)}
        self.numbers = number_names(tree, set(numbers), lambda call: self.resolved[id(call)].obj)
        tree = cast_in_place(tree, self.numbers, namer, self.ctx.ref)
        self.ctx.dump("in place", tree)
        locals_ = local_names(tree)
        self.resolved.update({id(n): resolve_call(n, self.source, locals_, self.ctx)
                              for n in gast.walk(tree) if isinstance(n, gast.Call) and id(n) not in self.resolved})
        self.tree = tree
        self.receivers = receiver_roots(tree, self.resolved, self.ctx)
        self.varied = varied_names(tree.body, set(wrt),
                                   lambda call: self.resolved.get(id(call)) is None
                                   or self.resolved[id(call)].kind != "nondiff", implicit)
        self.reverse = Reverse(self.ctx, tree, self.varied, self.resolved, self.numbers, pure)

    def _bake_defaults(self, tree: gast.FunctionDef) -> None:
        """The generated signature takes the defaults the function has (`__defaults__`), not its default
        expressions evaluated again (`def f(x, c=c)` made in a loop: each function its own c)."""
        func = self.source.func
        args = tree.args
        positional = [p.id for p in args.posonlyargs + args.args]
        values = func.__defaults__ or ()
        args.defaults = [self._default(p, v) for p, v in zip(positional[len(positional) - len(values):], values)]
        keyword = func.__kwdefaults__ or {}
        args.kw_defaults = [self._default(p.id, keyword[p.id]) if p.id in keyword else None for p in args.kwonlyargs]

    def _default(self, param: str, value: Any) -> gast.expr:
        if _is_literal(value):
            return syntax.const(value)
        name = self.ctx.namer.fresh(f"{param}_default")
        self.ctx.injected[name] = value
        return syntax.name(name)

    def mapping(self, known: dict[str, Any] | None) -> dict[str, list[Root]]:
        """A callee's known parameters (its `self`) in this function's terms: a parameter of ours, or an object."""
        return {param: self.receivers.get(id(value)) or [Const(value)] for param, value in (known or {}).items()}

    def _split_of(self, callee: Callable, active: tuple[str, ...], origin: Origin,
                  known: dict[str, Any] | None = None, numbers: frozenset[str] = frozenset()) -> Split:
        try:
            split = split_local(callee, active, numbers, self.pure) if isinstance(callee, LocalFunction) \
                else split_gradient(callee, active, known, numbers, self.pure)
        except SrcgradError as exc:
            raise with_call_site(exc, origin) from None
        if not split.done:
            self.recursive_calls.append(origin)
        self.callees.append(split)
        self.links.append((split, self.mapping(known)))
        return split

    def compile(self, functions: list[gast.FunctionDef], label: str) -> tuple[dict[str, Callable], str]:
        try:
            compiled, shown = compile_functions(functions, self.ctx.injected, self.source.globals, label, self.cells)
        except NestedTooDeep:
            origin = self.source.origin(_most_nested(parse_function(self.source.func).tree))  # as written
            raise UnsupportedSyntaxError(
                "the gradient of this code nests more blocks than Python can compile (each conditional "
                "expression `a if c else b` becomes an `if` statement, and Python allows 100 levels)", origin,
                hint="Split the expression into several statements (an `if` statement per condition), or use "
                "np.where / np.select for arrays.") from None
        return compiled, shown

    def reads(self) -> list[Read]:
        """What this compilation baked in (call after generating code: templates add names as they go)."""
        return reads_of(self.source, self.tree, self.resolved, self.ctx, self.cells)


def _most_nested(tree: gast.FunctionDef) -> gast.stmt | None:
    """The simple statement whose expression nests the most conditionals (`a if c else b`, `and`, `or`)."""
    def depth(node: gast.AST) -> int:
        deepest, stack = 0, [(node, 0)]
        while stack:
            node, level = stack.pop()
            level += isinstance(node, (gast.IfExp, gast.BoolOp))
            deepest = max(deepest, level)
            stack.extend((child, level) for child in gast.iter_child_nodes(node))
        return deepest

    simple = [n for n in gast.walk(tree) if isinstance(n, gast.stmt)
              and not isinstance(n, (gast.FunctionDef, gast.If, gast.For, gast.While, gast.With, gast.Try))]
    return max(simple, key=depth, default=None)


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

    `known` maps parameters to values fixed at compile time (`self` of a bound method, an object
    argument), so that method calls on them resolve statically; the unit returned is valid for them.
    """
    with cache.LOCK:
        key = cache_key(func, wrt, "joint", known, numbers, pure)
        joint = _JOINT.find(key, known)
        if joint is None:
            build = _Build(parse_function(func), wrt, known=known, numbers=numbers, pure=pure)
            name = build.ctx.namer.fresh(f"grad_{build.source.name}".replace("grad__", "grad_"))
            with depth.room(build.source.depth):  # an expression nested deeply that ANF kept whole (not varied)
                fdef = build.reverse.joint(name, wrt, gradient_only=pure)
                compiled, shown = build.compile([fdef], build.source.func.__qualname__)
            joint = Joint(compiled[name], _with_callees(shown, build.callees), wrt, build.reads(), build.links)
            mark(joint.function, joint, build.cells)
            _JOINT.add(key, joint)
        return joint


def split_gradient(func: Callable, active: tuple[str, ...], known: dict[str, Any] | None = None,
                   numbers: frozenset[str] = frozenset(), pure: bool = False) -> Split:
    """The split gradient of a callee with respect to its `active` parameters (cached; recursion-safe).

    `numbers` names the parameters that receive Python numbers at this call site.
    """
    with cache.LOCK:
        key = cache_key(func, active, "split", known, numbers, pure)
        split = _SPLIT.find(key, known)
        if split is not None:
            return split
        return _build_split(key, lambda: _Build(parse_function(func), active, known=known, numbers=numbers,
                                                callee=True, pure=pure), active)


def split_local(local: LocalFunction, active: tuple[str, ...], numbers: frozenset[str] = frozenset(),
                pure: bool = False) -> Split:
    """The split gradient of a function defined inside the differentiated one (see frontend/nested.py)."""
    with cache.LOCK:
        key = (local.source.func, local.name, local.source.tree.lineno, active, numbers, pure, "local")
        split = _SPLIT.find(key)
        if split is not None:
            return split
        return _build_split(key, lambda: _Build(local.source, active, inherited=local.siblings, numbers=numbers,
                                                callee=True, pure=pure), active)


def _build_split(key: tuple, make: Callable[[], "_Build"], active: tuple[str, ...]) -> Split:
    split = Split()
    _SPLIT.add(key, split)  # recursion finds it (still not done) and calls it through a stand-in
    try:
        build = make()
        base = build.source.name.strip("_") or "f"
        fwd_name = build.ctx.namer.fresh(f"{base}_fwd")
        bwd_name = build.ctx.namer.fresh(f"{base}_bwd")
        with depth.room(build.source.depth):  # an expression nested deeply that ANF kept whole (not varied)
            fwd, bwd = build.reverse.split(fwd_name, bwd_name, active)
            compiled, shown = build.compile([fwd, bwd], build.source.func.__qualname__)
            reads = build.reads()
    except BaseException:
        _SPLIT.discard(key, split)
        raise
    split.fwd, split.bwd, split.source, split.callees = compiled[fwd_name], compiled[bwd_name], shown, build.callees
    split.reads, split.links = reads, build.links
    mark(split.fwd, split, build.cells)
    mark(split.bwd, split, build.cells)
    split.done = True
    depth.note_recursion(compiled.values(), build.recursive_calls)
    if split.standins:
        settle(split, split.standins, lambda unit: [unit.fwd, unit.bwd])
    return split
