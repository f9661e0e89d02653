"""One training step's gradient: micro-batch accumulation and the finiteness check.

The loss is a mean over the batch, so the batch gradient is the size-weighted mean of the
micro-batch gradients: with sizes n_k summing to N, g = sum_k (n_k / N) g_k, equal to the
full-batch gradient up to float rounding. Only one micro-batch is in memory at a time.
"""
from collections.abc import Callable
from typing import Any

import numpy as np

from srcgrad.errors import NonFiniteError
from srcgrad.train.batching import Batch
from srcgrad.optim.tree import flatten, leaves_like


def batch_value_and_grad(vg: Callable, params: Any, param_leaves: list[np.ndarray], batch: Batch,
                         micro_batch_size: int | None) -> tuple[float, list[np.ndarray]]:
    """Mean loss and gradient leaves over `batch`, accumulated over micro-batches."""
    _, treedef = flatten(params)
    if micro_batch_size is None or micro_batch_size >= batch.size:
        value, grad = vg(params, *batch.take())
        return float(value), _grad_leaves(grad, treedef, param_leaves)
    loss, acc = 0.0, None
    for arrays, size in batch.micro_batches(micro_batch_size):
        value, grad = vg(params, *arrays)
        w = size / batch.size
        leaves = _grad_leaves(grad, treedef, param_leaves)
        loss += w * float(value)
        acc = [w * g for g in leaves] if acc is None else [a + w * g for a, g in zip(acc, leaves, strict=True)]
    return loss, acc


def _grad_leaves(grad: Any, treedef: Any, param_leaves: list[np.ndarray]) -> list[np.ndarray]:
    """The gradient at the parameters' trained leaves, each as an array of its parameter's shape and dtype."""
    leaves = leaves_like(treedef, grad, "the gradient")
    if len(leaves) != len(param_leaves):
        raise ValueError(f"the gradient has {len(leaves)} leaves but params has {len(param_leaves)}")
    out = []
    for g, p in zip(leaves, param_leaves, strict=True):
        g = np.asarray(g)
        if g.shape != p.shape:
            raise ValueError(f"a gradient of shape {g.shape} for a parameter of shape {p.shape}")
        out.append(g.astype(p.dtype, copy=False))
    return out


def check_finite(loss: float, grads: list[np.ndarray], names: list[str], *, step: int, epoch: int,
                 batch: Batch, what: str = "gradient") -> None:
    """Raise NonFiniteError if the loss or any gradient leaf is NaN or infinite."""
    bad = [name for name, g in zip(names, grads, strict=True) if not np.isfinite(g).all()]
    if np.isfinite(loss) and not bad:
        return
    problems = [] if np.isfinite(loss) else [f"the loss is {loss}"]
    if bad:
        problems.append(f"the {what} of {', '.join(bad)} is not finite")
    where = f"step {step} (epoch {epoch + 1}, batch {batch.number + 1})"
    if batch.indices is not None:
        shown = ", ".join(str(i) for i in batch.indices[:20].tolist())
        if batch.size > 20:
            shown += f", ... ({batch.size} in all)"
        where += f" on examples [{shown}]"
    err = NonFiniteError(
        f"non-finite values at {where}: {'; '.join(problems)}",
        hint="Parameters and optimizer state are as they were before this step (see err.params). "
             "Try a smaller learning rate, gradient clipping (clip_norm=), or check the data of this batch.")
    err.step, err.epoch, err.batch, err.paths, err.loss = step, epoch, batch.number, bad, loss
    err.indices = batch.indices
    raise err
