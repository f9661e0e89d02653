"""Aliasing: refuse writes whose effect another name would see, instead of differentiating them wrongly.

In Python `z = y; z[0] = e` changes y too, and so do `row = buf[0]; buf[0] = e` (row is a view),
`hs.append(buf); buf[0] = e` (the list holds buf itself) and `z += e` when z is a second name for
an array (`+=` works in place). srcgrad gives every name its own adjoint, so such a write would be
differentiated as if only the written name changed: a wrong gradient. This analysis finds them.

It interprets the normalized function abstractly: every name holds a set of abstract objects
(what it may refer to): an argument (`("param", p)`), something reached from outside the function
(`("outer",)`), the most recent object made by an allocating statement (`("new", line)`) or an
older one from the same statement (`("old", line)`), an element or attribute of another object
(`("elem", o)`); containers record which objects they hold. Views, copies of names, element reads
and calls that may return their arguments share objects; arithmetic and NumPy calls make new ones.
Loops and branches are joined to a fixed point. A write through name t is unsafe when an object t
may refer to may also be reached, after the write, through another name (directly or inside a
container). Then:

- if the written object carries derivatives (t is varied), compiling stops with an
  UnsupportedSyntaxError at the write, naming the other name and saying how to copy;
- otherwise the write is made undoable in the backward sweep (its old value is saved and put
  back), so every value the backward sweep reads is the one its forward statement saw.

Writes into arguments are allowed (srcgrad saves and restores what they overwrite), but two
arguments may be the same array at run time: `mutated_params` names them, and the generated code
checks at entry that they share no memory with the other arguments. In-place NumPy operations
(`out=`, `np.copyto`, `x.fill`, `ufunc.at`, ...) and list methods other than `append` and `pop()`
are refused on values the backward sweep may need.

>>> import gast
>>> tree = gast.parse('''
... def f(x):
...     y = x * 1.0
...     z = y
...     z[0] = 5.0
...     return y
... ''').body[0]
>>> _Aliasing(tree, {"x", "y", "z"}, {}, {}).unsafe_writes()
{('z', ('y',))}
"""
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import gast
import numpy as np

from srcgrad import runtime, syntax
from srcgrad.codegen.unparse import unparse
from srcgrad.errors import UnsupportedSyntaxError

Obj = tuple
OUTER: Obj = ("outer",)

# calls whose result may be (a view of) their first argument
_VIEWS = {np.reshape, np.ravel, np.transpose, np.squeeze, np.expand_dims, np.swapaxes, np.moveaxis, np.asarray,
          np.asanyarray, np.ascontiguousarray, np.atleast_1d, np.atleast_2d, np.atleast_3d, np.broadcast_to,
          np.diagonal, np.real, np.imag, np.flip, np.fliplr, np.flipud, np.rot90, runtime.stop_gradient,
          runtime.as_sequence}
# (`_s1 = as_sequence(xs)` from passes/normalize/loops.py is xs itself: a loop over xs whose body writes
# `xs[i] = e` reads xs live through its own name, so that write is not one _s1 would see; see `write`)
_VIEW_METHODS = {"reshape", "ravel", "transpose", "squeeze", "swapaxes", "view", "diagonal", "T", "real", "imag", "flat",
                 "get", "values", "items", "keys"}
# calls that make a new container holding the same items as their argument
_SHALLOW_COPIES = {list, tuple, dict, sorted, reversed}
_SHALLOW_COPY_METHODS = {"copy"}
# methods that change their object in place
_LIST_MUTATORS = {"extend", "insert", "remove", "clear", "sort", "reverse", "update", "setdefault", "popitem",
                  "fill", "resize", "itemset", "put", "partition", "setflags", "pop", "__setitem__", "__delitem__",
                  "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__", "__imatmul__"}
_NUMPY_MUTATORS = {np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis, np.random.shuffle}


_TEMPORARY = re.compile(r"^_(t|s|r|c|l|i|n|e|x|ret|broke)\d*$")  # names the normalize passes make


def _elem(obj: Obj) -> Obj:
    return obj if obj[0] == "elem" else ("elem", obj)


@dataclass
class _State:
    names: dict[str, frozenset] = field(default_factory=dict)
    contents: dict[Obj, frozenset] = field(default_factory=dict)
    containers: frozenset = frozenset()  # objects known to be lists, tuples or dicts: an item is not a view

    def copy(self) -> "_State":
        return _State(dict(self.names), dict(self.contents), self.containers)

    def join(self, other: "_State") -> "_State":
        out = self.copy()
        for table, theirs in ((out.names, other.names), (out.contents, other.contents)):
            for key, value in theirs.items():
                table[key] = table.get(key, frozenset()) | value
        out.containers = self.containers & other.containers
        return out

    def element(self, objs: frozenset) -> frozenset:
        """What `x[i]` may be: an item of a container, or a view of an array (the array itself)."""
        return self.items(objs) | (objs - self.containers)

    def items(self, objs: frozenset) -> frozenset:
        """What the containers among `objs` may hold (an argument's items are its elements)."""
        out = set()
        for obj in objs:
            out |= self.contents.get(obj, frozenset() if obj[0] in ("new", "old") else {_elem(obj)})
        return frozenset(out)

    def reach(self, objs: frozenset) -> frozenset:
        """`objs` and everything inside them."""
        seen, todo = set(objs), list(objs)
        while todo:
            for inner in self.items(frozenset({todo.pop()})):
                if inner not in seen:
                    seen.add(inner)
                    todo.append(inner)
        return frozenset(seen)


@dataclass(frozen=True)
class Guard:
    """A run-time check before a write: `name` must share no memory with `others` (see runtime.check_write)."""

    name: str
    others: tuple[str, ...]
    origin: Any
    augmented: bool  # `name op= e`: only an array or a list would be changed in place
    shown: tuple[str, ...] = ()  # how messages name `others` (the user's name behind a temporary)
    callee: tuple[str, str] | None = None  # (function, parameter): a call that may change `name` with `op=`
    label: str = ""  # how messages name `name`, when it is srcgrad's (`A[0]` for `_e1` in `A[0][1] = v`)


@dataclass(frozen=True)
class AliasFacts:
    """What the sweeps need to know: writes to make undoable, writes to check, arguments to check at run time."""

    restore: frozenset[int] = frozenset()  # id() of writes whose old value must be saved and put back
    guards: dict[int, Guard] = field(default_factory=dict)  # id() of a write -> the check that goes before it
    mutated_params: tuple[str, ...] = ()
    item_guards: dict[int, Guard] = field(default_factory=dict)  # `xs[i] += e`: the check on the item xs[i]

    def checks(self, stmt: gast.stmt) -> list[Guard]:
        """The run-time checks that go before `stmt`."""
        return [g for g in (self.guards.get(id(stmt)), self.item_guards.get(id(stmt))) if g is not None]


class _Aliasing:
    def __init__(self, fdef: gast.FunctionDef, local_names: set[str], resolved: dict[int, Any],
                 implicit: dict[str, tuple[str, ...]], numbers: set[str] = frozenset(),
                 lookup: Callable[[str], Any] | None = None):
        self.fdef = fdef
        self.lookup = lookup  # globals of a function read without compiling it (its calls are not resolved)
        self.numbers = numbers  # names that always hold Python numbers: immutable, `+=` rebinds them
        self.locals = local_names
        self.resolved = resolved
        self.implicit = implicit
        args = fdef.args
        self.params = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg] if a is not None]
        self.live_after: dict[int, set[str]] = {}  # id(stmt) -> names read again before being rebound
        self._live(fdef.body, set())
        self.earlier: dict[int, set[str]] = {}  # id(stmt) -> names read before it (or in a loop around it)
        self._earlier(fdef.body, set(), set())
        # (write, written name, "outside" | "in place" | the other names that may see the write)
        self.findings: list[tuple[gast.stmt, str, str | tuple[str, ...]]] = []
        self.returned: set[Obj] | None = None  # what return statements may give back, when asked
        self.shown: dict[str, str] = {}  # a temporary -> the user's name it stands for, in messages
        self.sequences: dict[str, str] = {}  # `_s1 = as_sequence(xs)` -> `_s1: xs` (what a for loop iterates)
        self.items_written: dict[int, tuple[str, str]] = {}  # id() of `xs[i] += e` whose item others see ->
        # (the name of the old item, `xs[i]`)
        self.mutated_params: set[str] = set()
        self.augmented_params: set[str] = set()  # of those, written by `p op= e` (numbers are not changed)
        self.written_params: set[str] = set()  # and those written by subscript, append or in place

    # -- liveness: which names are read again before they are rebound ----------------------------

    def _read(self, node: gast.AST) -> set[str]:
        names = syntax.names_loaded(node)
        for call in gast.walk(node):
            if isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and call.func.id in self.implicit:
                names |= set(self.implicit[call.func.id])
        return names

    def _defined(self, stmt: gast.stmt) -> set[str]:
        if isinstance(stmt, gast.Assign):
            return {t.id for t in stmt.targets if isinstance(t, gast.Name)} | \
                {n for t in stmt.targets if isinstance(t, (gast.Tuple, gast.List)) for n in syntax.names_stored(t)}
        return set()

    def _live(self, stmts: list[gast.stmt], live: set[str]) -> set[str]:
        """Names live before `stmts`, given those live after; records what is live after each statement."""
        for stmt in reversed(stmts):
            self.live_after[id(stmt)] = self.live_after.get(id(stmt), set()) | live
            if isinstance(stmt, gast.If):
                live = self._read(stmt.test) | self._live(stmt.body, set(live)) | self._live(stmt.orelse, set(live))
            elif isinstance(stmt, (gast.For, gast.While)):
                header = self._read(stmt.iter if isinstance(stmt, gast.For) else stmt.test)
                bound = syntax.names_stored(stmt.target) if isinstance(stmt, gast.For) else set()
                around = set(live)
                while True:  # the body's entry flows back to its end: iterate to a fixed point
                    entry = (self._live(stmt.body, around | header) - bound) | header
                    if entry | live <= around:
                        break
                    around |= entry
                live = around | header
            else:
                live = (live - self._defined(stmt)) | self._read(stmt)
        return live

    def read_after(self, stmt: gast.stmt) -> set[str]:
        """Names whose current values may be read after `stmt` runs."""
        return self.live_after.get(id(stmt), set())

    def read_before(self, stmt: gast.stmt) -> set[str]:
        """Names read anywhere before `stmt` in program order or in a loop around it (the backward sweep
        reads them again, later than `stmt`)."""
        return self.earlier.get(id(stmt), set())

    def _earlier(self, stmts: list[gast.stmt], seen: set[str], loop_reads: set[str]) -> set[str]:
        for stmt in stmts:
            if isinstance(stmt, (gast.For, gast.While)):
                reads = self._read(stmt)
                self._earlier(stmt.body, seen | self._read(stmt.iter if isinstance(stmt, gast.For) else stmt.test),
                              loop_reads | reads)
                seen = seen | reads
            elif isinstance(stmt, gast.If):
                self.earlier[id(stmt)] = seen | loop_reads
                inner = seen | self._read(stmt.test)
                self._earlier(stmt.body, inner, loop_reads)
                self._earlier(stmt.orelse, inner, loop_reads)
                seen = seen | self._read(stmt)
            else:
                self.earlier[id(stmt)] = seen | loop_reads
                seen = seen | self._read(stmt)
        return seen

    # -- abstract values ----------------------------------------------------------------------

    def value(self, node: gast.expr, state: _State, site: gast.stmt) -> frozenset:
        """The objects an expression's value may be."""
        if isinstance(node, gast.Name):
            if node.id in self.locals:
                return state.names.get(node.id, frozenset())
            return frozenset({OUTER})
        if isinstance(node, gast.Constant):
            return frozenset()
        if isinstance(node, gast.Attribute):
            base = self.value(node.value, state, site)
            if node.attr in ("shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides"):
                return frozenset()
            if node.attr in _VIEW_METHODS:
                return base
            return frozenset(_elem(o) for o in base) | (frozenset({OUTER}) if OUTER in base else frozenset())
        if isinstance(node, gast.Subscript):
            return state.element(self.value(node.value, state, site))
        if isinstance(node, (gast.Tuple, gast.List, gast.Dict, gast.Set)):
            parts = node.values if isinstance(node, gast.Dict) else node.elts
            return self.container(node, state, frozenset().union(*(self.value(p, state, site) for p in parts)))
        if isinstance(node, gast.BoolOp):
            return frozenset().union(*(self.value(v, state, site) for v in node.values))
        if isinstance(node, gast.IfExp):
            return self.value(node.body, state, site) | self.value(node.orelse, state, site)
        if isinstance(node, gast.BinOp):
            left, right = self.value(node.left, state, site), self.value(node.right, state, site)
            return self.new(node, state, state.items(left) | state.items(right))
        if isinstance(node, gast.Call):
            return self.call(node, state, site)
        return self.new(node, state, frozenset())

    def container(self, site: gast.AST, state: _State, holds: frozenset) -> frozenset:
        made = self.new(site, state, holds)
        state.containers |= made
        return made

    def new(self, site: gast.AST, state: _State, holds: frozenset) -> frozenset:
        """The object made by expression `site` this time it runs."""
        obj = ("new", id(site))
        if holds:
            state.contents[obj] = state.contents.get(obj, frozenset()) | holds
        return frozenset({obj})

    def callee(self, call: gast.Call) -> tuple[Any, Any]:
        """(resolution, object) of a call: from the compiler, or, for source read without compiling, a global."""
        resolved = self.resolved.get(id(call))
        if resolved is None and self.lookup is not None:
            from srcgrad.passes.analyses.resolve import dotted, resolve_object

            chain = dotted(call.func)
            root, *attrs = chain.split(".") if chain else ("",)
            obj = self.lookup(root) if root and root not in self.locals else None
            for attr in attrs:
                obj = getattr(obj, attr, None)
            if obj is not None:
                resolved = resolve_object(obj, chain)
        return resolved, getattr(resolved, "obj", None)

    def call(self, call: gast.Call, state: _State, site: gast.stmt) -> frozenset:
        resolved, obj = self.callee(call)
        if resolved is not None and resolved.kind == "user":
            self.mutating_call(call, obj, state, site, bool(getattr(resolved, "method", False)))
        method = isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name) \
            and call.func.value.id in self.locals
        args = [self.value(a, state, site) for a in call.args] + \
            [self.value(k.value, state, site) for k in call.keywords]
        receiver = self.value(call.func.value, state, site) if method else frozenset()
        everything = frozenset().union(receiver, *args)
        if method and call.func.attr == "pop" and not call.args:
            state.containers |= receiver
            return state.items(receiver)
        if method and call.func.attr in _VIEW_METHODS:
            return state.element(receiver) if call.func.attr in ("get", "values", "items", "keys") else receiver
        if method and call.func.attr in _SHALLOW_COPY_METHODS:
            return (self.container if receiver <= state.containers else self.new)(call, state, state.items(receiver))
        if _hashable(obj) and obj in _SHALLOW_COPIES:
            return self.container(call, state, state.items(everything))
        if _hashable(obj) and obj in _VIEWS:
            return args[0] if args else frozenset()
        if obj is np.einsum:  # `np.einsum("ii->i", a)` is a writable view of a
            return self.new(call, state, frozenset()) | frozenset().union(*args[1:])
        if resolved is not None and resolved.kind in ("rule", "nondiff") and not method and \
                getattr(obj, "__module__", "") and str(getattr(obj, "__module__", "")).startswith("numpy"):
            return self.new(call, state, frozenset())
        if resolved is not None and resolved.kind == "rule" and method:
            return self.new(call, state, frozenset())
        if str(getattr(obj, "__module__", "")).startswith("srcgrad.runtime"):
            return self.new(call, state, frozenset())
        if obj in (max, min):
            return everything
        if resolved is not None and resolved.kind == "nondiff":
            return self.new(call, state, frozenset())
        if resolved is not None and resolved.kind == "user" and returns_new(resolved.obj):
            return self.new(call, state, frozenset())
        # a user function or anything unknown: may return its arguments or their items
        return self.new(call, state, frozenset()) | everything | state.items(everything)

    def mutating_call(self, call: gast.Call, callee: Any, state: _State, site: gast.stmt, method: bool) -> None:
        """A user function that writes into some of its parameters changes what the caller passed for them."""
        mutated = callee_facts(callee).mutated
        if not mutated:
            return
        receiver = [call.func.value] if method and isinstance(call.func, gast.Attribute) else []
        try:
            bound = inspect.signature(callee).bind(*receiver, *call.args,
                                                   **{k.arg: k.value for k in call.keywords if k.arg})
        except (TypeError, ValueError):
            return
        facts = callee_facts(callee)
        for param, node in bound.arguments.items():
            if param not in mutated:
                continue
            for arg in (node if isinstance(node, tuple) else (node,)):
                if isinstance(arg, gast.Constant) or (isinstance(arg, gast.Name) and arg.id in self.numbers):
                    continue  # a number: `p += e` in the callee makes a new one
                objs = self.value(arg, state, site)
                params = {o[1] for o in objs if o[0] == "param"} | \
                    {o[1][1] for o in objs if o[0] == "elem" and o[1][0] == "param"}
                self.mutated_params |= params
                if param in facts.augmented:
                    self.augmented_params |= params
                else:
                    self.written_params |= params
                name = arg.id if isinstance(arg, gast.Name) else ""
                seen = (self.read_after(site) | self.read_before(site)) - {""}
                if any(state.reach(state.names.get(n, frozenset())) & objs for n in seen if n in self.locals) \
                        or OUTER in objs:
                    label = getattr(callee, "__name__", "the function")
                    kind = "callee?" if param in facts.augmented else "callee"
                    self.findings.append((site, name or label, (kind, label, param)))

    # -- statements ---------------------------------------------------------------------------

    def block(self, stmts: list[gast.stmt], state: _State) -> _State:
        for stmt in stmts:
            state = self.statement(stmt, state)
        return state

    def statement(self, stmt: gast.stmt, state: _State) -> _State:
        if not isinstance(stmt, (gast.If, gast.For, gast.While)):
            state = self.age(stmt, state)
        if isinstance(stmt, gast.If):
            return self.block(stmt.body, state.copy()).join(self.block(stmt.orelse, state.copy()))
        if isinstance(stmt, (gast.For, gast.While)):
            if isinstance(stmt, gast.For):
                state = self.bind(stmt.target, frozenset(), state, stmt)
            entry = state
            while True:
                end = self.block(stmt.body, entry.copy())
                joined = entry.join(end)
                if joined == entry:
                    return joined
                entry = joined
        if isinstance(stmt, gast.Assign):
            target = stmt.targets[0]
            if isinstance(target, gast.Subscript):
                self.write(stmt, self.written_name(target), state)
                self.write_item(stmt, target, state)
                value = self.value(stmt.value, state, stmt)
                for obj in self.value(target.value, state, stmt):
                    state.contents[obj] = state.contents.get(obj, frozenset()) | value
                return state
            if isinstance(target, gast.Name) and isinstance(stmt.value, (gast.Name, gast.Call)) and \
                    _TEMPORARY.match(target.id):  # `_s1 = as_sequence(acc)`: messages say acc
                inner = stmt.value.args[0] if isinstance(stmt.value, gast.Call) and stmt.value.args else stmt.value
                if isinstance(inner, gast.Name):
                    self.shown[target.id] = self.shown.get(inner.id, inner.id)
                    if isinstance(stmt.value, gast.Call) and self.callee(stmt.value)[1] is runtime.as_sequence:
                        self.sequences[target.id] = inner.id
                        self.shown[target.id] = f"{runtime.LOOP_OVER}{self.shown[target.id]}"
            if getattr(stmt, "augmented", False) and isinstance(target, gast.Name) and target.id not in self.numbers:
                self.write(stmt, target.id, state, augmented=True)
            return self.bind(target, self.value(stmt.value, state, stmt), state, stmt)
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            self.value(stmt.value, state, stmt)  # a call made for its effect may write into its arguments
            self.effects(stmt, stmt.value, state)
        if isinstance(stmt, gast.AugAssign):  # source read without normalizing it (a callee's)
            if isinstance(stmt.target, gast.Name):
                self.write(stmt, stmt.target.id, state, augmented=True)
            elif isinstance(stmt.target, gast.Subscript):
                self.write(stmt, self.written_name(stmt.target), state)
        if isinstance(stmt, gast.Return) and self.returned is not None and stmt.value is not None:
            self.returned |= self.value(stmt.value, state, stmt)
        return state

    def bind(self, target: gast.expr, objs: frozenset, state: _State, site: gast.stmt) -> _State:
        for name in syntax.names_stored(target):
            state.names[name] = objs
        return state

    def age(self, stmt: gast.stmt, state: _State) -> _State:
        """Objects an earlier run of `stmt` made are now old ones: the run starting now makes new ones
        (so a fresh array made in a loop is not confused with those of earlier iterations)."""
        made = {("new", id(n)) for n in gast.walk(stmt)}
        if not made & (set(state.contents) | set().union(*state.names.values()) | state.containers):
            return state

        def old(obj: Obj) -> Obj:
            return ("old", obj[1]) if obj in made else obj

        state = state.copy()
        state.names = {k: frozenset(map(old, v)) for k, v in state.names.items()}
        contents: dict[Obj, frozenset] = {}
        for k, v in state.contents.items():
            contents[old(k)] = contents.get(old(k), frozenset()) | frozenset(map(old, v))
        state.contents = contents
        state.containers = frozenset(map(old, state.containers))
        return state

    def effects(self, stmt: gast.stmt, call: gast.Call, state: _State) -> None:
        """Calls made for their effect: appends, and in-place methods and NumPy functions."""
        func = call.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in self.locals:
            name = func.value.id
            if func.attr in ("append", "extend", "insert"):
                state.containers |= state.names.get(name, frozenset())
                self.write(stmt, name, state)
                held = frozenset().union(*(self.value(a, state, stmt) for a in call.args))
                held |= state.items(held) if func.attr == "extend" else frozenset()
                for obj in state.names.get(name, frozenset()):
                    state.contents[obj] = state.contents.get(obj, frozenset()) | held
            elif func.attr in _LIST_MUTATORS:
                self.findings.append((stmt, name, "in place"))
        resolved = self.resolved.get(id(call))
        obj = getattr(resolved, "obj", None)
        mutated = [call.args[0]] if (_hashable(obj) and obj in _NUMPY_MUTATORS and call.args) else []
        if isinstance(obj, np.ufunc) or (isinstance(func, gast.Attribute) and func.attr == "at"):
            mutated = [call.args[0]] if call.args and isinstance(func, gast.Attribute) and func.attr == "at" else []
            if isinstance(obj, np.ufunc):
                mutated += call.args[obj.nin:]  # `np.add(a, b, out)`: outputs passed by position
        mutated += [k.value for k in call.keywords if k.arg == "out"]
        for node in mutated:
            if isinstance(node, gast.Name):
                self.findings.append((stmt, node.id, "in place"))

    def write_item(self, stmt: gast.Assign, target: gast.Subscript, state: _State) -> None:
        """`xs[i] += e` is `xs[i].__iadd__(e)`: when the item is an array it changes in place, and so does
        what any other name holding that array sees (passes/normalize/in_place.py names the old item)."""
        old = getattr(stmt, "in_place_item", None)
        if old is None:
            return
        container = self.value(target.value, state, stmt)
        inner = state.names.get(old, frozenset()) - container
        written = self.written_name(target)
        others = tuple(other for other in sorted(self.read_after(stmt) - {old, written})
                       if other in self.locals and state.reach(state.names.get(other, frozenset())) & inner)
        if others:
            self.items_written[id(stmt)] = (old, unparse(target).strip())
            self.findings.append((stmt, old, others))

    def written_name(self, target: gast.Subscript) -> str:
        while isinstance(target, gast.Subscript):
            target = target.value
        return target.id if isinstance(target, gast.Name) else ""

    def write(self, stmt: gast.stmt, name: str, state: _State, augmented: bool = False) -> None:
        """Record whether a write through `name` may be seen through another name afterwards."""
        if name not in self.locals:
            self.findings.append((stmt, name, "outside"))
            return
        objs = state.names.get(name, frozenset())
        if OUTER in objs and not augmented:
            self.findings.append((stmt, name, "outside"))
        params = {o[1] for o in objs if o[0] == "param"} | \
            {o[1][1] for o in objs if o[0] == "elem" and o[1][0] == "param"}
        self.mutated_params |= params
        if augmented:  # `p += e`: changes p only if it holds an array or a list
            self.augmented_params |= params
        else:
            self.written_params |= params
        later = self.read_after(stmt)
        if not augmented:  # `xs[i] = e` in `for x in xs`: the loop reads xs[i] live, through xs
            later = later - {seq for seq, iterated in self.sequences.items() if iterated == name}
        others = tuple(other for other in sorted(later - {name})
                       if other in self.locals and state.reach(state.names.get(other, frozenset())) & objs)
        if others:
            self.findings.append((stmt, name, others))

    # -- the result ---------------------------------------------------------------------------

    def run(self) -> None:
        state = _State({p: frozenset({("param", p)}) for p in self.params})
        self.block(self.fdef.body, state)

    def unsafe_writes(self) -> set[tuple[str, str]]:
        self.run()
        return {(name, other) for _, name, other in self.findings
                if isinstance(other, tuple) and other[:1] not in (("callee",), ("callee?",))}


@dataclass(frozen=True)
class CalleeFacts:
    """What a user function does to what it is given, judged from its own source (and its callees')."""

    returns_new: bool  # every return makes a new object: never an argument, a part of one or a global
    mutated: frozenset[str]  # parameters it writes into (or whose items it writes), directly or through calls
    augmented: frozenset[str] = frozenset()  # of those, the ones changed only if they hold an array or a list


_WORST = CalleeFacts(False, frozenset())
_CALLEE_FACTS: dict[Any, CalleeFacts] = {}  # code object -> facts


def callee_facts(func: Any) -> CalleeFacts:
    """The facts of a user function (a nested function being compiled: of its lifted tree)."""
    code = getattr(func, "__code__", None)
    if code is None:
        source = getattr(func, "source", None)  # a nested function being compiled
        tree, namespace = getattr(source, "tree", None), {}
    else:
        if code in _CALLEE_FACTS:
            return _CALLEE_FACTS[code]
        _CALLEE_FACTS[code] = _WORST  # recursion: assume the worst while looking
        try:
            from srcgrad.frontend.parse import parse_function
            tree = parse_function(func).tree
        except Exception:  # no source: assume the worst
            return _WORST
        namespace = getattr(func, "__globals__", {})
    if tree is None:
        return _WORST
    params = {a.id for a in tree.args.args + tree.args.posonlyargs + tree.args.kwonlyargs}
    analysis = _Aliasing(tree, syntax.names_stored(tree) | params, {}, {}, lookup=namespace.get)
    analysis.returned = set()
    analysis.run()
    certain = analysis.mutated_params - (analysis.augmented_params - analysis.written_params)
    facts = CalleeFacts(all(obj[0] in ("new", "old") for obj in analysis.returned),
                        frozenset(analysis.mutated_params), frozenset(analysis.mutated_params - certain))
    if code is not None:
        _CALLEE_FACTS[code] = facts
    return facts


def returns_new(func: Any) -> bool:
    return callee_facts(func).returns_new


def _hashable(obj: Any) -> bool:
    try:
        hash(obj)
        return True
    except TypeError:
        return False


def guard_statement(ctx, guard: Guard) -> gast.stmt:
    """`check_write(z, (y,), ("y",), "z", <origin>, augmented)`: the run-time check before a guarded write."""
    if guard.callee is not None:
        check = syntax.call(ctx.ref(runtime.check_callee_write, "check_callee_write"), syntax.name(guard.name),
                            syntax.const(guard.name), syntax.const(guard.callee[0]), syntax.const(guard.callee[1]),
                            ctx.ref(guard.origin, "call_at"))
        return syntax.expr_stmt(check)
    def names(items, load) -> gast.Tuple:
        return gast.Tuple(elts=[syntax.name(n) if load else syntax.const(n) for n in items], ctx=gast.Load())

    check = syntax.call(ctx.ref(runtime.check_write, "check_write"), syntax.name(guard.name),
                        names(guard.others, True), names(guard.shown or guard.others, False),
                        syntax.const(guard.label or guard.name),
                        ctx.ref(guard.origin, "write_at"), syntax.const(guard.augmented))
    return syntax.expr_stmt(check)


def check_aliasing(ctx, fdef: gast.FunctionDef, varied: set[str], resolved: dict[int, Any],
                   numbers: set[str] = frozenset()) -> AliasFacts:
    """Raise UnsupportedSyntaxError for writes another name would see on differentiated values; return
    the writes to make undoable and the arguments written into."""
    if ctx.source.generated:
        return AliasFacts()  # srcgrad's own generated code (grad of grad): its writes are tape restores
    implicit = {name: fn.free for name, fn in ctx.local_functions.items()}
    analysis = _Aliasing(fdef, set(ctx.local_names) | syntax.names_stored(fdef), resolved, implicit, numbers)
    analysis.run()
    restore, guards, item_guards = set(), {}, {}
    for stmt, name, other in analysis.findings:
        origin = ctx.source.origin(stmt)
        if other == "outside":
            raise UnsupportedSyntaxError(
                f"srcgrad cannot differentiate a write into {name}, which belongs to the code that called "
                "the function (a global, a closure variable or an object's attribute)", origin,
                hint=f"Work on a local copy: `{name} = {name}.copy()` (or build a new array) before writing into it.")
        if other == "in place":
            writes_varied = bool((syntax.names_loaded(stmt) - {name}) & varied)  # np.fill_diagonal(a, x)
            if writes_varied and name not in varied:
                raise UnsupportedSyntaxError(
                    f"srcgrad cannot differentiate an in-place operation that writes a differentiated value into "
                    f"{name} (np.fill_diagonal, np.copyto, np.put, out=, ...): the gradient would not see the write",
                    origin, hint=f"Build a new array instead (for np.fill_diagonal: `{name} = {name} + np.diag(v)` "
                    "on a zero diagonal; for out=: `y = np.add(a, b)`).")
            if name in varied or writes_varied or name in analysis.read_before(stmt):
                raise UnsupportedSyntaxError(
                    f"srcgrad cannot differentiate an in-place operation on {name} (out=, np.copyto, .fill, "
                    ".sort, .extend, ...): the backward pass needs the values it overwrites", origin,
                    hint="Assign the result to a new name instead (`y = np.add(a, b)`, `xs = xs + [v]`, "
                    "`s = sorted(s)`).")
            continue
        if isinstance(other, tuple) and other and other[0] == "callee?":  # only an array or a list is changed
            guards[id(stmt)] = Guard(name, (), origin, True, callee=other[1:])
            continue
        if isinstance(other, tuple) and other and other[0] == "callee":
            _, label, param = other
            raise UnsupportedSyntaxError(
                f"{label} writes into its argument {param}, and srcgrad cannot carry a write made inside a called "
                f"function back to the caller ({name} here)", origin,
                hint=f"Return the new value from {label} and assign it (`{name} = {label}(...)`), or pass a copy "
                "that nothing else uses.")
        augmented = bool(getattr(stmt, "augmented", False)) and isinstance(stmt, gast.Assign) \
            and isinstance(stmt.targets[0], gast.Name)  # `z += e`; `xs[i] += e` is a write into xs either way
        other = tuple(sorted(other, key=lambda n: (_TEMPORARY.match(n) is not None, n)))  # the user's names first
        if analysis.items_written.get(id(stmt), ("",))[0] == name:  # see write_item
            item_guards[id(stmt)] = Guard(name, other, origin, True, tuple(analysis.shown.get(n, n) for n in other),
                                          label=analysis.items_written[id(stmt)][1])
        elif name in varied or augmented:
            # whether the other names really share the object depends on what runs (a row of a matrix is
            # a view, an element of a vector is a number): check right before the write
            guards[id(stmt)] = Guard(name, other, origin, augmented,
                                     tuple(analysis.shown.get(n, n) for n in other),
                                     label=getattr(stmt, "element_of", ""))
        else:
            restore.add(id(stmt))  # nothing to differentiate: undo the write so the backward sweep reads old values
    return AliasFacts(frozenset(restore), guards, tuple(sorted(analysis.mutated_params)), item_guards)
