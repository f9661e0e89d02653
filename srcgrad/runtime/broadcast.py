"""Undo broadcasting and reductions on adjoints.

`unbroadcast(g, x)` sums an adjoint `g` down to the shape of the operand `x` it flows into;
`unreduce(g, x, axis, keepdims)` spreads the adjoint of a reduction back over `x`'s shape.
Both return `g` itself when there is nothing to do, so they cost a shape comparison.
"""
import numpy as np


def unbroadcast(g, x, z=None):
    """Sum `g` over the axes along which `x` was broadcast, so the result has `x`'s shape.

    With `z` (the operation's result), a scalar `g` stands for g at every element of z: the
    sum over the broadcast axes is then g times how many elements of z each element of x fed.
    """
    if z is not None and (type(g) is float or np.ndim(g) == 0) and np.ndim(z):
        return g * (np.size(z) // max(np.size(x), 1))
    if type(x) is float:
        return g if type(g) is float else float(np.sum(g))
    try:  # the common case, arrays of equal shape, without np.shape's overhead
        if g.shape == x.shape:
            return g
    except AttributeError:
        pass
    if isinstance(g, dict):
        from srcgrad.runtime.structure import Grads, Parts

        if isinstance(x, dict):  # sparse gradients added entry by entry (generated code differentiated again)
            return Grads({k: g[k] for k in x if k in g})
        if isinstance(x, Parts):  # adjoints of a sequence added item by item: `+` on them never joins
            return Grads({k: v for k, v in g.items() if isinstance(k, int) and 0 <= k < len(x)})
        raise _unknown_concatenation(x)
    if isinstance(x, dict) and isinstance(g, list | tuple):  # a dense sequence adjoint into a sparse one's place
        from srcgrad.runtime.structure import Grads

        return Grads({k: g[k] for k in x if isinstance(k, int) and 0 <= k < len(g)})
    shape = np.shape(x)
    gshape = np.shape(g)
    if gshape == shape:
        return g
    if not shape:
        total = np.sum(g)
        return total.astype(x.dtype) if isinstance(x, np.generic | np.ndarray) else total
    extra = len(gshape) - len(shape)
    if extra > 0:
        g = np.sum(g, axis=tuple(range(extra)))
        gshape = g.shape
    elif extra < 0:  # g has fewer axes than x (it was broadcast against x): align it to x's trailing axes
        g = np.reshape(g, (1,) * -extra + tuple(gshape))
        gshape = g.shape
    axes = tuple(i for i, (n, m) in enumerate(zip(shape, gshape)) if n == 1 and m != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    if np.shape(g) != shape:
        g = np.broadcast_to(g, shape)
    return g


def _unknown_concatenation(x) -> Exception:
    from srcgrad.errors import NotDifferentiableError

    return NotDifferentiableError(
        f"a `+` joined a {type(x).__name__} that srcgrad could not tell apart from an array when it compiled "
        "this gradient, so it cannot say which part of the result came from which operand",
        hint="Build the joined sequence where the function can see it is a list or tuple, for example "
        "`list(a) + list(b)` or `[*a, *b]`, or join arrays with np.concatenate.")


def _positive_axes(axis, ndim: int) -> tuple[int, ...]:
    if isinstance(axis, int | np.integer):
        axis = (axis,)
    return tuple(sorted(int(a) % ndim for a in axis))


def _spread(value, shape: tuple[int, ...]) -> np.ndarray:
    """A view with `shape` whose every element is the scalar `value` (zero strides, no copy).

    Much cheaper than np.broadcast_to; the generated code never writes into it.
    """
    value = np.asarray(value)
    if value.dtype.kind not in "fc":
        value = value.astype(np.float64)
    return np.ndarray(shape, value.dtype, value, 0, (0,) * len(shape))


_SMALL = 1 << 14  # below this many elements, filling an array beats building a zero-stride view


def unreduce(g, x, axis=None, keepdims=False):
    """Broadcast the adjoint of a reduction of `x` over `axis` back to `x`'s shape."""
    if type(x) is np.ndarray:
        shape = x.shape
        if axis is None and (type(g) is float or np.ndim(g) == 0):
            if x.size <= _SMALL:
                filled = np.empty(shape, x.dtype if x.dtype.kind in "fc" else np.float64)
                filled.fill(g)
                return filled
            return _spread(g, shape)
    else:
        shape = np.shape(x)
    if not shape:
        return g
    if axis is None and np.ndim(g) == 0:
        return _spread(g, shape)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, _positive_axes(axis, len(shape)))
    return np.broadcast_to(g, shape)


def uniform_adjoint(g, x):
    """The adjoint of `x` in `y = np.sum(x)` (no axis): the scalar `g` stands for g everywhere.

    Keeping the scalar lets the elementwise adjoints that follow broadcast it for free; code that
    needs the full array calls `expand` first. Containers get their full adjoint at once.
    """
    if type(x) is np.ndarray:
        return g
    return unreduce(g, x)


def expand(g, y):
    """A scalar adjoint standing for a uniform array, made into that array (y's shape); else g."""
    if type(g) is float or (isinstance(g, np.ndarray | np.generic) and g.ndim == 0):
        shape = np.shape(y)
        if shape:
            dtype = y.dtype if isinstance(y, np.ndarray) and y.dtype.kind in "fc" else np.float64
            filled = np.empty(shape, dtype)
            filled.fill(g)
            return filled
    return g
