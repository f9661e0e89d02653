"""Evaluating a function of (params, *batch) over a whole data set, batch by batch."""
from collections.abc import Callable
from typing import Any

from srcgrad.train.batching import check_batch, epoch_batches


def evaluate(fn: Callable[..., float], params: Any, data: Any, batch_size: int = 256, *,
             argument: str = "data") -> float:
    """The mean of `fn(params, *batch)` over `data`, weighting each batch by its size.

    `fn` must return a mean over its batch (as losses and `srcgrad.losses.accuracy` do), so the
    result equals `fn` applied to the whole data set, without holding it in one batch. A first batch
    `fn` cannot take (a list [X, Y] read as batches) raises TypeError naming `argument`.
    """
    total, count = 0.0, 0
    for batch in epoch_batches(data, batch_size, shuffle=False, seed=0, epoch=0):
        if count == 0:
            check_batch(fn, batch, data, argument=argument)
        total += float(fn(params, *batch.take())) * batch.size
        count += batch.size
    return total / count


def named_metrics(metrics: Any) -> dict[str, Callable[..., float]]:
    """Metrics given as a dict name -> fn, or a sequence of functions named by `__name__`."""
    if isinstance(metrics, dict):
        return dict(metrics)
    out = {}
    for fn in metrics:
        name = getattr(fn, "__name__", type(fn).__name__)
        if name in out or name in ("loss", "time", "step"):
            raise ValueError(f"metric name {name!r} is taken; pass metrics as a dict to name them")
        out[name] = fn
    return out
