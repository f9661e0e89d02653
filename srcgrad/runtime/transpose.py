"""Adjoints of the runtime helpers themselves, so generated gradient code can be differentiated again.

Each helper is linear in its adjoint argument `g`; these functions apply the transposed map to
an incoming adjoint `h` (of the helper's result) and return the adjoint of `g`.
"""
import numpy as np

from srcgrad.runtime.broadcast import _positive_axes, unbroadcast
from srcgrad.runtime.structure import Grads, container_keys, index_grad, item_adjoint


def broadcast_back(h, g):
    """Transpose of `unbroadcast(g, x)`: spread h (x's shape) over g's shape."""
    if np.shape(h) == np.shape(g):
        return h
    return np.broadcast_to(h, np.shape(g))


def reduce_back(h, g, x, axis, keepdims):
    """Transpose of `unreduce(g, x, axis, keepdims)`: sum h over the reduced axes, in g's shape."""
    if not np.shape(x):
        return h
    if axis is None:
        return np.reshape(np.sum(h), np.shape(g))
    return np.reshape(np.sum(h, axis=_positive_axes(axis, np.ndim(x)), keepdims=True), np.shape(g))


def select_back(h, g, a, y, axis, keepdims):
    """Transpose of `select_adjoint(g, a, y, axis, keepdims)`."""
    expanded = y if axis is None or keepdims else np.expand_dims(y, _positive_axes(axis, np.ndim(a)))
    mask = a == expanded
    share = mask / np.sum(mask, axis=axis, keepdims=True)
    return reduce_back(h * share, g, a, axis, keepdims)


def index_back(h, index, g, x=None):
    """Transpose of `index_grad(x, index, g)` (and of scattering g into an adjoint at index)."""
    if isinstance(h, dict):
        if isinstance(index, int) and index < 0 and x is not None:
            index += len(x)  # container adjoints are keyed by position
        if isinstance(index, slice) and x is not None:  # `xs[::-1]` of a list: the slice's items, renumbered
            positions = range(*index.indices(len(x)))
            return Grads({i: h[p] for i, p in enumerate(positions) if p in h})
        return item_adjoint(h, index, g)
    if isinstance(h, list | tuple):
        return h[index]
    return unbroadcast(np.asarray(h)[index], g) if np.ndim(h) else h


def take_back(h, g, index, value, x=None):
    """Transpose of `take_adjoint(g, index, value, x)`: h (value's form) placed at `index` of g's form."""
    if isinstance(g, np.ndarray):
        out = np.zeros(g.shape, np.result_type(g.dtype, np.float64) if g.dtype.kind not in "fc" else g.dtype)
        out[index] = broadcast_back(h, out[index])
        return out
    keys = container_keys(index, x)
    if isinstance(index, slice):
        parts = h.items() if isinstance(h, dict) else enumerate(h) if isinstance(h, list | tuple) else ()
        return Grads({keys[j]: v for j, v in parts})
    return Grads({keys[0]: h})


def complete_back(h, g):
    """Transpose of `complete(g, x)`: the same values, in g's form."""
    if isinstance(g, dict) and isinstance(h, dict):
        return Grads({k: h[k] for k in g if k in h})
    if isinstance(g, dict) and isinstance(h, list | tuple):
        return Grads({k: h[k] for k in g})
    if np.shape(h) != np.shape(g) and np.ndim(g) == 0:
        return np.sum(h)
    return h


def item_back(h, key, g):
    """Transpose of `item_adjoint(g, key, x)`: h placed at `key` of g's structure."""
    return index_grad(g, key, h)


def _outer_or_matmul(a, b):
    if np.ndim(a) == 1 and np.ndim(b) == 1:
        return np.multiply.outer(a, b)
    return a @ b


def matmul_left_back(h, g, x, y):
    """Transposes of `matmul_adjoint_left(g, x, y)` (= g @ y^T): the adjoints of g and of y."""
    if np.ndim(y) > 2 or np.ndim(g) > 2:
        raise NotImplementedError("second derivatives through batched matrix products")
    if np.ndim(x) == 1 and np.ndim(y) == 1:  # x . y: g is a scalar
        return np.sum(h * y), h * g
    return h @ y, _outer_or_matmul(np.swapaxes(h, -1, -2) if np.ndim(h) == 2 else h, g)


def matmul_right_back(h, g, x, y):
    """Transposes of `matmul_adjoint_right(g, x, y)` (= x^T @ g): the adjoints of g and of x."""
    if np.ndim(x) > 2 or np.ndim(g) > 2:
        raise NotImplementedError("second derivatives through batched matrix products")
    if np.ndim(x) == 1 and np.ndim(y) == 1:
        return np.sum(h * x), h * g
    d_g = x @ h
    d_x = _outer_or_matmul(g, np.swapaxes(h, -1, -2) if np.ndim(h) == 2 else h)
    return d_g, d_x


def part_back(h, start, x):
    """Transpose of `part_adjoint(g, start, x)`: h's items moved to positions start, start + 1, ..."""
    parts = h.items() if isinstance(h, dict) else enumerate(h) if isinstance(h, list | tuple | np.ndarray) else ()
    return Grads({k + start: v for k, v in parts})


def dict_entry_back(h, key, value, later_keys=(), later_dicts=()):
    """Transpose of `dict_entry_adjoint(g, key, value, ...)`: h put back at the entries it came from."""
    if key is not None:
        return Grads() if key in later_keys or any(key in d for d in later_dicts) else Grads({key: h})
    parts = h.items() if isinstance(h, dict) else ()
    return Grads({k: v for k, v in parts if k not in later_keys and not any(k in d for d in later_dicts)})


def values_back(h, d):
    """Transpose of `values_adjoint(g, d)`: each key's adjoint at its position."""
    parts = h if isinstance(h, dict) else {}
    return Grads({i: parts[k] for i, k in enumerate(d) if k in parts})


def items_back(h, d):
    """Transpose of `items_adjoint(g, d)`: each key's adjoint at position 1 of its pair."""
    parts = h if isinstance(h, dict) else {}
    return Grads({i: Grads({1: parts[k]}) for i, k in enumerate(d) if k in parts})


def sequence_back(h, x):
    """Transpose of `sequence_adjoint(g, x)`: the same items, in the list's form."""
    if isinstance(x, np.ndarray) and isinstance(h, np.ndarray):
        return Grads(enumerate(h))
    return h


def repeat_back(h, x, count):
    """Transpose of `repeat_adjoint(g, x, count)`: each item's adjoint at every copy of it."""
    n = len(x)
    parts = dict(h.items()) if isinstance(h, dict) else dict(enumerate(h)) if isinstance(h, list | tuple) else {}
    return Grads({k: parts[k % n] for k in range(n * count) if k % n in parts})


def sum_of(h):
    """Transpose of `sum_adjoint(g, iterable)`: the sum of the adjoints of all elements."""
    if isinstance(h, dict):
        return sum(h.values())
    if isinstance(h, list | tuple):
        return sum(h)
    return np.sum(h, axis=0)


def complete_forth(h, g_like):
    """Transpose of `complete_back(h, g)`: the adjoint of h given one in g's form."""
    if isinstance(h, dict) or isinstance(g_like, dict):
        return h
    if np.shape(h) == np.shape(g_like):
        return h
    return np.broadcast_to(h, np.shape(g_like))


def _parts(h, like) -> list:
    """The adjoints of a list of pieces, zeros where none arrived."""
    out = []
    for i, x in enumerate(like):
        part = h.get(i) if isinstance(h, dict) else (h[i] if isinstance(h, list | tuple) else None)
        out.append(np.zeros(np.shape(x)) if part is None else np.broadcast_to(part, np.shape(x)))
    return out


def join_back(h, arrays, axis, g):
    """Transpose of `split_like(g, arrays, axis)`: the pieces' adjoints put back together."""
    parts = _parts(h, arrays)
    if axis is None:
        return np.reshape(np.concatenate([np.ravel(p) for p in parts]), np.shape(g))
    return np.concatenate(parts, axis)


def stack_back(h, arrays, axis, g):
    """Transpose of `unstack(g, arrays, axis)`."""
    return np.reshape(np.stack(_parts(h, arrays), axis), np.shape(g))


def hstack_back(h, tup, g):
    """Transpose of `unhstack(g, tup)`."""
    parts = _parts(h, tup)
    if all(np.ndim(x) <= 1 for x in tup):
        return np.reshape(np.concatenate([np.ravel(p) for p in parts]), np.shape(g))
    return np.reshape(np.concatenate(parts, 1), np.shape(g))


def vstack_back(h, tup, g):
    """Transpose of `unvstack(g, tup)`."""
    return np.reshape(np.concatenate([np.atleast_2d(p) for p in _parts(h, tup)], 0), np.shape(g))


def dot_left_back(h, g, a, b):
    """Transposes of `dot_adjoint_left(g, a, b)`: the adjoints of g and of b."""
    if np.ndim(a) == 0:
        return h * b, h * g
    if np.ndim(b) == 0:
        return h * b, np.sum(h * g)
    if np.ndim(b) <= 2:
        return matmul_left_back(h, g, a, b)
    raise NotImplementedError("second derivatives through np.dot of arrays with more than two axes")


def dot_right_back(h, g, a, b):
    """Transposes of `dot_adjoint_right(g, a, b)`: the adjoints of g and of a."""
    if np.ndim(b) == 0:
        return h * a, h * g
    if np.ndim(a) == 0:
        return h * a, np.sum(h * g)
    if np.ndim(b) <= 2:
        return matmul_right_back(h, g, a, b)
    raise NotImplementedError("second derivatives through np.dot of arrays with more than two axes")


def einsum_back(h, g, subscripts, operands):
    """Transposes of `einsum_adjoints(g, subscripts, operands)`: the adjoints of g and of the operands.

    <h, A(g, ops)> = sum_i einsum(ops with op_i := h_i) . g (einsum is multilinear), so g gets that sum
    of einsums, and operand k gets sum over i != k of A_k(g, ops with op_i := h_i).
    """
    from srcgrad.runtime.arrays import einsum_adjoints

    parts = [None if p is None else np.broadcast_to(p, np.shape(x)) for p, x in
             zip([h.get(i) if isinstance(h, dict) else h[i] for i in range(len(operands))], operands, strict=True)]
    d_g, d_ops = 0.0, [np.zeros(np.shape(x)) for x in operands]
    for i, part in enumerate(parts):
        if part is None:
            continue
        replaced = list(operands)
        replaced[i] = part
        d_g = d_g + np.einsum(subscripts, *replaced)
        for k, adj in enumerate(einsum_adjoints(g, subscripts, replaced)):
            if k != i:
                d_ops[k] = d_ops[k] + adj
    return d_g, d_ops
