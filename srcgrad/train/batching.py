"""Splitting data into batches and micro-batches, reproducibly.

Data is either a data set, a tuple of arrays with a common first axis (or one array), or a
source of ready-made batches: an iterable of batches (re-iterated each epoch) or a callable
returning one (called as `data(epoch)` if it takes an argument, else `data()`).

Each epoch's order is `default_rng([seed, epoch]).permutation(n)`: a function of (seed, epoch)
alone, so a run resumed in the middle of an epoch replays that epoch's order exactly
without saving a running RNG.

>>> [b.indices.tolist() for b in epoch_batches((np.arange(5),), 2, shuffle=False, seed=0, epoch=0)]
[[0, 1], [2, 3], [4]]
"""
import inspect
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Batch:
    """One batch: `number` within its epoch, its `size`, and how to read any slice of it.

    For a data set, `indices` are the examples' positions in it and rows are gathered only
    when a (micro-)batch is taken, so memory stays that of one micro-batch.
    """

    number: int
    size: int
    arrays: tuple[Any, ...]
    indices: np.ndarray | None = None
    bare: bool = False  # from a batch source that yielded an array, not a tuple of arrays

    def take(self, start: int = 0, stop: int | None = None) -> tuple[Any, ...]:
        """The arrays of examples start..stop of this batch."""
        if self.indices is not None:
            rows = self.indices[start:stop]
            return tuple(a[rows] for a in self.arrays)
        if start == 0 and (stop is None or stop >= self.size):
            return self.arrays
        return tuple(a[start:stop] for a in self.arrays)

    def micro_batches(self, micro_batch_size: int | None) -> Iterator[tuple[tuple[Any, ...], int]]:
        """Yield (arrays, size) for consecutive micro-batches; the last one may be smaller."""
        step = micro_batch_size or self.size
        for start in range(0, self.size, step):
            stop = min(start + step, self.size)
            yield self.take(start, stop), stop - start


def as_dataset(data: Any) -> tuple[np.ndarray, ...] | None:
    """`data` as a tuple of arrays with a common first axis, or None if it is a batch source."""
    if isinstance(data, np.ndarray):
        data = (data,)
    if not isinstance(data, tuple):
        return None
    arrays = tuple(np.asarray(a) for a in data)
    if not arrays or any(a.ndim == 0 for a in arrays):
        raise ValueError("a data set is a tuple of arrays with a common first (example) axis")
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(f"the arrays in data have different first-axis lengths: {[len(a) for a in arrays]}")
    return arrays


def epoch_order(n: int, seed: int, epoch: int, shuffle: bool) -> np.ndarray:
    """The order of the n examples in `epoch`."""
    if not shuffle:
        return np.arange(n)
    return np.random.default_rng([seed, epoch]).permutation(n)


def count_batches(n: int, batch_size: int, drop_last: bool) -> int:
    return n // batch_size if drop_last else -(-n // batch_size)


def epoch_batches(data: Any, batch_size: int, *, shuffle: bool, seed: int, epoch: int,
                  drop_last: bool = False) -> Iterator[Batch]:
    """The batches of one epoch, in order."""
    arrays = as_dataset(data)
    if arrays is not None:
        order = epoch_order(len(arrays[0]), seed, epoch, shuffle)
        for number in range(count_batches(len(order), batch_size, drop_last)):
            rows = order[number * batch_size:(number + 1) * batch_size]
            yield Batch(number, len(rows), arrays, rows)
        return
    source = data
    if callable(data):
        takes_epoch = any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
                          for p in inspect.signature(data).parameters.values())
        source = data(epoch) if takes_epoch else data()
    empty = True
    for number, item in enumerate(source):
        empty = False
        bare = not isinstance(item, (tuple, list))
        batch = (item,) if bare else tuple(item)
        yield Batch(number, len(batch[0]), batch, bare=bare)
    if empty:
        raise ValueError(f"data yielded no batches in epoch {epoch + 1}; if it is an iterator that is now "
                         "exhausted, pass a callable returning a fresh iterable each epoch")


def check_batch(fn: Any, batch: Batch, data: Any, *, argument: str = "data", batch_size: int | None = None,
                stacklevel: int = 3) -> None:
    """Refuse a batch that `fn(params, *batch)` cannot take, before any step, naming `argument` and `fn`;
    warn when a batch source yields one whole array that is larger than `batch_size`.

    A list is read as a stream of batches, so `[X, Y]` (meant as the data set `(X, Y)`) is two one-array
    batches, and `[X]` one batch of all of X: the first fails inside the generated code, the second
    trains without batching or shuffling. Both are caught here from the first batch.
    """
    arity = _data_arity(fn)
    n = len(batch.arrays)
    fits = arity is None or arity[0] <= n <= arity[1]
    if batch.bare and not fits:
        shape = getattr(batch.arrays[0], "shape", None)
        raise TypeError(
            f"{argument} is {_kind(data)}, which fit reads as a stream of ready-made batches, each a tuple of "
            f"arrays; its first item is a single array{'' if shape is None else f' of shape {shape}'}, but "
            f"{_describe(fn)} takes {_count(arity)} data arguments after params.\n"
            f"To train on a data set, pass a tuple of arrays: {argument}=(X, Y), not [X, Y]. To pass ready-made "
            f"batches, make each one a tuple: [(x1, y1), (x2, y2), ...].")
    if not fits:
        raise TypeError(
            f"each batch of {argument} holds {n} array{'s' * (n != 1)}, but {_describe(fn)} takes "
            f"{_count(arity)} data arguments after params: it is called as {_name(fn)}(params, *batch).\n"
            f"Pass one array per data argument, e.g. {argument}=(X, Y) for loss(params, x, y).")
    if batch.bare and batch_size is not None and batch.size > batch_size:
        warnings.warn(
            f"{argument} is {_kind(data)}, which fit reads as a stream of ready-made batches: its first item, "
            f"a single array of {batch.size} examples, is one whole batch, so batch_size={batch_size} and shuffle "
            f"do not apply. To batch and shuffle a data set, pass a tuple of arrays: {argument}=(X,), not [X]. "
            f"If these arrays are batches, make each one a tuple, [(x,) for x in batches], to silence this warning.",
            UserWarning, stacklevel=stacklevel)


def _data_arity(fn: Any) -> tuple[int, float] | None:
    """(fewest, most) arrays `fn(params, *batch)` takes after params, or None if that cannot be told."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    low = high = 0
    for p in parameters:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            high += 1
            low += p.default is p.empty
        elif p.kind is p.VAR_POSITIONAL:
            high = math.inf
    if high == 0:
        return None
    return max(low - 1, 0), high - 1


def _count(arity: tuple[int, float] | None) -> str:
    low, high = arity if arity is not None else (0, math.inf)
    if high == math.inf:
        return f"at least {low}"
    return str(low) if low == high else f"{low} to {int(high)}"


def _name(fn: Any) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _describe(fn: Any) -> str:
    """`loss(params, x, y) (train.py, line 12)`: the function as the user wrote it."""
    try:
        names = [("*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else "") + p.name
                 for p in inspect.signature(fn).parameters.values()]
        text = f"{_name(fn)}({', '.join(names)})"
    except (TypeError, ValueError):
        text = _name(fn)
    code = getattr(inspect.unwrap(fn) if callable(fn) else fn, "__code__", None)
    return text if code is None else f"{text} ({code.co_filename}, line {code.co_firstlineno})"


def _kind(data: Any) -> str:
    if isinstance(data, list):
        return "a list"
    if inspect.isgenerator(data):
        return "a generator"
    if callable(data):
        return "a function returning batches"
    return f"a {type(data).__name__}"
