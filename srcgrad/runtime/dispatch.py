"""Calls whose callee is known only at run time: `layer.forward(x)` over a list of layers of different
classes, `act(z)` with `act=np.tanh` passed in, `self.act.fn(z)`, `funcs[name](x)`, `partial(f, y=2)(x)`.

The generated code hands the callee and the arguments to `dispatch_fwd`, which finds (or compiles,
once per callee and kind of call) the split gradient of a small wrapper that makes the same call,

    def call_forward(obj, a0):            # for a method: obj is the receiver, a known object
        return obj.forward(a0)

    def call_tanh(a0):                    # for a function: the callee is a global of the wrapper
        return tanh(a0)

runs its forward half, and leaves its backward half on the tape; `dispatch_bwd` pops it and returns
the adjoints of the arguments that vary, as a tuple. Compiling the wrapper is ordinary srcgrad:
rules, user functions, bound methods and their late-binding checks all apply unchanged.

When the callee itself is taken from values being differentiated (`layer.forward(x)` with `layer`
from a differentiated list), `active` starts with RECEIVER: a method of a named tuple or dataclass
instance (or such an instance called) differentiates with respect to its receiver `obj` too, whose
adjoint comes first; any other callee must hold no numbers (`check_constant_callee`).
"""
import builtins
import functools
import itertools
import keyword
import linecache
import types
from typing import Any, Callable

_WRAPPERS: dict[tuple, Callable] = {}
_counter = itertools.count(1)
RECEIVER = "<callee>"  # an entry of `active`: the called object varies (not a keyword name: no identifier)


def _identifier(name: str) -> str:
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "callee"
    if name[0].isdigit() or keyword.iskeyword(name) or hasattr(builtins, name):
        name = f"callee_{name}"
    return name


def _wrapper(callee: Any, method: str | None, n: int, names: tuple[str, ...]) -> Callable:
    """The wrapper function making the call `callee(a0, ..., name=k_name, ...)` (or `obj.method(...)`)."""
    key = (method, n, names) if method is not None else (callee, n, names)
    wrapper = _WRAPPERS.get(key)
    if wrapper is not None:
        return wrapper
    params = [f"a{i}" for i in range(n)] + [f"k_{k}" for k in names]
    arguments = ", ".join([f"a{i}" for i in range(n)] + [f"{k}=k_{k}" for k in names])
    if method is not None:
        head, target, namespace = ["obj"] + params, f"obj.{method}", {}
        label = method
    else:
        label = _identifier(getattr(callee, "__name__", "callee"))
        head, target, namespace = params, label, {label: callee}
    text = f"def call_{label}({', '.join(head)}):\n    return {target}({arguments})\n"
    filename = f"<srcgrad dispatch {label} #{next(_counter)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace["__name__"] = "srcgrad.runtime.dispatch.wrappers"
    exec(compile(text, filename, "exec"), namespace)
    wrapper = namespace[f"call_{label}"]
    _WRAPPERS[key] = wrapper
    return wrapper


def _unpartial(callee: Any, args: tuple, kwargs: dict, active: tuple) -> tuple[Any, tuple, dict, tuple]:
    """`partial(f, *p, **q)(*args, **kwargs)` is `f(*p, *args, **q, **kwargs)`; active positions shift."""
    while isinstance(callee, functools.partial):
        shift = len(callee.args)
        active = tuple(a + shift if isinstance(a, int) else a for a in active)
        args = callee.args + tuple(args)
        kwargs = {**callee.keywords, **kwargs}
        callee = callee.func
    return callee, args, kwargs, active


def _split_parts(callee: Any, args: tuple, kwargs: dict, active: tuple, origin: Any,
                 receiver: bool = False) -> tuple:
    """(wrapper, known objects, number parameters, active parameter names, args, kwargs) for this call;
    with `receiver`, the method's object `obj` is the first active parameter."""
    from srcgrad.errors import NotDifferentiableError
    from srcgrad.passes.analyses.resolve import resolve_object

    names = tuple(kwargs)
    method = None
    known = None
    if not isinstance(callee, types.FunctionType | types.MethodType | types.BuiltinFunctionType) \
            and isinstance(getattr(type(callee), "__call__", None), types.FunctionType):
        callee = callee.__call__  # an object of a user class called like a function
    if isinstance(callee, types.MethodType) and not isinstance(callee.__self__, type) \
            and isinstance(callee.__func__, types.FunctionType):
        method, known = callee.__func__.__name__, {"obj": callee.__self__}
        args = (callee.__self__,) + tuple(args)
    else:
        resolved = resolve_object(callee, getattr(callee, "__name__", repr(callee)))
        if resolved.kind == "unknown":
            raise NotDifferentiableError(
                f"srcgrad has no derivative rule for {resolved.label}, which this call reaches at run time, "
                "and it is not a Python function it can read", origin,
                hint=f"Register a rule with @srcgrad.adjoint({resolved.label}), or mark it with "
                f"srcgrad.nondifferentiable({resolved.label}) if its output carries no derivative.")
    wrapper = _wrapper(callee, method, len(args) - (method is not None), names)
    positional = (["obj"] if method else []) + [f"a{i}" for i in range(len(args) - (method is not None))]
    numbers = frozenset(p for p, a in zip(positional, args) if type(a) in (float, int)) | \
        frozenset(f"k_{k}" for k, v in kwargs.items() if type(v) in (float, int))
    active_names = ("obj",) * receiver + tuple(f"a{a}" if isinstance(a, int) else f"k_{a}" for a in active)
    return wrapper, known, numbers, active_names, args, {f"k_{k}": v for k, v in kwargs.items()}


def _split(callee: Any, args: tuple, kwargs: dict, active: tuple, origin: Any, receiver: bool = False):
    """The compiled split gradient for this call, and the arguments its forward half takes."""
    from srcgrad import compiler
    from srcgrad.errors import SrcgradError, with_call_site

    wrapper, known, numbers, names, args, kwargs = _split_parts(callee, args, kwargs, active, origin, receiver)
    try:
        split = compiler.split_gradient(wrapper, names, known, numbers)
    except SrcgradError as exc:
        raise with_call_site(exc, origin) from None
    return split, args, kwargs


def _carries_numbers(value: Any, depth: int = 0) -> bool:
    if isinstance(value, float | complex) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "fc"):
        return True
    if depth < 3 and isinstance(value, dict):
        return any(_carries_numbers(v, depth + 1) for v in value.values())
    if depth < 3 and isinstance(value, list | tuple):
        return any(_carries_numbers(v, depth + 1) for v in value)
    return False


def _record_receiver(callee: Any) -> Any:
    """The named tuple or dataclass instance whose method is called (`layer.forward`, or `layer` itself
    when its class defines `__call__`), or None."""
    from srcgrad.runtime.records import is_record

    if isinstance(callee, types.MethodType) and isinstance(callee.__func__, types.FunctionType) \
            and is_record(callee.__self__):
        return callee.__self__
    if is_record(callee) and isinstance(getattr(type(callee), "__call__", None), types.FunctionType):
        return callee
    return None


def _as_method(callee: Any) -> Any:
    """An object of a user class called like a function is a call of its method `__call__`."""
    if not isinstance(callee, types.FunctionType | types.MethodType | functools.partial) \
            and isinstance(getattr(type(callee), "__call__", None), types.FunctionType):
        return callee.__call__
    return callee


def check_constant_callee(callee: Any, origin: Any) -> None:
    """A function taken from values being differentiated (`fn, p = pair`) must hold no numbers of its own:
    a partial of arrays, a closure over them or a method of an object holding them would need gradients
    sent into the function object, which srcgrad cannot do (a record's methods: see RECEIVER)."""
    held = []
    callee = _as_method(callee)
    if isinstance(callee, functools.partial):
        held = list(callee.args) + list(callee.keywords.values())
    elif isinstance(callee, types.FunctionType) and callee.__closure__:
        held = [cell.cell_contents for cell in callee.__closure__ if _cell_full(cell)]
    elif isinstance(callee, types.MethodType):
        held = list(getattr(callee.__self__, "__dict__", {}).values())
    if any(_carries_numbers(v) for v in held):
        from srcgrad.errors import NotDifferentiableError

        raise NotDifferentiableError(
            "the function called here holds numbers of its own (a functools.partial of arrays, a closure over "
            "them, or a method of an object holding them) and is built from values being differentiated; "
            "srcgrad cannot send gradients into a function object", origin,
            hint="Pass those values to the function as arguments instead.")


def _cell_full(cell) -> bool:
    try:
        cell.cell_contents
        return True
    except ValueError:
        return False


def _flat(active: tuple, groups: tuple | None) -> tuple[tuple, tuple]:
    """Positions of the arguments as the call passes them, from positions of the arguments as written
    (`f(y, *args)`: `groups` gives how many arguments each written one stands for and whether it was starred);
    with each active written argument's (count, starred), to regroup the adjoints."""
    if groups is None:
        return active, tuple((1, False) for _ in active)
    starts, total = [], 0
    for count, _ in groups:
        starts.append(total)
        total += count
    flat, sizes = [], []
    for a in active:
        if isinstance(a, int):
            count, starred = groups[a]
            flat.extend(range(starts[a], starts[a] + count))
            sizes.append((count, starred))
        else:
            flat.append(a)
            sizes.append((1, False))
    return tuple(flat), tuple(sizes)


def _regroup(grads: tuple, sizes: tuple) -> tuple:
    out, i = [], 0
    for count, starred in sizes:
        if starred:  # the adjoint of the sequence that was starred, by position
            from srcgrad.runtime.structure import Grads

            out.append(Grads(enumerate(grads[i:i + count])))
        else:
            out.append(grads[i])
        i += count
    return tuple(out)


def _receiver_of(callee: Any, active: tuple, origin: Any) -> tuple[tuple, int]:
    """`active` without RECEIVER, and what became of it: 0 absent, 1 a record's method (differentiated with
    respect to its object), 2 a callee holding no numbers (its adjoint is zero)."""
    if not active or active[0] != RECEIVER:
        return active, 0
    if _record_receiver(callee) is not None:
        return active[1:], 1
    callee = _as_method(callee)
    owner = callee.__self__ if isinstance(callee, types.MethodType) else None
    if any(_carries_numbers(v) for v in getattr(owner, "__dict__", {}).values()):
        from srcgrad.runtime.records import plain_object_error  # passed in or read from a container: fixable

        raise plain_object_error(owner, f"the method call .{callee.__func__.__name__}(...)", origin)
    check_constant_callee(callee, origin)
    return active[1:], 2


def dispatch_fwd(tape: list, callee: Any, args: tuple, kwargs: dict, active: tuple, origin: Any,
                 groups: tuple | None = None) -> Any:
    """Call `callee(*args, **kwargs)` through its split gradient; leave the backward half on the tape.

    `active` names the arguments that vary: positions (ints) and keyword names (strings), as written
    at the call, after RECEIVER when the callee varies; `groups` says how many passed arguments each
    written one is (`*args` stands for several).
    """
    active, receiver = _receiver_of(callee, active, origin)
    flat, sizes = _flat(active, groups)
    callee, args, kwargs, flat = _unpartial(callee, args, kwargs, flat)
    split, args, kwargs = _split(callee, args, kwargs, flat, origin, receiver == 1)
    value = split.fwd(tape, *args, **kwargs)
    tape.append((split.bwd, len(flat) + (receiver == 1), sizes, receiver))
    return value


def dispatch_bwd(tape: list, d_out: Any) -> tuple:
    """The adjoints of the varying arguments of the call whose `dispatch_fwd` ran last, as a tuple
    (a starred argument's adjoint holds one entry per element; the callee's, if it varies, first)."""
    bwd, count, sizes, receiver = tape.pop()
    grads = bwd(tape, d_out)
    grads = (grads,) if count == 1 else tuple(grads)
    if receiver == 1:
        return (grads[0],) + _regroup(grads[1:], sizes)
    return ((0.0,) if receiver == 2 else ()) + _regroup(grads, sizes)


def dispatch_jvp(callee: Any, args: tuple, kwargs: dict, active: tuple, tangents: tuple, origin: Any,
                 groups: tuple | None = None) -> tuple:
    """Forward mode: `(value, tangent)` of `callee(*args, **kwargs)` along the tangents of the `active` arguments
    (a starred argument's tangent is the sequence of its elements' tangents)."""
    from srcgrad.errors import SrcgradError, with_call_site
    from srcgrad.forward import jvp_function
    from srcgrad.rules.tangents.helpers import zeros_tangent

    active, receiver = _receiver_of(callee, active, origin)
    if receiver:
        t_receiver, tangents = tangents[0], tangents[1:]
    flat, sizes = _flat(active, groups)
    spread = [t_receiver] if receiver == 1 else []
    for tangent, (count, starred), a in zip(tangents, sizes, active, strict=True):
        if starred:
            items = list(tangent) if isinstance(tangent, list | tuple) else \
                [zeros_tangent(v) for v in _starred_values(args, groups, a)]
            spread.extend(items)
        else:
            spread.append(tangent)
    callee, args, kwargs, flat = _unpartial(callee, args, kwargs, flat)
    wrapper, known, numbers, names, args, kwargs = _split_parts(callee, args, kwargs, flat, origin, receiver == 1)
    try:
        function = jvp_function(wrapper, names, known, numbers).function
    except SrcgradError as exc:
        raise with_call_site(exc, origin) from None
    return function(*args, *kwargs.values(), *spread)


def _starred_values(args: tuple, groups: tuple, source: int) -> tuple:
    start = sum(count for count, _ in groups[:source])
    return args[start:start + groups[source][0]]
