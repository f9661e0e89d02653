"""Records: named tuples and dataclass instances, parameter containers whose entries are fields.

srcgrad treats a record like a dict keyed by its fields: the adjoint of `p.W` is kept under the
field's key (its position for a named tuple, so `p.W`, `p[0]` and `W, b = p` share one entry; its
name for a dataclass), and `rebuild` makes the gradient, a tangent or an optimizer's update a
record of the same type.

A record is rebuilt without calling the class: a named tuple through `_make`, a dataclass as a
shallow copy of the original with its fields set through `object.__setattr__`. So a custom
`__init__` or `__post_init__` does not run (it may validate or derive values, which a gradient
need not satisfy), frozen and slotted dataclasses work, and attributes that are not fields are
those of the original.
"""
import copy
import dataclasses
from functools import lru_cache
from typing import Any

import numpy as np

# Attribute names that srcgrad reads as array attributes or methods whatever the object is:
# a record field with one of these names and a differentiable value would be misread.
ARRAY_ATTRIBUTES = frozenset({"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "flags", "strides", "T"})


@lru_cache(maxsize=512)
def _layout(cls: type) -> tuple[tuple[str, ...], dict[str, int | str]] | None:
    """(field names, name -> key) of a record class, or None for any other class."""
    if issubclass(cls, tuple):
        names = getattr(cls, "_fields", None)
        if not isinstance(names, tuple):
            return None
        return names, {name: i for i, name in enumerate(names)}
    if dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
        return names, {name: name for name in names}
    return None


def is_record(x: Any) -> bool:
    """Whether `x` is a named tuple or a dataclass instance."""
    return _layout(type(x)) is not None


def is_record_class(cls: type) -> bool:
    """Whether instances of `cls` are records."""
    return _layout(cls) is not None


def is_dataclass_instance(x: Any) -> bool:
    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def field_names(x: Any) -> tuple[str, ...]:
    layout = _layout(type(x))
    return () if layout is None else layout[0]


def field_key(x: Any, name: str) -> int | str | None:
    """The key of field `name` in `x`'s adjoint (a position or the name), None if it is no field."""
    layout = _layout(type(x))
    return None if layout is None else layout[1].get(name)


def items(x: Any) -> list[tuple[int | str, str, Any]]:
    """(key, field name, value) for every field of the record `x`, in declaration order."""
    names, keys = _layout(type(x))
    return [(keys[name], name, getattr(x, name)) for name in names]


def rebuild(x: Any, values: list) -> Any:
    """A record of `x`'s type holding `values` (one per field, in order), made without calling the class."""
    if isinstance(x, tuple):
        return type(x)._make(values)
    out = copy.copy(x)
    for name, value in zip(field_names(x), values, strict=True):
        object.__setattr__(out, name, value)
    return out


def kind_name(x: Any) -> str:
    """`named tuple Params` / `dataclass Layer`, for messages."""
    what = "named tuple" if isinstance(x, tuple) else "dataclass"
    return f"{what} {type(x).__qualname__}"


def _differentiable_value(value: Any) -> bool:
    return isinstance(value, float | np.ndarray | np.floating | dict | list | tuple) or is_record(value)


@lru_cache(maxsize=512)
def _clashes(cls: type) -> tuple[str, ...]:
    layout = _layout(cls)
    return () if layout is None else tuple(name for name in layout[0] if name in ARRAY_ATTRIBUTES)


def check_field_names(x: Any) -> None:
    """Refuse a record whose differentiable field is named like an array attribute (`p.T`, `p.size`):
    srcgrad reads those as the transpose or the shape, which would be a wrong gradient."""
    clash = [name for name in _clashes(type(x)) if _differentiable_value(getattr(x, name))]
    if clash:
        from srcgrad.errors import WrtError

        raise WrtError(
            f"the {kind_name(x)} has a field .{clash[0]} holding numbers, and srcgrad reads .{clash[0]} as the "
            "array attribute of that name", hint=f"Rename the field (for example {clash[0]}_), or keep it in a dict.")


def plain_object_error(x: Any, what: str, origin: Any = None):
    """The error for differentiating numbers held as attributes of an object that is no record (a class whose
    `__init__` sets `self.W = ...`): `what` is the read, e.g. `the attribute .W`."""
    from srcgrad.errors import NotDifferentiableError

    cls = type(x).__qualname__
    return NotDifferentiableError(
        f"srcgrad cannot differentiate {what} of a {cls} object: it differentiates numbers held in dicts, lists, "
        f"tuples, NamedTuples and dataclasses, and {cls} is none of these", origin,
        hint=f"Keep the parameters in a dict, a typing.NamedTuple or a @dataclasses.dataclass (for example make "
        f"{cls} a @dataclass whose fields are the arrays) and pass that to the gradient; the gradient comes back "
        "in the same type.")
