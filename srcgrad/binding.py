"""What a compiled gradient baked in, and the per-call check that it is still what `f` would see.

Python binds late: `helper(x)` calls whatever `helper` names when the line runs. A compiled
gradient binds early: it differentiated the `helper` that compilation found, with that function's
code and defaults, used the rule of the `np.tanh` that `self.act` held, the class of `model`. Each
such fact is a `Read`: the object found at one place, from one root:

    Global(namespace, name)    a module global                 g["helper"] is <function helper>
    Builtin(namespace, name)   a builtin not shadowed by one   "len" not in g and b["len"] is len
    Cell(cell)                 a closure cell's contents       cell.cell_contents is <function h>
    Const(obj) + attribute     an attribute of a fixed object  helper.__code__ is <code>
    Param(name) + attribute    an attribute of an argument     args[1].act.__func__ is A.act

A compiled unit (a joint gradient, a callee's split gradient, a forward-mode function) keeps its
own reads and links to the units it calls; a callee's reads about its `self` parameter become
reads about whatever the caller passed (`substitute`). `guard` compiles all reads of a gradient
into one boolean expression over the call's arguments, so a cached gradient checks them with a
few identity comparisons per call (tens of nanoseconds each) and recompiles when one fails.
"""
import builtins
import itertools
import linecache
import types
from dataclasses import dataclass
from typing import Any, Callable, Iterable

_counter = itertools.count(1)
_MISSING = object()
_BUILTINS = builtins.__dict__


@dataclass(frozen=True, slots=True, eq=False)
class Global:
    """`namespace[name]`, a module global."""

    namespace: dict
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Builtin:
    """A builtin, read through a module whose globals must keep not shadowing it."""

    namespace: dict
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Cell:
    """A closure cell's contents."""

    cell: types.CellType


@dataclass(frozen=True, slots=True, eq=False)
class Const:
    """An object fixed at compile time (and verified by an earlier read)."""

    obj: Any


@dataclass(frozen=True, slots=True, eq=False)
class Param:
    """A parameter of the compiled function whose value is known at compile time (`self`, an object argument)."""

    name: str


Root = Global | Builtin | Cell | Const | Param


@dataclass(frozen=True, slots=True, eq=False)
class Read:
    """`root` (then `.attr`, if any) was `expected` at compile time.

    `how` says how "still the same" is judged: "is" (identity), "method" (a bound method, made
    afresh at each attribute read: same `__func__`, and `__self__` the object read from, or
    `owner` when it was another object), or "eq" (builtin bound methods compare equal).
    """

    root: Root
    attr: str | None
    expected: Any
    how: str = "is"
    owner: Any = _MISSING  # "method": the bound method's __self__ when it was not the object read from

    def key(self) -> tuple:
        """What is read (not what was found): two reads with equal keys read the same place."""
        return root_key(self.root), self.attr


def root_key(root: Root) -> tuple:
    if isinstance(root, Global | Builtin):
        return type(root).__name__, id(root.namespace), root.name
    if isinstance(root, Cell):
        return "Cell", id(root.cell)
    if isinstance(root, Const):
        return "Const", id(root.obj)
    return "Param", root.name


def how_to_compare(parent: Any, attr: str, value: Any) -> tuple[str, Any] | None:
    """How to tell later whether `getattr(parent, attr)` still gives `value`; None if nothing can tell."""
    try:
        again = getattr(parent, attr)
    except Exception:
        return None
    if again is value:
        return "is", _MISSING
    if isinstance(value, types.MethodType):
        return "method", (_MISSING if value.__self__ is parent else value.__self__)
    try:
        if again == value:
            return "eq", _MISSING
    except Exception:
        pass
    return None


def attribute_read(root: Root, parent: Any, attr: str, value: Any) -> Read | None:
    """The read `getattr(parent, attr) -> value`, with `parent` reached from `root`."""
    how = how_to_compare(parent, attr, value)
    if how is None:
        return None
    return Read(root, attr, value, how[0], how[1])


def function_reads(func: types.FunctionType) -> list[Read]:
    """What differentiating `func` from its source bakes in: its code and its defaults (keyword-only
    defaults only when it has keyword-only parameters: otherwise they mean nothing)."""
    names = ("__code__", "__defaults__") + (("__kwdefaults__",) if func.__code__.co_kwonlyargcount else ())
    return [Read(Const(func), name, getattr(func, name)) for name in names]


# ---- composition: a callee's reads in its caller's terms ------------------------------------------


def substitute(reads: Iterable[Read], mapping: dict[str, list[Root]]) -> list[Read]:
    """A callee's reads in its caller's terms: each Param root replaced by what the caller passed."""
    out = []
    for read in reads:
        if not isinstance(read.root, Param):
            out.append(read)
        elif read.root.name not in mapping:
            out.append(NEVER)  # a known parameter the caller did not describe: never reuse blindly
        else:
            out.extend(Read(root, read.attr, read.expected, read.how, read.owner) for root in mapping[read.root.name])
    return out


NEVER = Read(Const(None), None, _MISSING)  # a read that never holds


def flatten(unit: Any) -> list[Read]:
    """Every read of `unit` and of the units it calls (through `links`), deduplicated, in the caller's terms.

    A unit has `reads` (its own) and `links`: (callee unit, {callee parameter: [caller roots]}).
    """
    out: dict[tuple, Read] = {}
    seen: set[tuple] = set()

    def visit(u: Any, mapping: dict[str, list[Root]] | None) -> None:
        mark = (id(u), None if mapping is None else tuple(sorted(
            (name, tuple(root_key(r) for r in roots)) for name, roots in mapping.items())))
        if mark in seen:
            return
        seen.add(mark)
        own = u.reads if mapping is None else substitute(u.reads, mapping)
        for read in own:
            out.setdefault((read.key(), id(read.expected)), read)
        for callee, sub in u.links:
            visit(callee, _compose(sub, mapping))

    visit(unit, None)
    return list(out.values())


def complete(unit: Any) -> bool:
    """Whether `unit` and every unit it reaches through `links` are compiled (their reads are final)."""
    seen: set[int] = set()
    stack = [unit]
    while stack:
        u = stack.pop()
        if id(u) in seen:
            continue
        seen.add(id(u))
        if not getattr(u, "done", True):
            return False
        stack.extend(callee for callee, _ in u.links)
    return True


def _compose(inner: dict[str, list[Root]], outer: dict[str, list[Root]] | None) -> dict[str, list[Root]]:
    """The callee's mapping seen from the caller's caller: Param roots of `inner` replaced through `outer`."""
    if outer is None:
        return inner
    composed: dict[str, list[Root]] = {}
    for name, roots in inner.items():
        composed[name] = [outer_root for root in roots
                          for outer_root in (outer.get(root.name, [Const(_MISSING)]) if isinstance(root, Param) else [root])]
    return composed


# ---- the per-call check -----------------------------------------------------------------------------


def guard(reads: list[Read], params: dict[str, int | Const]) -> Callable[[tuple], bool] | None:
    """A function `(args) -> bool`: whether every read still holds for a call with positional `args`.

    `params` says where each Param root is at the call: a position in `args`, or a fixed object.
    None when there is nothing to check.
    """
    if not reads:
        return None
    consts: dict[int, str] = {}
    values: dict[str, Any] = {}

    def const(obj: Any) -> str:
        if id(obj) not in consts:
            name = f"_k{len(consts)}"
            consts[id(obj)] = name
            values[name] = obj
        return consts[id(obj)]

    def root_expr(root: Root) -> tuple[str, str]:
        """(a condition that must hold first, or "", the expression for the root's value)."""
        if isinstance(root, Global):
            return "", f"{const(root.namespace)}[{root.name!r}]"
        if isinstance(root, Builtin):
            return f"{root.name!r} not in {const(root.namespace)}", f"{const(_BUILTINS)}[{root.name!r}]"
        if isinstance(root, Cell):
            return "", f"{const(root.cell)}.cell_contents"
        if isinstance(root, Const):
            return "", const(root.obj)
        where = params.get(root.name)
        if where is None:
            return "False", "None"
        return "", (f"args[{where}]" if isinstance(where, int) else const(where.obj))

    terms = []
    for read in reads:
        if read is NEVER:
            return lambda args: False
        first, value = root_expr(read.root)
        if first:
            terms.append(first)
        if read.attr is None:
            terms.append(f"{value} is {const(read.expected)}")
        elif read.how == "is":
            terms.append(f"{value}.{read.attr} is {const(read.expected)}")
        elif read.how == "method":
            owner = value if read.owner is _MISSING else const(read.owner)
            terms.append(f"(_m := {value}.{read.attr}).__func__ is {const(read.expected.__func__)} "
                         f"and _m.__self__ is {owner}")
        else:
            terms.append(f"{value}.{read.attr} == {const(read.expected)}")
    body = "\n            and ".join(terms)
    text = (f"def _srcgrad_guard_factory({', '.join(values)}):\n"
            f"    def guard(args):\n"
            f"        try:\n"
            f"            return ({body})\n"
            f"        except Exception:\n"
            f"            return False\n"
            f"    return guard\n")
    filename = f"<srcgrad guard #{next(_counter)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace: dict[str, Any] = {"__builtins__": _BUILTINS}
    exec(compile(text, filename, "exec"), namespace)
    check = namespace["_srcgrad_guard_factory"](**values)
    check.reads = reads  # for debugging: what is checked
    return check
