"""Parameter trees: nested dicts, lists, tuples, named tuples and dataclasses whose leaves are arrays.

`flatten` fixes one leaf order (dict insertion order, list/tuple position, field order) that the
optimizers, the checkpoint files and error messages all share. Only arrays and floats are leaves;
anything else in a tree (None, strings, ints, bools, functions: a layer's activation name, a
dataclass's config field) is static: kept in the structure and given back unchanged, never trained.

A structure (`Treedef`) is nested lists. A named tuple or dataclass node keeps a skeleton of the
original record (its fields emptied), so `unflatten` gives back a record of the same type made as
`runtime/records.py` makes gradients (without calling `__init__`); `to_json` names its class instead,
which is what checkpoints store and compare.

>>> leaves, treedef = flatten({"W": 1.0, "b": [2.0, 3.0], "act": "tanh"})
>>> leaves
[1.0, 2.0, 3.0]
>>> paths(treedef)
['params["W"]', 'params["b"][0]', 'params["b"][1]']
>>> unflatten(treedef, [4.0, 5.0, 6.0])
{'W': 4.0, 'b': [5.0, 6.0], 'act': 'tanh'}
"""
import json
from typing import Any

import numpy as np

from srcgrad.runtime import records

# A Treedef is None for a leaf, ["dict", [[key, sub], ...]], ["list", [sub, ...]], ["tuple", [sub, ...]],
# ["record", skeleton, [[field, sub], ...]] or ["static", value].
Treedef = Any


def is_leaf(x: Any) -> bool:
    """Arrays and numbers other than Python ints and bools are trained; other non-containers are static."""
    return isinstance(x, np.ndarray | np.number | float | complex)


def flatten(tree: Any) -> tuple[list[Any], Treedef]:
    """Return the leaves of `tree` in a fixed order and its structure."""
    leaves: list[Any] = []

    def walk(node: Any) -> Treedef:
        if isinstance(node, dict):
            return ["dict", [[key, walk(value)] for key, value in node.items()]]
        if records.is_record(node):
            fields = [[name, walk(value)] for _, name, value in records.items(node)]
            return ["record", records.rebuild(node, [None] * len(fields)), fields]
        if isinstance(node, (list, tuple)):
            return ["list" if isinstance(node, list) else "tuple", [walk(value) for value in node]]
        if not is_leaf(node):
            return ["static", node]
        leaves.append(node)
        return None

    return leaves, walk(tree)


def unflatten(treedef: Treedef, leaves: list[Any]) -> Any:
    """Rebuild a tree of structure `treedef` from `leaves` (the inverse of `flatten`)."""
    it = iter(leaves)

    def build(node: Treedef) -> Any:
        if node is None:
            return next(it)
        kind = node[0]
        if kind == "static":
            return node[1]
        if kind == "dict":
            return {key: build(sub) for key, sub in node[1]}
        if kind == "record":
            return records.rebuild(node[1], [build(sub) for _, sub in node[2]])
        values = [build(sub) for sub in node[1]]
        return values if kind == "list" else tuple(values)

    tree = build(treedef)
    if next(it, _END) is not _END:
        raise ValueError("more leaves than the tree structure has places for")
    return tree


_END = object()


def leaves_like(treedef: Treedef, tree: Any, root: str = "grads") -> list[Any]:
    """The values of `tree` (a gradient) at the leaves of `treedef` (its parameters' structure), in order;
    static places are skipped whatever they hold. A missing place raises ValueError naming it."""
    out: list[Any] = []

    def walk(node: Treedef, value: Any, path: str) -> None:
        if node is None:
            out.append(value)
            return
        kind = node[0]
        if kind == "static":
            return
        try:
            if kind == "record":
                for name, sub in node[2]:
                    walk(sub, value[name] if isinstance(value, dict) else getattr(value, name), f"{path}.{name}")
                return
            for key, sub in (node[1] if kind == "dict" else enumerate(node[1])):
                walk(sub, value[key], f"{path}[{key!r}]")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ValueError(f"{path} does not have the structure of the parameters "
                             f"(a {type(value).__name__} where the parameters have a {kind})") from None

    walk(treedef, tree, root)
    return out


def paths(treedef: Treedef, root: str = "params") -> list[str]:
    """Name each leaf as the Python expression that reads it, e.g. `params["W1"]` or `params.layers[0].W`."""
    out: list[str] = []

    def walk(node: Treedef, prefix: str) -> None:
        if node is None:
            out.append(prefix)
            return
        kind = node[0]
        if kind == "static":
            return
        if kind == "record":
            for name, sub in node[2]:
                walk(sub, f"{prefix}.{name}")
            return
        items = node[1] if kind == "dict" else enumerate(node[1])
        for key, sub in items:
            walk(sub, f"{prefix}[{json.dumps(key) if isinstance(key, str) else repr(key)}]")

    walk(treedef, root)
    return out


def _class_name(skeleton: Any) -> str:
    """`module.QualName` of a record node's class (a structure read back from JSON holds the name already)."""
    return skeleton if isinstance(skeleton, str) else f"{type(skeleton).__module__}.{type(skeleton).__qualname__}"


def to_json(treedef: Treedef) -> Treedef:
    """The structure as JSON data: a record names its class (`module.QualName`), a static place holds nothing."""
    if treedef is None:
        return None
    kind = treedef[0]
    if kind == "static":
        return ["static"]
    if kind == "record":
        return ["record", _class_name(treedef[1]), [[name, to_json(sub)] for name, sub in treedef[2]]]
    if kind == "dict":
        return [kind, [[key, to_json(sub)] for key, sub in treedef[1]]]
    return [kind, [to_json(sub) for sub in treedef[1]]]


def normalize(treedef: Treedef) -> Treedef:
    """The structure as JSON would give it back (tuples become lists, records their class names), for comparisons."""
    return json.loads(json.dumps(to_json(treedef)))
