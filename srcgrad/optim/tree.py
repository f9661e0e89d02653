"""Parameter trees: nested dicts, lists and tuples whose leaves are arrays.

`flatten` fixes one leaf order (dict insertion order, then list/tuple position) that the
optimizers, the checkpoint files and error messages all share. A tree's structure
(`Treedef`) is plain JSON-able data, so a checkpoint can store it as text.

>>> leaves, treedef = flatten({"W": 1.0, "b": [2.0, 3.0]})
>>> leaves
[1.0, 2.0, 3.0]
>>> paths(treedef)
['params["W"]', 'params["b"][0]', 'params["b"][1]']
>>> unflatten(treedef, [4.0, 5.0, 6.0])
{'W': 4.0, 'b': [5.0, 6.0]}
"""
import json
from typing import Any

# A Treedef is None for a leaf, or ["dict", [[key, sub], ...]], ["list", [sub, ...]], ["tuple", [sub, ...]].
Treedef = Any


def flatten(tree: Any) -> tuple[list[Any], Treedef]:
    """Return the leaves of `tree` in a fixed order and its structure."""
    leaves: list[Any] = []

    def walk(node: Any) -> Treedef:
        if isinstance(node, dict):
            return ["dict", [[key, walk(value)] for key, value in node.items()]]
        if isinstance(node, (list, tuple)):
            return ["list" if isinstance(node, list) else "tuple", [walk(value) for value in node]]
        leaves.append(node)
        return None

    return leaves, walk(tree)


def unflatten(treedef: Treedef, leaves: list[Any]) -> Any:
    """Rebuild a tree of structure `treedef` from `leaves` (the inverse of `flatten`)."""
    it = iter(leaves)

    def build(node: Treedef) -> Any:
        if node is None:
            return next(it)
        kind, children = node
        if kind == "dict":
            return {key: build(sub) for key, sub in children}
        values = [build(sub) for sub in children]
        return values if kind == "list" else tuple(values)

    tree = build(treedef)
    if next(it, _END) is not _END:
        raise ValueError("more leaves than the tree structure has places for")
    return tree


_END = object()


def paths(treedef: Treedef, root: str = "params") -> list[str]:
    """Name each leaf as the Python expression that reads it, e.g. `params["W1"]`."""
    out: list[str] = []

    def walk(node: Treedef, prefix: str) -> None:
        if node is None:
            out.append(prefix)
            return
        kind, children = node
        items = children if kind == "dict" else enumerate(children)
        for key, sub in items:
            walk(sub, f"{prefix}[{json.dumps(key) if isinstance(key, str) else repr(key)}]")

    walk(treedef, root)
    return out


def normalize(treedef: Treedef) -> Treedef:
    """The structure as JSON would give it back (tuples become lists), for comparisons."""
    if treedef is None:
        return None
    kind, children = treedef
    if kind == "dict":
        return [kind, [[key, normalize(sub)] for key, sub in children]]
    return [kind, [normalize(sub) for sub in children]]
