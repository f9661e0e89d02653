"""Adjoints of the builtin `dict(source, **kwargs)` as a container constructor.

The keyword values get the adjoints of their keys directly (the template writes them); the
positional source, a mapping or an iterable of (key, value) pairs, gets the adjoints of the keys
it supplied (a later pair, or a keyword, overrides an earlier one). `dict_source_adjoint` and
`dict_source_forth` are each other's transposes, and linear.
"""
from srcgrad.runtime.structure import Grads


def _suppliers(source, kwargs) -> dict:
    """key -> where the source supplied it: the key itself for a mapping, the pair's position otherwise."""
    if isinstance(source, dict):
        return {k: k for k in source if k not in kwargs}
    positions = {pair[0]: i for i, pair in enumerate(source)}  # the last pair with a key wins
    return {k: i for k, i in positions.items() if k not in kwargs}


def dict_source_adjoint(g, source, kwargs):
    """The adjoint of dict's positional `source` (() when there is none), given the dict's adjoint g."""
    if not isinstance(g, dict):
        return Grads()
    found = {where: g[key] for key, where in _suppliers(source, kwargs).items() if key in g}
    if isinstance(source, dict):
        return Grads(found)
    return Grads({i: Grads({1: v}) for i, v in found.items()})


def _item(container, key):
    if isinstance(container, dict):
        return container.get(key)
    return container[key] if isinstance(container, list | tuple) else None


def dict_source_forth(t, source, kwargs):
    """Transpose of dict_source_adjoint: the dict's adjoint from an adjoint `t` of the source."""
    out = Grads()
    for key, where in _suppliers(source, kwargs).items():
        item = _item(t, where)
        if not isinstance(source, dict):
            item = _item(item, 1)
        if item is not None:
            out[key] = item
    return out
