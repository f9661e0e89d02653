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
from collections.abc import Iterator
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
        batch = tuple(item) if isinstance(item, (tuple, list)) else (item,)
        yield Batch(number, len(batch[0]), batch)
    if empty:
        raise ValueError(f"data yielded no batches in epoch {epoch + 1}; if it is an iterator that is now "
                         "exhausted, pass a callable returning a fresh iterable each epoch")
